package etcd_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/etcd"
)

func TestParseURI(t *testing.T) {
	cfg, o, err := etcd.ParseURI("etcd://app:s3cret@10.0.0.1:2379,10.0.0.2:2379?prefix=lim/&timeout=250ms&dial_timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"http://10.0.0.1:2379", "http://10.0.0.2:2379"}; strings.Join(cfg.Endpoints, " ") != strings.Join(want, " ") {
		t.Errorf("endpoints %v, want %v", cfg.Endpoints, want)
	}
	if cfg.Username != "app" || cfg.Password != "s3cret" || cfg.DialTimeout != 2*time.Second || cfg.TLS != nil {
		t.Errorf("config %+v", cfg)
	}
	if o.Prefix != "lim/" || o.Timeout != 250*time.Millisecond {
		t.Errorf("options %+v", o)
	}

	cfg, o, err = etcd.ParseURI("etcds://h:2379?timeout=0&server_name=etcd.internal")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Endpoints[0] != "https://h:2379" || cfg.TLS == nil || cfg.TLS.ServerName != "etcd.internal" {
		t.Errorf("etcds: endpoints %v, TLS %v", cfg.Endpoints, cfg.TLS)
	}
	if o.Timeout >= 0 || cfg.DialTimeout != etcd.DefaultDialTimeout {
		t.Errorf("timeout=0 gave %v (want negative: no bound), dial %v", o.Timeout, cfg.DialTimeout)
	}
	if cfg, _, err = etcd.ParseURI("etcd://h:2379?tls=true"); err != nil || cfg.TLS == nil || cfg.Endpoints[0] != "https://h:2379" {
		t.Errorf("tls=true: %v, %v", cfg, err)
	}
	if _, o, _ = etcd.ParseURI("etcd://h:2379"); o.Timeout != etcd.DefaultTimeout {
		t.Errorf("default timeout %v", o.Timeout)
	}
}

// TestOpenErrors: every malformed URI is an error that names the problem
// and never reveals the password.
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ uri, want string }{
		{"etcd://u:s3cret@h:2379?colour=blue", "unknown parameter(s) colour"},
		{"etcd://u:s3cret@h:2379?timeout=soon", `timeout="soon" is not a duration`},
		{"etcd://u:s3cret@h:2379?dial_timeout=x", `dial_timeout="x"`},
		{"etcd://u:s3cret@h:2379?dial_timeout=0", "dial_timeout must be positive"},
		// A negative timeout would silently mean "no bound" (Options.Timeout's
		// convention), which the URI spells timeout=0.
		{"etcd://u:s3cret@h:2379?timeout=-1s", `timeout="-1s" is negative`},
		{"etcd://u:s3cret@h:2379?tls=maybe", `tls="maybe" is not a boolean`},
		{"etcd://u:s3cret@h:2379?ca=/x.pem", "TLS parameters need etcds://"},
		{"etcds://u:s3cret@h:2379?ca=/does/not/exist.pem", "ca: open /does/not/exist.pem"},
		{"etcds://u:s3cret@h:2379?ca=" + notPEM, "holds no PEM certificate"},
		{"etcds://u:s3cret@h:2379?cert=/c.pem", "cert= and key= go together"},
		{"etcd://u:s3cret@", "no host:port"},
		{"etcd://u:s3cret@h:2379/limits", "has no path"},
		{"etcd://:s3cret@h:2379", "a password without a user name"},
	}
	for _, c := range cases {
		_, err := backends.Open(c.uri)
		if err == nil {
			t.Errorf("%s: no error", c.uri)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to contain %q", c.uri, err, c.want)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error reveals the password: %v", c.uri, err)
		}
		if !strings.HasPrefix(err.Error(), "etcd: ") && !strings.HasPrefix(err.Error(), "backends: ") {
			t.Errorf("%s: error %q does not name its package", c.uri, err)
		}
	}
}

// TestOpenUnreachableWithPassword: credentials make Open authenticate,
// bounded by dial_timeout; the failure hides the password.
func TestOpenUnreachableWithPassword(t *testing.T) {
	start := time.Now()
	_, err := backends.Open("etcd://app:s3cret@127.0.0.1:1?dial_timeout=300ms")
	if err == nil {
		t.Fatal("Open of a closed port with credentials: no error")
	}
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "app:xxxxx@") {
		t.Errorf("error %q: want the URI redacted", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Open took %v despite dial_timeout=300ms", d)
	}
}

// TestUnreachableCalls: without credentials Open does not connect; every
// call on a closed port fails within its timeout, never deciding.
func TestUnreachableCalls(t *testing.T) {
	st, err := backends.Open("etcd://127.0.0.1:1?timeout=200ms")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	req := &backends.Request{Now: time.Now(), Limits: []backends.Limit{{Key: "k", Amount: 1, Window: time.Minute, Cost: 1}}}
	res := make([]backends.Result, 1)
	start := time.Now()
	if ok, err := st.Hit(context.Background(), req, res); err == nil || ok {
		t.Errorf("Hit: %v, %v", ok, err)
	} else if !strings.HasPrefix(err.Error(), "etcd: hit: ") {
		t.Errorf("Hit error %q does not name the package and operation", err)
	}
	if _, err := st.Test(context.Background(), req, res); err == nil {
		t.Error("Test: no error")
	}
	if err := st.Ping(context.Background()); err == nil {
		t.Error("Ping: no error")
	}
	if err := st.Clear(context.Background(), "k"); err == nil {
		t.Error("Clear: no error")
	}
	if _, err := st.(backends.Resetter).Reset(context.Background(), "LIMITER"); err == nil {
		t.Error("Reset: no error")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("five calls with timeout=200ms took %v", d)
	}
}
