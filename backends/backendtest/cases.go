package backendtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// runStrategy runs every case for one strategy, each on its own keys.
func (s *suite) runStrategy(t *testing.T, strategy backends.Strategy) {
	st := s.store(t)
	e := &env{s: s, st: st, strategy: strategy, server: s.serverClock(st)}
	if e.server {
		t.Run("RealTime", e.testRealTime)
	} else {
		t.Run("Table", e.testTable)
		t.Run("Model", e.testModel)
		if s.cfg.granularity <= 250*time.Millisecond {
			t.Run("ShortWindow", e.testShortWindow)
		}
	}
	t.Run("ZeroAmount", e.testZeroAmount)
	t.Run("Costs", e.testCosts)
	t.Run("Peek", e.testPeek)
	t.Run("KeyIsolation", e.testIsolation)
	t.Run("AllOrNothing", e.testAllOrNothing)
	t.Run("Clear", e.testClear)
	if _, ok := st.(backends.Resetter); ok {
		t.Run("Reset", e.testReset)
	}
	t.Run("Concurrency", e.testConcurrency)
}

// sameResult compares a result with the expected one; Reset is compared
// only when the storage follows Request.Now, within the granularity.
func (e *env) sameResult(got, want backends.Result) bool {
	if got.Allowed != want.Allowed || got.Remaining != want.Remaining {
		return false
	}
	if e.server {
		return true
	}
	d := got.Reset.Sub(want.Reset)
	if d < 0 {
		d = -d
	}
	return d < e.s.cfg.granularity || d == 0
}

func fmtResult(r backends.Result) string {
	return fmt.Sprintf("{allowed %v, remaining %d, reset t0%+v}", r.Allowed, r.Remaining, r.Reset.Sub(t0))
}

// testCosts: costs above 1, cost 0 on an exhausted limit, and a cost above
// the amount, which is refused and charges nothing.
func (e *env) testCosts(t *testing.T) {
	l := e.limit(e.s.client(t), 5, time.Hour, 0)
	type c struct {
		cost      int64
		allowed   bool
		remaining int64
	}
	for i, st := range []c{
		{6, false, 5}, // more than the amount: refused, nothing charged
		{2, true, 3},
		{0, true, 3}, // reports, charges nothing
		{3, true, 0},
		{1, false, 0},
		{0, true, 0}, // cost 0 is admitted even when exhausted
		{5, false, 0},
	} {
		ok, res := e.do(t, false, e.at(time.Duration(i)*time.Second), with(l, st.cost))
		if ok != st.allowed || res[0].Allowed != st.allowed || res[0].Remaining != st.remaining {
			t.Errorf("step %d: Hit cost %d: %v %s, want %v remaining %d", i, st.cost, ok, fmtResult(res[0]), st.allowed, st.remaining)
		}
	}
}

// testPeek: Test never consumes, and answers as Hit would.
func (e *env) testPeek(t *testing.T) {
	l := e.limit(e.s.client(t), 2, time.Hour, 1)
	for i := range 5 {
		ok, res := e.do(t, true, e.at(time.Duration(i)*time.Millisecond), l)
		if !ok || res[0].Remaining != 2 {
			t.Fatalf("Test %d on a fresh limit of 2: %v %s, want admitted, remaining 2", i, ok, fmtResult(res[0]))
		}
	}
	ok, res := e.do(t, true, e.at(time.Second), with(l, 3))
	if ok || res[0].Allowed || res[0].Remaining != 2 {
		t.Errorf("Test cost 3 on a limit of 2: %v %s, want refused, remaining 2", ok, fmtResult(res[0]))
	}
	for i := range 2 {
		if ok, res := e.do(t, false, e.at(2*time.Second), l); !ok || res[0].Remaining != int64(1-i) {
			t.Fatalf("Hit %d after peeks: %v %s, want admitted, remaining %d", i, ok, fmtResult(res[0]), 1-i)
		}
	}
	ok, res = e.do(t, true, e.at(3*time.Second), l)
	if ok || res[0].Remaining != 0 {
		t.Errorf("Test on an exhausted limit: %v %s, want refused, remaining 0", ok, fmtResult(res[0]))
	}
	ok, res = e.do(t, true, e.at(3*time.Second), with(l, 0))
	if !ok || res[0].Remaining != 0 {
		t.Errorf("Test cost 0 on an exhausted limit: %v %s, want admitted, remaining 0", ok, fmtResult(res[0]))
	}
}

// testIsolation: clients, scopes, limits and prefixes count apart.
func (e *env) testIsolation(t *testing.T) {
	c1, c2 := e.s.client(t), e.s.client(t)
	l1 := e.limit(c1, 1, time.Hour, 1)
	now := e.at(0)
	if ok, _ := e.do(t, false, now, l1); !ok {
		t.Fatal("first hit refused")
	}
	if ok, _ := e.do(t, false, now, l1); ok {
		t.Fatal("second hit on a limit of 1 admitted")
	}
	others := map[string]backends.Limit{
		"another client": e.limit(c2, 1, time.Hour, 1),
		"another scope": {Key: backends.Key(e.s.cfg.prefix, c1, "other-scope", "1 per 1 hour"),
			Amount: 1, Window: time.Hour, Cost: 1},
		"another prefix": {Key: backends.Key(e.s.cfg.prefix+"-other", c1, "backendtest", "1 per 1 hour"),
			Amount: 1, Window: time.Hour, Cost: 1},
		"another limit": e.limit(c1, 1, 2*time.Hour, 1),
		"a client whose name has braces": {Key: backends.Key(e.s.cfg.prefix, "{"+c1+"}", "backendtest", "1 per 1 hour"),
			Amount: 1, Window: time.Hour, Cost: 1},
	}
	for name, l := range others {
		if ok, res := e.do(t, false, now, l); !ok || res[0].Remaining != 0 {
			t.Errorf("%s: first hit %v %s, want admitted, remaining 0", name, ok, fmtResult(res[0]))
		}
		if ok, _ := e.do(t, false, now, l); ok {
			t.Errorf("%s: second hit admitted", name)
		}
	}
}

// testAllOrNothing: a request refused by any limit charges none.
func (e *env) testAllOrNothing(t *testing.T) {
	c := e.s.client(t)
	a := e.limit(c, 1, time.Hour, 1)
	b := e.limit(c, 5, time.Hour, 1)
	d := e.limit(c, 3, 2*time.Hour, 1)
	now := e.at(0)
	ok, res := e.do(t, false, now, a, b, d)
	if !ok || res[0].Remaining != 0 || res[1].Remaining != 4 || res[2].Remaining != 2 {
		t.Fatalf("first request: %v %v, want admitted, remaining 0, 4, 2", ok, res)
	}
	for i := range 3 {
		ok, res = e.do(t, false, e.at(time.Duration(i+1)*time.Second), a, b, d)
		if ok || res[0].Allowed || !res[1].Allowed || !res[2].Allowed ||
			res[0].Remaining != 0 || res[1].Remaining != 4 || res[2].Remaining != 2 {
			t.Fatalf("request refused by the first limit: %v %s %s %s; want refused by it alone, remaining 0, 4, 2 (nothing charged)",
				ok, fmtResult(res[0]), fmtResult(res[1]), fmtResult(res[2]))
		}
	}
	// The other order, and a cost above one limit's amount.
	ok, res = e.do(t, false, e.at(5*time.Second), with(d, 3), with(b, 1))
	if ok || res[0].Allowed || !res[1].Allowed || res[1].Remaining != 4 {
		t.Fatalf("request refused by its first limit (cost 3 of 2 left): %v %s %s", ok, fmtResult(res[0]), fmtResult(res[1]))
	}
	ok, res = e.do(t, false, e.at(6*time.Second), b, with(d, 3))
	if ok || !res[0].Allowed || res[1].Allowed || res[0].Remaining != 4 {
		t.Fatalf("request refused by its last limit: %v %s %s", ok, fmtResult(res[0]), fmtResult(res[1]))
	}
	// Only b and d: admitted, and both are charged.
	ok, res = e.do(t, false, e.at(7*time.Second), b, d)
	if !ok || res[0].Remaining != 3 || res[1].Remaining != 1 {
		t.Fatalf("request within both limits: %v %v, want admitted, remaining 3, 1", ok, res)
	}
	_, res = e.do(t, true, e.at(8*time.Second), a, b, d)
	if res[0].Remaining != 0 || res[1].Remaining != 3 || res[2].Remaining != 1 {
		t.Errorf("final state: %v, want remaining 0, 3, 1", res)
	}
}

// testClear: Clear forgets one key and leaves the others.
func (e *env) testClear(t *testing.T) {
	c := e.s.client(t)
	a := e.limit(c, 2, time.Hour, 2)
	b := e.limit(c, 3, time.Hour, 3)
	now := e.at(0)
	if ok, _ := e.do(t, false, now, a, b); !ok {
		t.Fatal("first request refused")
	}
	if err := e.st.Clear(context.Background(), a.Key); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	ok, res := e.do(t, true, e.at(time.Second), a, b)
	if ok || !res[0].Allowed || res[0].Remaining != 2 || res[1].Allowed || res[1].Remaining != 0 {
		t.Errorf("after Clear of the first key: %v %s %s, want it fresh and the other exhausted", ok, fmtResult(res[0]), fmtResult(res[1]))
	}
	if !e.server && !res[0].Reset.Equal(e.at(time.Second)) {
		t.Errorf("after Clear: reset t0%+v, want the decision instant", res[0].Reset.Sub(t0))
	}
	if err := e.st.Clear(context.Background(), b.Key); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	if ok, res := e.do(t, false, e.at(2*time.Second), a, b); !ok || res[0].Remaining != 0 || res[1].Remaining != 0 {
		t.Errorf("after Clear of both keys: %v %v, want admitted, remaining 0, 0", ok, res)
	}
	if err := e.st.Clear(context.Background(), a.Key); err != nil {
		t.Fatalf("second Clear: %v", err)
	}
}

// testShortWindow: sub-second windows follow the same rules. The window is
// half a second, long enough that a store which expires keys in real time
// keeps them while the four requests run, even on a busy machine.
func (e *env) testShortWindow(t *testing.T) {
	w := 500 * time.Millisecond
	if w < e.s.cfg.granularity {
		w = e.s.cfg.granularity
	}
	l := e.limit(e.s.client(t), 2, w, 1)
	base := 7 * time.Minute // a whole number of windows after t0
	steps := []struct {
		at      time.Duration
		allowed bool
	}{{0, true}, {w / 4, true}, {w / 2, false}, {w - ns, false}}
	for _, st := range steps {
		if ok, _ := e.do(t, false, e.at(base+st.at), l); ok != st.allowed {
			t.Errorf("window %v: hit at +%v: %v, want %v", w, st.at, ok, st.allowed)
		}
	}
	// Two windows later everything has left.
	if ok, res := e.do(t, false, e.at(base+2*w+w/2), l); !ok || res[0].Remaining != 1 {
		t.Errorf("window %v: hit two windows later: %v %s, want admitted, remaining 1", w, ok, fmtResult(res[0]))
	}
}

// testReset: Reset drops the counters of every client under its prefix,
// and nothing under another prefix; an empty prefix is refused.
func (e *env) testReset(t *testing.T) {
	r := e.st.(backends.Resetter)
	ctx := context.Background()
	unique := e.s.client(t)
	gone, kept := e.s.cfg.prefix+"-reset-"+unique, e.s.cfg.prefix+"-kept-"+unique
	lim := func(prefix, client string) backends.Limit {
		return backends.Limit{Key: backends.Key(prefix, client, "backendtest", "1 per 1 hour"), Amount: 1, Window: time.Hour, Cost: 1}
	}
	a, b, c := lim(gone, "a"), lim(gone, "b"), lim(kept, "a")
	now := e.at(0)
	for _, l := range []backends.Limit{a, b, c} {
		if ok, _ := e.do(t, false, now, l); !ok {
			t.Fatalf("first hit of %s refused", l.Key)
		}
	}
	n, err := r.Reset(ctx, gone)
	if err != nil || n < 2 {
		t.Fatalf("Reset(%q) = %d, %v; want at least the 2 keys of two clients", gone, n, err)
	}
	later := e.at(time.Second)
	for _, l := range []backends.Limit{a, b} {
		if ok, res := e.do(t, true, later, l); !ok || res[0].Remaining != 1 {
			t.Errorf("after Reset: %s %v %s, want fresh", l.Key, ok, fmtResult(res[0]))
		}
	}
	if ok, res := e.do(t, true, later, c); ok || res[0].Remaining != 0 {
		t.Errorf("after Reset of another prefix: %s %v %s, want still exhausted", c.Key, ok, fmtResult(res[0]))
	}
	if n, err := r.Reset(ctx, gone); err != nil || n != 0 {
		t.Errorf("second Reset(%q) = %d, %v; want 0, nil", gone, n, err)
	}
	if _, err := r.Reset(ctx, ""); err == nil {
		t.Error("Reset with an empty prefix: no error")
	}
	if _, err := r.Reset(ctx, kept); err != nil {
		t.Errorf("Reset(%q): %v", kept, err)
	}
}
