package redis_test

import (
	"context"
	"net"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// TestTimeoutHungServer: a server that accepts connections and never
// answers costs at most the configured timeout, and a shorter context
// deadline wins.
func TestTimeoutHungServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold it open, never answer
		}
	}()
	st, err := backends.Open("redis://" + ln.Addr().String() + "?timeout=200ms&read_timeout=10s&write_timeout=10s&dial_timeout=10s")
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
			t.Errorf("%s: Hit on a hung server succeeded", name)
		}
		if took > max {
			t.Errorf("%s: Hit took %v, want at most %v", name, took, max)
		}
		t.Logf("%s: %v after %v", name, err, took)
	}
	check("timeout", context.Background(), 2*time.Second) // 200ms plus room for a loaded machine
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	check("context", ctx, 2*time.Second)
	start := time.Now()
	if err := st.Ping(context.Background()); err == nil || time.Since(start) > 2*time.Second {
		t.Errorf("Ping on a hung server: %v after %v", err, time.Since(start))
	}
}

// TestTimeoutStoppedServer starts its own redis-server (never the shared
// one: pausing that would stall other packages' tests), freezes it with
// SIGSTOP and checks that a decision gives up after the timeout, then works
// again once the server continues.
func TestTimeoutStoppedServer(t *testing.T) {
	serverURI(t, "LIMITGEN_REDIS_URI") // the servers, hence redis-server, are installed
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
