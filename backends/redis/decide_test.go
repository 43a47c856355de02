package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// t0 is aligned to every window the tables use, so sliding-window buckets
// start at t0.
var t0 = time.Unix(1_700_000_000, 0)

type lim struct {
	key                string
	amount             int64
	window /*s*/, cost int64
}

type want struct {
	allowed   bool
	remaining int64
	reset     time.Duration // after t0
}

type step struct {
	at     time.Duration // after t0
	test   bool          // Test instead of Hit
	clear  string        // Clear this key instead
	limits []lim
	ok     bool
	want   []want
}

func run(t *testing.T, st backends.Storage, s backends.Strategy, steps []step) {
	t.Helper()
	ctx := context.Background()
	for n, sp := range steps {
		if sp.clear != "" {
			if err := st.Clear(ctx, backends.Key("L", "c", "s", sp.clear)); err != nil {
				t.Fatalf("step %d: clear: %v", n, err)
			}
			continue
		}
		req := &backends.Request{Strategy: s, Now: t0.Add(sp.at)}
		for _, l := range sp.limits {
			req.Limits = append(req.Limits, backends.Limit{Key: backends.Key("L", "c", "s", l.key), Amount: l.amount, Window: time.Duration(l.window) * time.Second, Cost: l.cost})
		}
		res := make([]backends.Result, len(req.Limits))
		decide := st.Hit
		if sp.test {
			decide = st.Test
		}
		ok, err := decide(ctx, req, res)
		if err != nil {
			t.Fatalf("step %d: %v", n, err)
		}
		if ok != sp.ok {
			t.Errorf("step %d at +%v: allowed %v, want %v", n, sp.at, ok, sp.ok)
		}
		for i, w := range sp.want {
			g := res[i]
			if g.Allowed != w.allowed || g.Remaining != w.remaining || !g.Reset.Equal(t0.Add(w.reset)) {
				t.Errorf("step %d at +%v limit %s: got {%v %d +%v}, want {%v %d +%v}", n, sp.at, sp.limits[i].key,
					g.Allowed, g.Remaining, g.Reset.Sub(t0), w.allowed, w.remaining, w.reset)
			}
		}
	}
}

const (
	s  = time.Second
	ns = time.Nanosecond
)

var tables = map[backends.Strategy][]step{
	backends.FixedWindow: {
		{at: 0, limits: []lim{{"a", 2, 10, 1}}, ok: true, want: []want{{true, 1, 10 * s}}},
		{at: 1 * s, test: true, limits: []lim{{"a", 2, 10, 1}}, ok: true, want: []want{{true, 1, 10 * s}}},
		{at: 1 * s, limits: []lim{{"a", 2, 10, 1}}, ok: true, want: []want{{true, 0, 10 * s}}},
		{at: 2 * s, limits: []lim{{"a", 2, 10, 1}}, ok: false, want: []want{{false, 0, 10 * s}}},
		{at: 10*s - time.Microsecond, limits: []lim{{"a", 2, 10, 1}}, ok: false, want: []want{{false, 0, 10 * s}}},
		// the window starts at the first hit and ends Window later
		{at: 10 * s, limits: []lim{{"a", 2, 10, 1}}, ok: true, want: []want{{true, 1, 20 * s}}},
		// all-or-nothing: b has room, a has not; b is not charged
		{at: 11 * s, limits: []lim{{"b", 5, 10, 1}, {"a", 2, 10, 2}}, ok: false, want: []want{{true, 5, 11 * s}, {false, 1, 20 * s}}},
		{at: 11 * s, limits: []lim{{"b", 5, 10, 1}, {"a", 2, 10, 1}}, ok: true, want: []want{{true, 4, 21 * s}, {true, 0, 20 * s}}},
		// cost larger than the amount never passes; cost zero always reports
		{at: 12 * s, limits: []lim{{"c", 2, 10, 3}}, ok: false, want: []want{{false, 2, 12 * s}}},
		{at: 12 * s, limits: []lim{{"a", 2, 10, 0}}, ok: true, want: []want{{true, 0, 20 * s}}},
		{clear: "a"},
		{at: 12 * s, limits: []lim{{"a", 2, 10, 2}}, ok: true, want: []want{{true, 0, 22 * s}}},
		// amount zero refuses
		{at: 12 * s, limits: []lim{{"z", 0, 10, 1}}, ok: false, want: []want{{false, 0, 12 * s}}},
	},
	backends.MovingWindow: {
		{at: 0, limits: []lim{{"a", 2, 10, 1}}, ok: true, want: []want{{true, 1, 10 * s}}},
		{at: 5 * s, limits: []lim{{"a", 2, 10, 1}}, ok: true, want: []want{{true, 0, 10 * s}}},
		{at: 6 * s, limits: []lim{{"a", 2, 10, 1}}, ok: false, want: []want{{false, 0, 10 * s}}},
		{at: 10*s - time.Microsecond, test: true, limits: []lim{{"a", 2, 10, 1}}, ok: false, want: []want{{false, 0, 10 * s}}},
		// the hit at 0 leaves the window at 10s
		{at: 10 * s, test: true, limits: []lim{{"a", 2, 10, 1}}, ok: true, want: []want{{true, 1, 15 * s}}},
		{at: 10 * s, limits: []lim{{"a", 2, 10, 1}}, ok: true, want: []want{{true, 0, 15 * s}}},
		{at: 15 * s, limits: []lim{{"a", 2, 10, 2}}, ok: false, want: []want{{false, 1, 20 * s}}},
		{at: 20 * s, limits: []lim{{"a", 2, 10, 2}}, ok: true, want: []want{{true, 0, 30 * s}}},
		// all-or-nothing across limits
		{at: 21 * s, limits: []lim{{"b", 3, 10, 1}, {"a", 2, 10, 1}}, ok: false, want: []want{{true, 3, 21 * s}, {false, 0, 30 * s}}},
		{at: 21 * s, limits: []lim{{"c", 2, 10, 3}}, ok: false, want: []want{{false, 2, 21 * s}}},
		{clear: "a"},
		{at: 21 * s, limits: []lim{{"b", 3, 10, 1}, {"a", 2, 10, 1}}, ok: true, want: []want{{true, 2, 31 * s}, {true, 1, 31 * s}}},
	},
	backends.SlidingWindowCounter: {
		{at: 5 * s, limits: []lim{{"a", 10, 10, 10}}, ok: true, want: []want{{true, 0, 10 * s}}},
		{at: 9 * s, limits: []lim{{"a", 10, 10, 1}}, ok: false, want: []want{{false, 0, 10 * s}}},
		// at 12s the previous bucket (10 hits) weighs 8/10: 8 counted, and
		// the weighted count falls to 7 right after
		{at: 12 * s, test: true, limits: []lim{{"a", 10, 10, 1}}, ok: true, want: []want{{true, 2, 12*s + ns}}},
		{at: 12 * s, limits: []lim{{"a", 10, 10, 2}}, ok: true, want: []want{{true, 0, 12*s + ns}}},
		{at: 13 * s, limits: []lim{{"a", 10, 10, 1}}, ok: true, want: []want{{true, 0, 13*s + ns}}},
		// 6.5 of the previous 10 count as 6, plus 3 current: room for one
		{at: 13*s + s/2, limits: []lim{{"a", 10, 10, 1}}, ok: true, want: []want{{true, 0, 14*s + ns}}},
		{at: 13*s + 9*s/10, limits: []lim{{"a", 10, 10, 1}}, ok: false, want: []want{{false, 0, 14*s + ns}}},
		// two buckets later everything is forgotten
		{at: 30 * s, limits: []lim{{"a", 10, 10, 1}}, ok: true, want: []want{{true, 9, 40 * s}}},
		{at: 31 * s, limits: []lim{{"b", 5, 10, 1}, {"a", 1, 10, 1}}, ok: false, want: []want{{true, 5, 31 * s}, {false, 0, 40 * s}}},
		{clear: "a"},
		{at: 31 * s, limits: []lim{{"b", 5, 10, 1}, {"a", 1, 10, 1}}, ok: true, want: []want{{true, 4, 40 * s}, {true, 0, 40 * s}}},
	},
}

// TestInstants runs the decision tables over instants in client-clock mode
// on every server set-up.
func TestInstants(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			st := open(t, mode, "clock=client")
			for _, strategy := range backends.Strategies() {
				t.Run(strategy.String(), func(t *testing.T) {
					run(t, st, strategy, tables[strategy])
				})
			}
		})
	}
}
