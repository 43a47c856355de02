package redis_test

import (
	"context"
	"os"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/redis"
)

// quietLogger drops go-redis's log lines (sentinel switches, dial
// retries), which the tests provoke on purpose.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	goredis.SetLogger(quietLogger{})
	os.Exit(m.Run())
}

// open opens the storage at the URI in env var name with a unique key
// prefix and extra parameters, pings it (failing the test when it does not
// answer) and closes it at the end of the test.
func open(t testing.TB, name string, params ...string) *redis.Storage {
	t.Helper()
	uri := backendtest.URIWithParams(backendtest.ServerURI(t, name), append([]string{"prefix=" + backendtest.UniquePrefix(t)}, params...)...)
	st, err := backends.Open(uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Ping(context.Background()); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return st.(*redis.Storage)
}

// modes are the server set-ups every generic test runs on.
var modes = []string{"LIMITGEN_REDIS_URI", "LIMITGEN_REDIS_CLUSTER_URI", "LIMITGEN_REDIS_SENTINEL_URI"}
