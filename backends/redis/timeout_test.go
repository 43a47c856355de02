package redis_test

import (
	"context"
	"io"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/redis"
)

// hungServer listens on a loopback port, accepts connections and never
// answers; it stops when the test ends.
func hungServer(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		var held []net.Conn // held open, never answered
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return ln
}

// TestTimeoutHungServer: a server that accepts connections and never
// answers costs at most the configured timeout, and a shorter context
// deadline wins, whether decisions are coalesced (the default) or each
// sent on its own connection (pipelines=0).
func TestTimeoutHungServer(t *testing.T) {
	for _, params := range []string{"", "&pipelines=0"} {
		ln := hungServer(t)
		st, err := backends.Open("redis://" + ln.Addr().String() + "?timeout=200ms&read_timeout=10s&write_timeout=10s&dial_timeout=10s" + params)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		req := &backends.Request{Now: time.Now(), Limits: []backends.Limit{{Key: "k", Amount: 1, Window: time.Second, Cost: 1}}}
		res := make([]backends.Result, 1)
		check := func(name string, ctx context.Context, max time.Duration) {
			start := time.Now()
			_, err := st.Hit(ctx, req, res)
			took := time.Since(start)
			if err == nil {
				t.Errorf("%s%s: Hit on a hung server succeeded", name, params)
			}
			if took > max {
				t.Errorf("%s%s: Hit took %v, want at most %v", name, params, took, max)
			}
			t.Logf("%s%s: %v after %v", name, params, err, took)
		}
		check("timeout", context.Background(), 2*time.Second) // 200ms plus room for a loaded machine
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		check("context", ctx, 2*time.Second)
		start := time.Now()
		if err := st.Ping(context.Background()); err == nil || time.Since(start) > 2*time.Second {
			t.Errorf("Ping%s on a hung server: %v after %v", params, err, time.Since(start))
		}
	}
}

// TestTimeoutHungServerQueued: on a hung server, a decision that queues
// behind a pipeline still waiting for its answer costs its own timeout
// from the moment it queued, not that pipeline's time plus its own.
func TestTimeoutHungServerQueued(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	heard := make(chan struct{}) // closed when a command arrives
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Read(make([]byte, 4096))
		close(heard)
		io.Copy(io.Discard, c) // never answers
	}()
	const timeout = time.Second
	st, err := backends.Open("redis://" + ln.Addr().String() + "?timeout=1s&read_timeout=10s&write_timeout=10s&dial_timeout=10s&pipelines=1")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	req := &backends.Request{Now: time.Now(), Limits: []backends.Limit{{Key: "k", Amount: 1, Window: time.Second, Cost: 1}}}
	first := make(chan error, 1)
	go func() { _, err := st.Hit(context.Background(), req, make([]backends.Result, 1)); first <- err }()
	select { // once the first decision is on the wire, the second queues
	case <-heard:
	case <-time.After(5 * time.Second):
		t.Fatal("the first decision never reached the server")
	}
	start := time.Now()
	_, err = st.Hit(context.Background(), req, make([]backends.Result, 1))
	took := time.Since(start)
	if err == nil {
		t.Error("queued Hit on a hung server succeeded")
	}
	// Waiting for the first pipeline's timeout and then its own would take
	// about 2s; its own timeout alone, 1s.
	if took > timeout+timeout/2 {
		t.Errorf("queued Hit took %v, want about its own timeout of %v", took, timeout)
	}
	if err := <-first; err == nil {
		t.Error("first Hit on a hung server succeeded")
	}
}

// TestTimeoutStoppedServer starts its own redis-server (never the shared
// one: pausing that would stall other packages' tests), freezes it with
// SIGSTOP and checks that a decision gives up after the timeout, then works
// again once the server continues.
func TestTimeoutStoppedServer(t *testing.T) {
	backendtest.ServerURI(t, "LIMITGEN_REDIS_URI") // the servers, hence redis-server, are installed
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	ln.Close()
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
	})
	st, err := backends.Open("redis://" + addr + "?timeout=200ms&read_timeout=10s&write_timeout=10s")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for start := time.Now(); st.Ping(ctx) != nil; time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("own redis-server did not start")
		}
	}
	req := &backends.Request{Now: time.Now(), Limits: []backends.Limit{{Key: backends.Key("L", "stop", "s", "5 per 1 hour"), Amount: 5, Window: time.Hour, Cost: 1}}}
	res := make([]backends.Result, 1)
	if _, err := st.Hit(ctx, req, res); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = st.Hit(ctx, req, res)
	took := time.Since(start)
	if err == nil || took > 2*time.Second {
		t.Errorf("Hit on a stopped server: %v after %v, want an error within the 200ms timeout", err, took)
	}
	if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	// The abandoned call was already sent: the server may still apply it
	// when it continues, so 3 or 2 remain.
	ok, err := st.Hit(ctx, req, res)
	if err != nil || !ok || (res[0].Remaining != 3 && res[0].Remaining != 2) {
		t.Fatalf("Hit after SIGCONT = %v %+v %v, want admitted with 3 (or 2) left", ok, res[0], err)
	}
}

// TestTimeoutOwnClient: a client passed to New without
// Options.ClientTimeouts keeps long timeouts of its own; the storage's
// per-call context still cuts a hung call short.
func TestTimeoutOwnClient(t *testing.T) {
	ln := hungServer(t)
	c := goredis.NewClient(&goredis.Options{Addr: ln.Addr().String(), ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
		DialTimeout: 10 * time.Second, ContextTimeoutEnabled: true, DisableIdentity: true})
	defer c.Close()
	st, err := redis.New(c, redis.Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	req := &backends.Request{Now: time.Now(), Limits: []backends.Limit{{Key: "k", Amount: 1, Window: time.Second, Cost: 1}}}
	start := time.Now()
	_, err = st.Hit(context.Background(), req, make([]backends.Result, 1))
	if took := time.Since(start); err == nil || took > 2*time.Second {
		t.Errorf("Hit on a hung server through a client with 10s timeouts: %v after %v, want an error within the 200ms timeout", err, took)
	}
}

// TestClientTimeoutsChecked: New accepts Options.ClientTimeouts only for a
// client whose own bounds fit the timeout, and says which does not.
func TestClientTimeoutsChecked(t *testing.T) {
	fits := goredis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true, MaxRetries: -1,
		DialTimeout: 100 * time.Millisecond, ReadTimeout: 100 * time.Millisecond, WriteTimeout: 100 * time.Millisecond, PoolTimeout: 100 * time.Millisecond}
	for _, tc := range []struct {
		name   string
		change func(o *goredis.Options)
		want   string // in the error; "" for none
	}{
		{"fits", func(*goredis.Options) {}, ""},
		{"retries", func(o *goredis.Options) { o.MaxRetries = 0 }, "MaxRetries -1, not 3 retries"},
		{"no context deadline", func(o *goredis.Options) { o.ContextTimeoutEnabled = false }, "ContextTimeoutEnabled"},
		{"read", func(o *goredis.Options) { o.ReadTimeout = time.Second }, "ReadTimeout (1s)"},
		{"read off", func(o *goredis.Options) { o.ReadTimeout = -1 }, "ReadTimeout (0s)"},
		{"write", func(o *goredis.Options) { o.WriteTimeout = time.Second }, "WriteTimeout (1s)"},
		{"dial", func(o *goredis.Options) { o.DialTimeout = 0 }, "DialTimeout (5s)"},
		{"pool", func(o *goredis.Options) { o.PoolTimeout = time.Second }, "PoolTimeout (1s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := fits
			tc.change(&o)
			c := goredis.NewClient(&o)
			defer c.Close()
			_, err := redis.New(c, redis.Options{Timeout: 200 * time.Millisecond, ClientTimeouts: true})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("New: %v, want an error with %q", err, tc.want)
			}
		})
	}
	cc := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	defer cc.Close()
	if _, err := redis.New(cc, redis.Options{ClientTimeouts: true}); err == nil || !strings.Contains(err.Error(), "*goredis.Client") {
		t.Errorf("New(cluster client, ClientTimeouts): %v, want an error naming the client type", err)
	}
}
