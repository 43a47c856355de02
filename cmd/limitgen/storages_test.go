//go:build !limitgen_etcd && !limitgen_mongodb

package main

import (
	"strings"
	"testing"
)

// TestStorageLeftOut: a storage the default build leaves out is named with
// the build tag that links it, before any package is loaded; memcached://
// is linked by default.
func TestStorageLeftOut(t *testing.T) {
	for _, c := range []struct{ args []string }{
		{[]string{"limits", "-key", "10.0.0.1", "-storage", "etcd://127.0.0.1:1"}},
		{[]string{"clear", "-key", "10.0.0.1", "-storage", "mongodb+srv://u:s3cret@db.example.net"}},
	} {
		code, stdout, stderr := limitgen(t, t.TempDir(), append(c.args, "./...")...)
		tag := "limitgen_etcd"
		if strings.Contains(strings.Join(c.args, " "), "mongodb") {
			tag = "limitgen_mongodb"
		}
		if code != exitFail || stdout != "" || !strings.Contains(stderr, "go run -tags "+tag+" github.com/limitgen/limitgen/cmd/limitgen") {
			t.Errorf("%v = %d, stdout %q, stderr %q; want exit 1 naming -tags %s", c.args, code, stdout, stderr, tag)
		}
		if strings.Contains(stderr, "s3cret") {
			t.Errorf("%v: the error shows the password: %s", c.args, stderr)
		}
	}
	if err := storageLinked("memcached://127.0.0.1:1"); err != nil {
		t.Errorf("memcached:// is not linked: %v", err)
	}
}
