package redis_test

import (
	"context"
	"net"
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

// TestTimeoutPausedServer pauses the real server (CLIENT PAUSE) and checks
// that a decision gives up after the timeout, then works again.
func TestTimeoutPausedServer(t *testing.T) {
	st := open(t, "LIMITGEN_REDIS_URI", "timeout=200ms")
	ctx := context.Background()
	admin := st.Client()
	req := &backends.Request{Now: time.Now(), Limits: []backends.Limit{{Key: backends.Key("L", "pause", "s", "5 per 1 hour"), Amount: 5, Window: time.Hour, Cost: 1}}}
	res := make([]backends.Result, 1)
	if _, err := st.Hit(ctx, req, res); err != nil {
		t.Fatal(err)
	}
	if err := admin.Do(ctx, "CLIENT", "PAUSE", 1000, "ALL").Err(); err != nil {
		t.Fatal(err)
	}
	defer admin.Do(ctx, "CLIENT", "UNPAUSE")
	start := time.Now()
	_, err := st.Hit(ctx, req, res)
	took := time.Since(start)
	if err == nil || took > 2*time.Second {
		t.Errorf("Hit on a paused server: %v after %v, want an error within the 200ms timeout", err, took)
	}
	if err := admin.Do(ctx, "CLIENT", "UNPAUSE").Err(); err != nil {
		t.Fatal(err)
	}
	ok, err := st.Hit(ctx, req, res)
	if err != nil || !ok {
		t.Fatalf("Hit after unpause = %v, %v", ok, err)
	}
}
