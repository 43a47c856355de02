package backendtest

import (
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// testRealTime checks a storage that keeps its own clock: a burst fills the
// limit, Reset lies within the window, and the limit admits again once the
// window (two, for the sliding-window-counter) has passed.
func (e *env) testRealTime(t *testing.T) {
	w := 500 * time.Millisecond
	if g := e.s.cfg.granularity; w < g {
		w = g
	}
	l := e.limit(e.s.client(t), 3, w, 1)
	if e.strategy == backends.SlidingWindowCounter {
		// Start the burst early in a bucket, so that it does not straddle
		// two (the server's clock is assumed close to ours).
		n := time.Now()
		next := (n.UnixNano()/int64(w) + 1) * int64(w)
		time.Sleep(time.Unix(0, next).Add(w / 50).Sub(n))
	}
	before := time.Now()
	for i := range 3 {
		ok, res := e.do(t, false, time.Now(), l)
		if !ok || res[0].Remaining != int64(2-i) {
			t.Fatalf("burst hit %d: %v %s, want admitted, remaining %d", i, ok, fmtResult(res[0]), 2-i)
		}
		after := time.Now()
		lo, hi := before.Add(-e.s.cfg.granularity), after.Add(w+e.s.cfg.granularity)
		if res[0].Reset.Before(lo) || res[0].Reset.After(hi) {
			t.Errorf("burst hit %d: reset %v not within [%v, %v]", i, res[0].Reset, lo, hi)
		}
	}
	ok, res := e.do(t, false, time.Now(), l)
	if ok || res[0].Remaining != 0 {
		t.Fatalf("hit over the limit: %v %s, want refused, remaining 0", ok, fmtResult(res[0]))
	}
	if ok, _ := e.do(t, true, time.Now(), l); ok {
		t.Fatal("Test over the limit admitted")
	}
	time.Sleep(2*w + w/4 + e.s.cfg.granularity)
	ok, res = e.do(t, false, time.Now(), l)
	if !ok || res[0].Remaining != 2 {
		t.Fatalf("hit after the window passed: %v %s, want admitted, remaining 2", ok, fmtResult(res[0]))
	}
}
