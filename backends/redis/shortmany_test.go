package redis

import (
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// TestShortManyRoutes checks which requests take the short path for many
// limits: several limits on the server's clock, every cost between 1 and
// its amount (1 for the moving window), moving and sliding windows in
// whole microseconds below 2^52 ns.
func TestShortManyRoutes(t *testing.T) {
	l := func(amount, cost int64) backends.Limit {
		return backends.Limit{Key: "k", Amount: amount, Window: time.Second, Cost: cost}
	}
	server, client := &Storage{}, &Storage{opts: Options{ClientClock: true}}
	sliding, moving := backends.SlidingWindowCounter, backends.MovingWindow
	tests := []struct {
		name string
		s    *Storage
		req  backends.Request
		want bool
	}{
		{"two limits", server, backends.Request{Limits: []backends.Limit{l(2, 1), l(1, 1)}}, true},
		{"costs at the amounts", server, backends.Request{Limits: []backends.Limit{l(5, 5), l(3, 3), l(9, 1)}}, true},
		{"one limit (operation H)", server, backends.Request{Limits: []backends.Limit{l(2, 1)}}, false},
		{"a cost of zero", server, backends.Request{Limits: []backends.Limit{l(2, 1), l(2, 0)}}, false},
		{"a cost above its amount", server, backends.Request{Limits: []backends.Limit{l(2, 1), l(2, 3)}}, false},
		{"moving window", server, backends.Request{Strategy: moving, Limits: []backends.Limit{l(2, 1), l(1, 1)}}, true},
		{"moving window, a cost of 2", server, backends.Request{Strategy: moving, Limits: []backends.Limit{l(2, 1), l(2, 2)}}, false},
		{"moving window, a window of 1.5 µs", server, backends.Request{Strategy: moving, Limits: []backends.Limit{l(2, 1), {Key: "k", Amount: 1, Window: 1500, Cost: 1}}}, false},
		{"sliding window", server, backends.Request{Strategy: sliding, Limits: []backends.Limit{l(2, 1), l(1, 1)}}, true},
		{"sliding window, a window of 1.5 µs", server, backends.Request{Strategy: sliding, Limits: []backends.Limit{l(2, 1), {Key: "k", Amount: 1, Window: 1500, Cost: 1}}}, false},
		{"sliding window, a window of 2^52 ns", server, backends.Request{Strategy: sliding, Limits: []backends.Limit{l(2, 1), {Key: "k", Amount: 1, Window: 1 << 52, Cost: 1}}}, false},
		{"sliding window, a cost of zero", server, backends.Request{Strategy: sliding, Limits: []backends.Limit{l(2, 1), l(2, 0)}}, false},
		{"client clock", client, backends.Request{Limits: []backends.Limit{l(2, 1), l(1, 1)}}, false},
	}
	for _, tt := range tests {
		if got := tt.s.shortMany(&tt.req); got != tt.want {
			t.Errorf("%s: shortMany = %v, want %v", tt.name, got, tt.want)
		}
	}
}
