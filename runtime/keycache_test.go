package runtime

import (
	"net/http"
	"strconv"
	"testing"
)

// More clients than the key cache holds: the cache is emptied and rebuilt,
// and every client keeps its own counter on both the simple path (limits
// only) and the general one (meta limits).
func TestKeyCacheOverflow(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []Option
	}{
		{"simple", nil},
		{"with meta limits", []Option{WithMetaLimits("100 per hour")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := newTestClock()
			l := newLimiter(t, clk, append([]Option{WithDefaultLimits("1 per minute")}, c.opts...)...)
			mux := mount(t, l, &Group{Name: "app", Routes: []Route{{Endpoint: "a", Pattern: "/a", Handler: text("a")}}})
			if rs := l.reg.Load().byEndpoint["app.a"]; rs.simple != (len(c.opts) == 0) {
				t.Fatalf("simple = %v", rs.simple)
			}
			addr := func(i int) reqOpt {
				return from("10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255) + ":1234")
			}
			n := maxCachedClients + 100
			for i := range n {
				if w := get(mux, "/a", addr(i)); w.Code != http.StatusOK {
					t.Fatalf("client %d first request: %d", i, w.Code)
				}
			}
			for _, i := range []int{0, 1, maxCachedClients, n - 1} {
				if w := get(mux, "/a", addr(i)); w.Code != http.StatusTooManyRequests {
					t.Fatalf("client %d second request: %d", i, w.Code)
				}
			}
		})
	}
}
