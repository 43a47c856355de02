package runtime

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/limitgen/limitgen/backends"
)

// verdictRecorder is a memory storage that records whether the last Hit
// asked for the verdict only.
type verdictRecorder struct {
	backends.Storage
	verdictOnly atomic.Bool
}

func (v *verdictRecorder) Hit(ctx context.Context, req *backends.Request, res []backends.Result) (bool, error) {
	v.verdictOnly.Store(req.VerdictOnly)
	return v.Storage.Hit(ctx, req, res)
}

// TestVerdictOnly checks that the limiter asks its storage for the verdict
// only exactly when nothing reads the results: not with headers, context
// results or deduct-when limits, on simple routes and others alike.
func TestVerdictOnly(t *testing.T) {
	failed := func(r *http.Request, status int) bool { return status >= 400 }
	for _, c := range []struct {
		name string
		opts []Option
		rule *Rule
		want bool
	}{
		{"defaults", nil, nil, true},
		{"headers", []Option{WithHeaders(true)}, nil, false},
		{"context results", []Option{WithContextResults(true)}, nil, false},
		{"route with a method filter", nil, &Rule{Limits: MustParseLimits("5 per minute"), Methods: []string{"GET"}}, true},
		{"route with a method filter, headers", []Option{WithHeaders(true)}, &Rule{Limits: MustParseLimits("5 per minute"), Methods: []string{"GET"}}, false},
		{"deduct-when", nil, &Rule{Limits: MustParseLimits("5 per minute"), DeductWhen: failed}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem, err := backends.Open("memory://")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { mem.Close() })
			store := &verdictRecorder{Storage: mem}
			l := newLimiter(t, newTestClock(), append([]Option{WithStorage(store), WithDefaultLimits("5 per minute")}, c.opts...)...)
			route := Route{Endpoint: "a", Pattern: "/a", Handler: text("a")}
			if c.rule != nil {
				route.Rules = []Rule{*c.rule}
			}
			mux := mount(t, l, &Group{Name: "app", Routes: []Route{route}})
			store.verdictOnly.Store(!c.want)
			if w := get(mux, "/a"); w.Code != 200 {
				t.Fatalf("GET /a: %d", w.Code)
			}
			if got := store.verdictOnly.Load(); got != c.want {
				t.Fatalf("VerdictOnly %v, want %v", got, c.want)
			}
		})
	}
}
