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
