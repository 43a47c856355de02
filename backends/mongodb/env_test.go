package mongodb_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/mongodb"
)

// serverURI returns the MongoDB server scripts/services started.
func serverURI(t testing.TB) string {
	t.Helper()
	return backendtest.ServerURI(t, "LIMITGEN_MONGODB_URI")
}

// ferret reports whether the server is FerretDB, which serialises
// concurrent updates of one document only through one connection: the
// tests then open every client with maxPoolSize=1.
func ferret() bool { return os.Getenv("LIMITGEN_MONGODB_SERVER") == "ferretdb" }

// serverParams are the parameters every test URI carries: on FerretDB
// one connection, and a timeout long enough for the decisions that queue
// for it on a busy machine (a write takes FerretDB's SQLite 4-15 ms).
func serverParams() []string {
	if ferret() {
		return []string{"maxPoolSize=1", "timeout=10s"}
	}
	return nil
}

// open opens the storage at LIMITGEN_MONGODB_URI with a unique prefix, a
// collection of its own (dropped at the end of the test) and extra
// parameters, pings it (failing the test when it does not answer) and
// closes it at the end of the test. FerretDB reads every document of a
// collection for a filter on more than _id, such as the compare-and-swap's
// (20 ms per write beside a hundred documents, 3 ms alone), so a
// collection per test keeps the tests fast; MongoDB uses the _id index.
func open(t testing.TB, params ...string) *mongodb.Storage {
	t.Helper()
	return openAt(t, serverURI(t), params...)
}

// openAt is open on the server at uri (a proxy of LIMITGEN_MONGODB_URI's).
func openAt(t testing.TB, uri string, params ...string) *mongodb.Storage {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	params = append(append([]string{"prefix=" + backendtest.UniquePrefix(t), "collection=test-" + hex.EncodeToString(b[:])}, serverParams()...), params...)
	st, err := backends.Open(backendtest.URIWithParams(uri, params...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st.(*mongodb.Storage).Collection().Drop(ctx)
		st.Close()
	})
	if err := st.Ping(context.Background()); err != nil {
		t.Fatalf("LIMITGEN_MONGODB_URI: %v", err)
	}
	return st.(*mongodb.Storage)
}
