package memcached_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/memcached"
)

// serverURI returns the Memcached servers scripts/services started.
func serverURI(t testing.TB) string {
	t.Helper()
	return backendtest.ServerURI(t, "LIMITGEN_MEMCACHED_URI")
}

// uniquePrefix returns an item key prefix no other test run uses.
func uniquePrefix(t testing.TB) string {
	var b [6]byte
	rand.Read(b[:])
	name := strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return "t-" + name + "-" + hex.EncodeToString(b[:]) + ":"
}

// open opens the storage on the test servers with a unique prefix and
// extra parameters, pings it (failing the test when it does not answer)
// and closes it at the end of the test.
func open(t testing.TB, params ...string) *memcached.Storage {
	t.Helper()
	uri := backendtest.URIWithParams(serverURI(t), append([]string{"prefix=" + uniquePrefix(t)}, params...)...)
	st, err := backends.Open(uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Ping(context.Background()); err != nil {
		t.Fatalf("memcached: %v", err)
	}
	return st.(*memcached.Storage)
}
