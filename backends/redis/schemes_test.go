package redis_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/redis"
)

// exact hits one limit of amount 3 four times and checks that exactly three
// pass, proving the storage decides through that connection.
func exact(t *testing.T, st backends.Storage) {
	t.Helper()
	ctx := context.Background()
	req := &backends.Request{Now: time.Now(), Limits: []backends.Limit{{Key: backends.Key("L", "x", "s", "3 per 1 hour"), Amount: 3, Window: time.Hour, Cost: 1}}}
	res := make([]backends.Result, 1)
	n := 0
	for range 4 {
		ok, err := st.Hit(ctx, req, res)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			n++
		}
	}
	if n != 3 || res[0].Remaining != 0 {
		t.Errorf("admitted %d of 4 under 3 per hour (remaining %d), want 3 (0)", n, res[0].Remaining)
	}
}

func TestUnixSocket(t *testing.T) {
	exact(t, open(t, "LIMITGEN_REDIS_UNIX_URI"))
	exact(t, open(t, "LIMITGEN_REDIS_UNIX_URI", "db=2"))
}

func TestAuth(t *testing.T) {
	exact(t, open(t, "LIMITGEN_REDIS_AUTH_URI"))
	uri := backendtest.ServerURI(t, "LIMITGEN_REDIS_AUTH_URI")
	wrong := strings.Replace(uri, "limitgen-secret", "wrong-secret", 1)
	st, err := backends.Open(wrong)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Ping(context.Background())
	if err == nil {
		t.Fatal("Ping with a wrong password succeeded")
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestTLS(t *testing.T) {
	exact(t, open(t, "LIMITGEN_REDIS_TLS_URI"))
	// mutual TLS with a client certificate
	exact(t, open(t, "LIMITGEN_REDIS_TLS_URI", "cert="+backendtest.ServerURI(t, "LIMITGEN_REDIS_TLS_CLIENT_CERT"), "key="+backendtest.ServerURI(t, "LIMITGEN_REDIS_TLS_CLIENT_KEY")))
	// without the test CA the server's certificate is not trusted
	uri := backendtest.ServerURI(t, "LIMITGEN_REDIS_TLS_URI")
	bare, _, _ := strings.Cut(uri, "?")
	st, err := backends.Open(bare + "?timeout=20s")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Ping without the CA: %v, want a certificate error", err)
	}
	// TLS to the plain port fails instead of falling back
	plain := strings.Replace(backendtest.ServerURI(t, "LIMITGEN_REDIS_URI"), "redis://", "rediss://", 1)
	st2, err := backends.Open(plain + "?insecure_skip_verify=true&timeout=1s")
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if err := st2.Ping(context.Background()); err == nil {
		t.Error("TLS to a plain-text port succeeded")
	}
}

// TestOpenErrors: malformed URIs and unknown or bad parameters are errors
// that quote the URI without its passwords.
func TestOpenErrors(t *testing.T) {
	ca := t.TempDir() + "/empty.pem"
	os.WriteFile(ca, []byte("not a certificate"), 0o600)
	for _, c := range []struct{ uri, want string }{
		{"redis://u:hunter2@127.0.0.1:1?pool=3", "unknown parameter(s) pool"},
		{"redis://u:hunter2@127.0.0.1:1?pool_size=x", `pool_size="x" is not an integer`},
		{"redis://127.0.0.1:1?timeout=soon", `timeout="soon" is not a duration`},
		{"redis://127.0.0.1:1?clock=atomic", `clock="atomic"`},
		{"redis://127.0.0.1:1?pipelines=-1", "pipelines=-1 is negative"},
		{"redis://127.0.0.1:1?pipelines=many", `pipelines="many" is not an integer`},
		{"redis://127.0.0.1:1/x", `path "/x" is not a database number`},
		{"redis://127.0.0.1:1/1?db=2", "both in the path and as db="},
		{"redis://127.0.0.1:1,127.0.0.1:2", "exactly one host"},
		{"redis://127.0.0.1:1?ca=/x.pem", "TLS parameters need rediss://"},
		{"rediss://127.0.0.1:1?ca=" + ca, "holds no PEM certificate"},
		{"rediss://127.0.0.1:1?ca=/does/not/exist.pem", "no such file"},
		{"rediss://127.0.0.1:1?cert=/a.pem", "cert= and key= go together"},
		{"rediss://127.0.0.1:1?insecure_skip_verify=maybe", "is not a boolean"},
		{"redis://127.0.0.1:1?prefix={x}", "braces"},
		{"redis+unix://127.0.0.1:1/x.sock", "redis+unix:///path"},
		{"redis+cluster://127.0.0.1:1/3", "no database path"},
		{"redis+cluster://127.0.0.1:1?db=1", "unknown parameter(s) db"},
		{"redis+sentinel://127.0.0.1:1", "no sentinel service"},
		{"redis+sentinel://127.0.0.1:1/a?service=b", "both in the path and as service="},
		{"redis+sentinel://127.0.0.1:1/a?sentinel_password=hunter2&bogus=1", "unknown parameter(s) bogus"},
	} {
		st, err := backends.Open(c.uri)
		if err == nil {
			st.Close()
			t.Errorf("Open(%q): no error", c.uri)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q): %v, want it to mention %q", c.uri, err, c.want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q): error shows a password: %v", c.uri, err)
		}
	}
}

// TestOpenForms: every documented form opens (connecting lazily).
func TestOpenForms(t *testing.T) {
	for _, uri := range []string{
		"redis://127.0.0.1:1",
		"redis://u:p@127.0.0.1:1/3?pool_size=64&dial_timeout=1s&read_timeout=250ms&write_timeout=0.5&timeout=0&clock=client&prefix=app",
		"rediss://127.0.0.1:1?insecure_skip_verify=true&server_name=redis.local",
		"redis+unix:///tmp/redis.sock?db=1",
		"redis+cluster://127.0.0.1:1,127.0.0.1:2?tls=true&pipelines=4",
		"redis+sentinel://127.0.0.1:1,127.0.0.1:2/mymaster?sentinel_password=s&db=1",
		"redis+sentinel://127.0.0.1:1?service=mymaster",
	} {
		st, err := backends.Open(uri)
		if err != nil {
			t.Errorf("Open(%q): %v", uri, err)
			continue
		}
		st.Close()
	}
}

// TestOpenPipelines: pipelines=N sets how many coalesced pipelines are in
// flight, 0 turns coalescing off, and the default is DefaultPipelines.
func TestOpenPipelines(t *testing.T) {
	for _, c := range []struct {
		param string
		want  int
	}{{"", redis.DefaultPipelines}, {"?pipelines=0", 0}, {"?pipelines=1", 1}, {"?pipelines=7", 7}} {
		st, err := backends.Open("redis://127.0.0.1:1" + c.param)
		if err != nil {
			t.Fatal(err)
		}
		if got := redis.Senders(st.(*redis.Storage)); got != c.want {
			t.Errorf("redis://127.0.0.1:1%s: %d pipelines, want %d", c.param, got, c.want)
		}
		st.Close()
	}
}

// TestValkeySchemes: each valkey scheme opens what its redis scheme opens,
// on the same servers (Valkey speaks the Redis protocol).
func TestValkeySchemes(t *testing.T) {
	for _, name := range []string{"LIMITGEN_REDIS_URI", "LIMITGEN_REDIS_TLS_URI", "LIMITGEN_REDIS_UNIX_URI", "LIMITGEN_REDIS_CLUSTER_URI", "LIMITGEN_REDIS_SENTINEL_URI"} {
		t.Run(name, func(t *testing.T) {
			uri := backendtest.ServerURI(t, name)
			valkey := "valkey" + strings.TrimPrefix(uri, "redis")
			if !strings.HasPrefix(uri, "redis") || !strings.HasPrefix(valkey, "valkey") {
				t.Fatalf("%s = %q is not a redis URI", name, uri)
			}
			st, err := backends.Open(backendtest.URIWithParams(valkey, "prefix="+backendtest.UniquePrefix(t)))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, ok := st.(*redis.Storage); !ok {
				t.Fatalf("%s opened a %T", valkey, st)
			}
			exact(t, st)
		})
	}
	if _, err := backends.Open("valkeys://127.0.0.1:1?tls=true"); err == nil || !strings.Contains(err.Error(), "valkeys://") {
		t.Errorf("an error of a valkey URI quotes it: %v", err)
	}
}
