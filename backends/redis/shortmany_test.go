package redis

import (
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// TestShortManyRoutes checks which requests take the fixed window's short
// path for many limits: several limits on the server's clock, every cost
// between 1 and its amount.
func TestShortManyRoutes(t *testing.T) {
	l := func(amount, cost int64) backends.Limit {
		return backends.Limit{Key: "k", Amount: amount, Window: time.Second, Cost: cost}
	}
	server, client := &Storage{}, &Storage{opts: Options{ClientClock: true}}
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
		{"moving window", server, backends.Request{Strategy: backends.MovingWindow, Limits: []backends.Limit{l(2, 1), l(1, 1)}}, false},
		{"client clock", client, backends.Request{Limits: []backends.Limit{l(2, 1), l(1, 1)}}, false},
	}
	for _, tt := range tests {
		if got := tt.s.shortMany(&tt.req); got != tt.want {
			t.Errorf("%s: shortMany = %v, want %v", tt.name, got, tt.want)
		}
	}
}
