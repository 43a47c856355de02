package memcached_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/memcached"
)

// serverURI returns the URI that scripts/services wrote to the environment
// variable LIMITGEN_MEMCACHED_URI. Without it the test is skipped, unless
// CI=true, where a missing server is a failure.
func serverURI(t testing.TB) string {
	t.Helper()
	const name = "LIMITGEN_MEMCACHED_URI"
	if v := os.Getenv(name); v != "" {
		return v
	}
	msg := name + " is not set: start the servers with scripts/services start and eval \"$(scripts/services env)\", or run every test with scripts/test"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
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

// open opens the storage on the test servers with a unique prefix and
// extra parameters, pings it (failing the test when it does not answer)
// and closes it at the end of the test.
func open(t testing.TB, params ...string) *memcached.Storage {
	t.Helper()
	uri := withParams(serverURI(t), append([]string{"prefix=" + uniquePrefix(t)}, params...)...)
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
