package backendtest

import (
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// step is one request of a table over instants against one limit.
type step struct {
	at        time.Duration // after t0
	cost      int64
	peek      bool // Test instead of Hit
	allowed   bool
	remaining int64
	reset     time.Duration // after t0
}

const ns = time.Nanosecond

// tables are the semantics of each strategy, request by request. The
// expectations follow the model in package backends.
var tables = map[backends.Strategy]struct {
	amount int64
	window time.Duration
	steps  []step
}{
	backends.FixedWindow: {3, time.Minute, []step{
		{at: 10 * time.Second, cost: 1, allowed: true, remaining: 2, reset: 70 * time.Second}, // window opens at the first hit
		{at: 20 * time.Second, cost: 1, allowed: true, remaining: 1, reset: 70 * time.Second},
		{at: 25 * time.Second, cost: 1, peek: true, allowed: true, remaining: 1, reset: 70 * time.Second},
		{at: 30 * time.Second, cost: 1, allowed: true, remaining: 0, reset: 70 * time.Second},
		{at: 40 * time.Second, cost: 1, allowed: false, remaining: 0, reset: 70 * time.Second},
		{at: 70*time.Second - ns, cost: 1, peek: true, allowed: false, remaining: 0, reset: 70 * time.Second},
		{at: 70 * time.Second, cost: 1, allowed: true, remaining: 2, reset: 130 * time.Second}, // a new window at its first hit
		{at: 75 * time.Second, cost: 2, allowed: true, remaining: 0, reset: 130 * time.Second},
		{at: 80 * time.Second, cost: 0, allowed: true, remaining: 0, reset: 130 * time.Second},
		{at: 129 * time.Second, cost: 1, allowed: false, remaining: 0, reset: 130 * time.Second},
		{at: 200 * time.Second, cost: 0, allowed: true, remaining: 3, reset: 200 * time.Second}, // cost 0 opens no window
		{at: 201 * time.Second, cost: 4, allowed: false, remaining: 3, reset: 201 * time.Second},
		{at: 202 * time.Second, cost: 3, allowed: true, remaining: 0, reset: 262 * time.Second},
	}},
	backends.MovingWindow: {3, time.Minute, []step{
		{at: 10 * time.Second, cost: 1, allowed: true, remaining: 2, reset: 70 * time.Second},
		{at: 20 * time.Second, cost: 1, allowed: true, remaining: 1, reset: 70 * time.Second},
		{at: 30 * time.Second, cost: 1, allowed: true, remaining: 0, reset: 70 * time.Second},
		{at: 40 * time.Second, cost: 1, allowed: false, remaining: 0, reset: 70 * time.Second},
		{at: 70*time.Second - ns, cost: 1, peek: true, allowed: false, remaining: 0, reset: 70 * time.Second},
		{at: 70 * time.Second, cost: 1, allowed: true, remaining: 0, reset: 80 * time.Second}, // the hit at 10s left
		{at: 79 * time.Second, cost: 1, allowed: false, remaining: 0, reset: 80 * time.Second},
		{at: 80 * time.Second, cost: 2, allowed: false, remaining: 1, reset: 90 * time.Second},
		{at: 80 * time.Second, cost: 1, allowed: true, remaining: 0, reset: 90 * time.Second},
		{at: 90 * time.Second, cost: 0, allowed: true, remaining: 1, reset: 130 * time.Second},
		{at: 150 * time.Second, cost: 3, allowed: true, remaining: 0, reset: 210 * time.Second},
		{at: 210*time.Second - ns, cost: 1, peek: true, allowed: false, remaining: 0, reset: 210 * time.Second},
		{at: 210 * time.Second, cost: 4, peek: true, allowed: false, remaining: 3, reset: 210 * time.Second},
		{at: 210 * time.Second, cost: 3, peek: true, allowed: true, remaining: 3, reset: 210 * time.Second},
	}},
	backends.SlidingWindowCounter: {4, time.Minute, []step{
		{at: 10 * time.Second, cost: 1, allowed: true, remaining: 3, reset: 60 * time.Second},
		{at: 20 * time.Second, cost: 1, allowed: true, remaining: 2, reset: 60 * time.Second},
		{at: 30 * time.Second, cost: 1, allowed: true, remaining: 1, reset: 60 * time.Second},
		{at: 40 * time.Second, cost: 1, allowed: true, remaining: 0, reset: 60 * time.Second},
		{at: 50 * time.Second, cost: 1, allowed: false, remaining: 0, reset: 60 * time.Second},
		// The previous bucket (4 hits) weighs 4 at the boundary, then decays.
		{at: 60 * time.Second, cost: 1, peek: true, allowed: false, remaining: 0, reset: 60*time.Second + ns},
		{at: 60*time.Second + ns, cost: 1, peek: true, allowed: true, remaining: 1, reset: 75*time.Second + ns},
		{at: 75 * time.Second, cost: 1, allowed: true, remaining: 0, reset: 75*time.Second + ns},
		{at: 80 * time.Second, cost: 1, allowed: true, remaining: 0, reset: 90*time.Second + ns},
		{at: 100 * time.Second, cost: 1, allowed: true, remaining: 0, reset: 105*time.Second + ns},
		{at: 110 * time.Second, cost: 1, allowed: true, remaining: 0, reset: 120 * time.Second},
		{at: 119 * time.Second, cost: 1, allowed: false, remaining: 0, reset: 120 * time.Second},
		{at: 120 * time.Second, cost: 1, allowed: false, remaining: 0, reset: 120*time.Second + ns},
		{at: 150 * time.Second, cost: 2, allowed: true, remaining: 0, reset: 150*time.Second + ns},
		{at: 200 * time.Second, cost: 1, peek: true, allowed: true, remaining: 3, reset: 210*time.Second + ns},
		{at: 300 * time.Second, cost: 1, peek: true, allowed: true, remaining: 4, reset: 300 * time.Second},
	}},
}

// testTable runs the strategy's table over instants on a fresh key.
func (e *env) testTable(t *testing.T) {
	tab, ok := tables[e.strategy]
	if !ok {
		t.Fatalf("no table for %v", e.strategy)
	}
	l := e.limit(e.s.client(t), tab.amount, tab.window, 0)
	for i, st := range tab.steps {
		now := e.at(st.at)
		ok, res := e.do(t, st.peek, now, with(l, st.cost))
		want := backends.Result{Allowed: st.allowed, Remaining: st.remaining, Reset: t0.Add(st.reset)}
		if ok != st.allowed || !e.sameResult(res[0], want) {
			t.Errorf("step %d: %s cost %d at t0+%v: got %v %s, want %v %s",
				i, opName(st.peek), st.cost, st.at, ok, fmtResult(res[0]), st.allowed, fmtResult(want))
		}
	}
}

// testZeroAmount: a zero amount refuses any positive cost and admits cost 0.
func (e *env) testZeroAmount(t *testing.T) {
	l := e.limit(e.s.client(t), 0, time.Hour, 1)
	for i := range 3 {
		now := e.at(time.Duration(i) * time.Second)
		for _, peek := range []bool{true, false} {
			ok, res := e.do(t, peek, now, l)
			if ok || res[0].Allowed || res[0].Remaining != 0 {
				t.Errorf("%s cost 1 on amount 0: %v %s, want refused, remaining 0", opName(peek), ok, fmtResult(res[0]))
			}
			if !e.server && !res[0].Reset.Equal(now) {
				t.Errorf("%s on amount 0: reset %v, want the decision instant %v (nothing counted)", opName(peek), res[0].Reset.Sub(t0), now.Sub(t0))
			}
			ok, res = e.do(t, peek, now, with(l, 0))
			if !ok || !res[0].Allowed || res[0].Remaining != 0 {
				t.Errorf("%s cost 0 on amount 0: %v %s, want admitted, remaining 0", opName(peek), ok, fmtResult(res[0]))
			}
		}
	}
}
