package runtime

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/limitgen/limitgen/backends"
)

// TestReset: Reset drops every counter of the limiter, whatever the client,
// and none of another limiter sharing the storage under another prefix.
func TestReset(t *testing.T) {
	store, err := backends.Open("memory://")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clk := newTestClock()
	mine := newLimiter(t, clk, WithStorage(store), WithKeyPrefix("mine"))
	theirs := newLimiter(t, clk, WithStorage(store), WithKeyPrefix("theirs"))
	muxMine, muxTheirs := mount(t, mine, quickstart()), mount(t, theirs, quickstart())
	other := func(r *http.Request) { r.RemoteAddr = "198.51.100.7:4321" }
	for _, mux := range []*http.ServeMux{muxMine, muxTheirs} {
		for _, opts := range [][]reqOpt{nil, {other}} {
			if w := get(mux, "/slow", opts...); w.Code != 200 {
				t.Fatalf("first /slow: %d", w.Code)
			}
			if w := get(mux, "/slow", opts...); w.Code != 429 {
				t.Fatalf("second /slow: %d", w.Code)
			}
		}
	}
	if err := mine.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]reqOpt{nil, {other}} {
		if w := get(muxMine, "/slow", opts...); w.Code != 200 {
			t.Errorf("/slow after Reset: %d, want 200", w.Code)
		}
		if w := get(muxTheirs, "/slow", opts...); w.Code != 429 {
			t.Errorf("/slow of the other limiter after Reset: %d, want 429", w.Code)
		}
	}
}

// noReset hides a storage's Reset.
type noReset struct{ backends.Storage }

func TestResetUnsupported(t *testing.T) {
	store, err := backends.Open("memory://")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	l := newLimiter(t, newTestClock(), WithStorage(noReset{store}))
	if err := l.Reset(context.Background()); !errors.Is(err, ErrCannotReset) {
		t.Fatalf("Reset on a storage without it: %v, want ErrCannotReset", err)
	}
}

// TestClearLimitsOfOneRoute: clearing a client's limits of one route, by
// endpoint or by path, leaves its other routes' counters alone.
func TestClearLimitsOfOneRoute(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("1 per minute"))
	mux := mount(t, l, quickstart())
	const client = "192.0.2.1"
	expect(t, mux, clk, "/fast", 200, 429)
	expect(t, mux, clk, "/slow", 200, 429)
	ctx := context.Background()
	if err := l.ClearLimits(ctx, client, TreeFilter{Endpoint: "slow"}); err != nil {
		t.Fatal(err)
	}
	expect(t, mux, clk, "/slow", 200, 429)
	expect(t, mux, clk, "/fast", 429)
	if err := l.ClearLimits(ctx, client, TreeFilter{Path: "/fast"}); err != nil {
		t.Fatal(err)
	}
	expect(t, mux, clk, "/fast", 200, 429)
	expect(t, mux, clk, "/slow", 429)
	if err := l.ClearLimits(ctx, client, TreeFilter{Endpoint: "nope"}); err == nil {
		t.Error("ClearLimits of an unknown endpoint: no error")
	}
}
