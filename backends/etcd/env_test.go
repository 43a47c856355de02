package etcd_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/etcd"
)

// serverURI returns the etcd URI that scripts/services wrote to
// LIMITGEN_ETCD_URI. Without it the test is skipped, unless CI=true, where
// a missing server is a failure.
func serverURI(t testing.TB) string {
	t.Helper()
	if v := os.Getenv("LIMITGEN_ETCD_URI"); v != "" {
		return v
	}
	msg := "LIMITGEN_ETCD_URI is not set: start the servers with scripts/services start and eval \"$(scripts/services env)\", or run every test with scripts/test"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// uniquePrefix returns an etcd key prefix no other test run uses.
func uniquePrefix(t testing.TB) string {
	var b [6]byte
	rand.Read(b[:])
	return "test-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + hex.EncodeToString(b[:]) + "/"
}

// withParams appends query parameters to uri.
func withParams(uri string, params ...string) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	for _, p := range params {
		uri += sep + p
		sep = "&"
	}
	return uri
}

// open opens the storage at LIMITGEN_ETCD_URI with a unique prefix and
// extra parameters, pings it (failing the test when it does not answer) and
// closes it at the end of the test.
func open(t testing.TB, params ...string) *etcd.Storage {
	t.Helper()
	return openPrefix(t, uniquePrefix(t), params...)
}

// openPrefix is open with a given prefix, so that two storages share keys.
func openPrefix(t testing.TB, prefix string, params ...string) *etcd.Storage {
	t.Helper()
	uri := withParams(serverURI(t), append([]string{"prefix=" + prefix}, params...)...)
	st, err := backends.Open(uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Ping(context.Background()); err != nil {
		t.Fatalf("etcd: %v", err)
	}
	return st.(*etcd.Storage)
}
