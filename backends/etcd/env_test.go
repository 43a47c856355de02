package etcd_test

import (
	"context"
	"testing"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/etcd"
)

// serverURI returns the etcd server scripts/services started.
func serverURI(t testing.TB) string {
	t.Helper()
	return backendtest.ServerURI(t, "LIMITGEN_ETCD_URI")
}

// open opens the storage at LIMITGEN_ETCD_URI with a unique prefix and
// extra parameters, pings it (failing the test when it does not answer) and
// closes it at the end of the test.
func open(t testing.TB, params ...string) *etcd.Storage {
	t.Helper()
	return openPrefix(t, backendtest.UniquePrefix(t), params...)
}

// openPrefix is open with a given prefix, so that two storages share keys.
func openPrefix(t testing.TB, prefix string, params ...string) *etcd.Storage {
	t.Helper()
	uri := backendtest.URIWithParams(serverURI(t), append([]string{"prefix=" + prefix}, params...)...)
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
