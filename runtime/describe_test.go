package runtime

import (
	"fmt"
	"testing"
)

// TestAdmittedHeadersDescribeTheFirstUnsharedLimit checks the limit the
// X-RateLimit headers describe on admitted requests of a simple route (a
// shared limit first, then the route's own): the route's own, whether the
// limiter records every result (context results on) or only the described
// one (the default), with the same header values either way.
func TestAdmittedHeadersDescribeTheFirstUnsharedLimit(t *testing.T) {
	headersOf := func(opts ...Option) []string {
		clk := newTestClock()
		l := newLimiter(t, clk, append([]Option{WithHeaders(true)}, opts...)...)
		mux := mount(t, l, &Group{Name: "app", Routes: []Route{{
			Endpoint: "a", Pattern: "/a", Handler: text("a"),
			Rules: []Rule{
				{Limits: MustParseLimits("5 per minute"), Shared: "pool"},
				{Limits: MustParseLimits("3 per minute")},
			},
		}}})
		var got []string
		for range 3 {
			w := get(mux, "/a")
			h := w.Header()
			got = append(got, fmt.Sprint(w.Code, " ", h.Get("X-RateLimit-Limit"), " ", h.Get("X-RateLimit-Remaining"), " ", h.Get("X-RateLimit-Reset"), " ", h.Get("Retry-After")))
		}
		return got
	}
	recorded := headersOf()
	full := headersOf(WithContextResults(true))
	if fmt.Sprint(recorded) != fmt.Sprint(full) {
		t.Fatalf("headers recording the described limit only %q, recording every result %q", recorded, full)
	}
	for i, want := range []string{"200 3 2", "200 3 1", "200 3 0"} {
		if len(recorded[i]) < len(want) || recorded[i][:len(want)] != want {
			t.Errorf("request %d: %q, want it to start %q", i+1, recorded[i], want)
		}
	}
}
