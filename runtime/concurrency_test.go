package runtime

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestConcurrentRequestsNeverExceedTheLimit(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("25 per minute", "1000 per hour"), WithApplicationLimits("1000 per hour"))
	mux := mount(t, l, quickstart())
	var ok atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if get(mux, "/fast").Code == 200 {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 25 {
		t.Fatalf("%d requests admitted, want exactly 25", ok.Load())
	}
}

func TestMiddlewareDecidesRegisteredRoutesMountedByHand(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("5 per minute"))
	g := quickstart()
	if err := l.Register(g); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /slow", text("24")) // the raw handler: the middleware applies the route's rules
	h := l.Middleware(mux)
	expect(t, h, clk, "/slow", 200, 429)
}

func TestLogging(t *testing.T) {
	clk := newTestClock()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	store := newFlaky(t)
	l := newLimiter(t, clk, WithStorage(store), WithLogger(log), WithSwallowErrors(true))
	mux := mount(t, l, quickstart())
	expect(t, mux, clk, "/slow", 200, 429)
	if !strings.Contains(buf.String(), "ratelimit exceeded") || !strings.Contains(buf.String(), `limit="1 per 1 day"`) {
		t.Fatalf("breach not logged: %s", buf.String())
	}
	store.down.Store(true)
	clk.Advance(24 * time.Hour)
	expect(t, mux, clk, "/slow", 200)
	if !strings.Contains(buf.String(), "storage down") {
		t.Fatalf("storage error not logged: %s", buf.String())
	}
}

// TestContextResultsOptIn checks that the handler's request carries no
// results by default or with WithContextResults(false), and carries them
// with WithContextResults(true).
func TestContextResultsOptIn(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []Option
		want bool
	}{
		{"default", nil, false},
		{"off", []Option{WithContextResults(false)}, false},
		{"on", []Option{WithContextResults(true)}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := newTestClock()
			l := newLimiter(t, clk, append([]Option{WithDefaultLimits("1 per minute")}, c.opts...)...)
			var has atomic.Bool
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, ok := ResultsFromContext(r.Context())
				has.Store(ok)
			})
			mux := mount(t, l, &Group{Name: "app", Routes: []Route{{Endpoint: "a", Pattern: "/a", Handler: h}}})
			expect(t, mux, clk, "/a", 200, 429)
			if has.Load() != c.want {
				t.Fatalf("results in the handler's context: %v, want %v", has.Load(), c.want)
			}
		})
	}
}

func TestResultsEndWithTheHandler(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("5 per minute"), WithContextResults(true))
	var kept *http.Request
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := ResultsFromContext(r.Context()); !ok {
			t.Error("no results during the handler")
		}
		kept = r
	})
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{{Endpoint: "a", Pattern: "/a", Handler: h}}})
	get(mux, "/a")
	if _, ok := ResultsFromContext(kept.Context()); ok {
		t.Fatal("results still reachable after the handler returned")
	}
}
