package backends

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

const sec = int64(time.Second)

func TestSaturatingArithmetic(t *testing.T) {
	if got := addSat(math.MaxInt64-1, 5); got != math.MaxInt64 {
		t.Errorf("addSat overflow = %d", got)
	}
	if got := addSat(-5, 3); got != -2 {
		t.Errorf("addSat(-5, 3) = %d", got)
	}
	if got := subSat(math.MinInt64+1, 5); got != math.MinInt64 {
		t.Errorf("subSat underflow = %d", got)
	}
	for _, c := range []struct{ a, b, q int64 }{{7, 2, 3}, {-7, 2, -4}, {-8, 2, -4}, {0, 3, 0}, {-1, 5, -1}} {
		if got := floorDiv(c.a, c.b); got != c.q {
			t.Errorf("floorDiv(%d, %d) = %d, want %d", c.a, c.b, got, c.q)
		}
	}
	// 128-bit products: (2^62)×(2^62)/(2^62) would overflow in 64 bits.
	if got := mulDiv(1<<62, 1<<62, 1<<62); got != 1<<62 {
		t.Errorf("mulDiv large = %d", got)
	}
	if got := mulDivCeil(3, 10, 4); got != 8 {
		t.Errorf("mulDivCeil(3, 10, 4) = %d", got)
	}
	if got := mulDivCeil(4, 10, 5); got != 8 {
		t.Errorf("mulDivCeil(4, 10, 5) = %d", got)
	}
	if !fits(0, math.MaxInt64, math.MaxInt64) || fits(1, math.MaxInt64, math.MaxInt64) || fits(0, 3, 4) || !fits(3, 3, 0) {
		t.Error("fits is wrong at the edges")
	}
}

func TestFixedWindowState(t *testing.T) {
	var s FixedWindowState
	w := 60 * sec
	s = s.Current(100*sec, w)
	if !s.Allows(1, 1) || s.Allows(0, 1) || !s.Allows(0, 0) {
		t.Fatal("Allows on an empty counter")
	}
	s.Charge(100*sec, 0)
	if s.Count != 0 {
		t.Fatal("Charge(0) opened a window")
	}
	s.Charge(100*sec, 2)
	if rem, reset := s.Stats(110*sec, w, 5); rem != 3 || reset != 160*sec {
		t.Errorf("Stats = %d, %d", rem, reset)
	}
	if got := s.Current(160*sec-1, w); got != s {
		t.Error("window ended early")
	}
	if got := s.Current(160*sec, w); got != (FixedWindowState{}) {
		t.Error("window did not end at Start+window")
	}
	if s.Expires(w) != 160*sec {
		t.Errorf("Expires = %d", s.Expires(w))
	}
	// A window near the end of time saturates instead of wrapping.
	s = FixedWindowState{Start: math.MaxInt64 - 10, Count: 1}
	if got := s.Current(math.MaxInt64-1, math.MaxInt64); got != s {
		t.Error("saturated window ended")
	}
}

func TestMovingWindowLog(t *testing.T) {
	var l MovingWindowLog
	w := 10 * sec
	l.Current(0, w)
	for _, at := range []int64{1, 5, 3, 5, 5} { // late instants count at the latest, repeats merge
		l.Current(at*sec, w)
		l.Charge(at*sec, 1)
	}
	l.Charge(2*sec, 0)
	if l.Count() != 5 || l.Entries() != 2 {
		t.Fatalf("count %d entries %d, want 5 and 2", l.Count(), l.Entries())
	}
	if rem, reset := l.Stats(6*sec, w, 7); rem != 2 || reset != 11*sec {
		t.Errorf("Stats = %d, %d", rem, reset)
	}
	l.Current(11*sec, w) // drops the hit at 1s (1+10 ≤ 11)
	if l.Count() != 4 || !l.Allows(5, 1) || l.Allows(5, 2) {
		t.Errorf("after expiry: count %d", l.Count())
	}
	if l.Expires(w) != 15*sec {
		t.Errorf("Expires = %d", l.Expires(w))
	}
	l.Current(15*sec, w)
	if l.Count() != 0 || l.Entries() != 0 {
		t.Errorf("after all expired: count %d entries %d", l.Count(), l.Entries())
	}
	if rem, reset := l.Stats(15*sec, w, 7); rem != 7 || reset != 15*sec {
		t.Errorf("empty Stats = %d, %d", rem, reset)
	}
	// The log never holds more entries than it must, so its storage stays
	// bounded by the live hits.
	for i := range int64(10000) {
		l.Current(i*sec, w)
		if l.Allows(10, 1) {
			l.Charge(i*sec, 1)
		}
	}
	if l.Entries() > 10 || cap(l.hits) > 64 {
		t.Errorf("log of a limit of 10 holds %d entries, capacity %d", l.Entries(), cap(l.hits))
	}
	l.Reset()
	if l.Count() != 0 || l.Entries() != 0 {
		t.Error("Reset left hits")
	}
}

func TestSlidingWindowState(t *testing.T) {
	w := 60 * sec
	s := SlidingWindowState{}.Current(10*sec, w)
	s.Charge(3)
	if s.Start != 0 || s.Cur != 3 {
		t.Fatalf("state %+v", s)
	}
	s = s.Current(70*sec, w) // next bucket: 3 previous, ttl 50s
	if s.Start != 60*sec || s.Prev != 3 || s.Cur != 0 {
		t.Fatalf("rolled state %+v", s)
	}
	if got := s.Weighted(70*sec, w); got != 2 { // ⌊3×50/60⌋
		t.Errorf("Weighted = %d, want 2", got)
	}
	// Reset: ⌊3×ttl/60⌋ drops to 1 once 3×ttl < 120, at ttl = 39.999…s,
	// that is at 80s + 1ns.
	if rem, reset := s.Stats(70*sec, w, 5); rem != 3 || reset != 80*sec+1 {
		t.Errorf("Stats = %d, %d", rem, reset)
	}
	if got := s.Current(130*sec, w); got != (SlidingWindowState{Start: 120 * sec}) {
		t.Errorf("two buckets later: %+v", got)
	}
	// A late request (now before Start) is counted as if at Start.
	if got := s.Current(59*sec, w); got != s || s.Weighted(59*sec, w) != 3 {
		t.Errorf("late request: %+v weighted %d", got, s.Weighted(59*sec, w))
	}
	// Negative instants (before 1970) use floor division.
	n := SlidingWindowState{}.Current(-1, w)
	if n.Start != -w {
		t.Errorf("bucket of -1ns starts at %d", n.Start)
	}
	// Huge counts and windows do not overflow: 128-bit weighting.
	big := SlidingWindowState{Start: 0, Prev: math.MaxInt64 / 2, Cur: 0}
	yr := int64(360 * 24 * time.Hour)
	if got := big.Weighted(yr/2, yr); got != math.MaxInt64/4 {
		t.Errorf("big Weighted = %d, want %d", got, int64(math.MaxInt64/4))
	}
	if s.Expires(w) != 120*sec {
		t.Errorf("Expires = %d", s.Expires(w))
	}
}

// TestSlidingResetIsFirstDrop checks Stats' reset against brute force: the
// weighted count is unchanged until reset and lower at reset.
func TestSlidingResetIsFirstDrop(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		w := 1 + r.Int64N(1000)
		s := SlidingWindowState{Start: 0, Prev: r.Int64N(50), Cur: r.Int64N(5)}
		if s.Prev == 0 && s.Cur == 0 {
			continue
		}
		now := r.Int64N(w)
		amount := int64(100)
		rem, reset := s.Stats(now, w, amount)
		if rem != amount-s.Weighted(now, w) {
			t.Fatalf("%+v at %d: remaining %d, weighted %d", s, now, rem, s.Weighted(now, w))
		}
		at := func(i int64) int64 { return s.Current(i, w).Weighted(i, w) }
		base := at(now)
		first := int64(-1)
		for i := now + 1; i <= 2*w+1; i++ {
			if at(i) < base {
				first = i
				break
			}
		}
		k := mulDiv(s.Prev, w-now, w)
		if k == 0 {
			// The previous bucket weighs no whole hit: reset is the bucket end.
			if reset != w {
				t.Fatalf("%+v at %d (window %d): reset %d, want the bucket end %d", s, now, w, reset, w)
			}
			continue
		}
		if reset != first {
			t.Fatalf("%+v at %d (window %d): reset %d, first drop at %d", s, now, w, reset, first)
		}
	}
}

// TestMovingWindowLogAgainstBruteForce compares the log with a plain list
// of hit instants, with out-of-order instants and costs, and checks its
// storage stays within a small multiple of its live entries.
func TestMovingWindowLogAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const w, amount = 1000, 300
	var l MovingWindowLog
	var all []int64 // one instant per hit
	now, last := int64(0), int64(0)
	for step := range 50000 {
		now += r.Int64N(12)
		at := now - r.Int64N(3) // a request that read the clock a little earlier
		cost := r.Int64N(3)
		l.Current(at, w)
		at = max(at, last) // is decided at the latest instant seen
		last = at
		live := int64(0)
		oldest := int64(math.MaxInt64)
		for _, h := range all {
			if h > at-w {
				live++
				oldest = min(oldest, h)
			}
		}
		if l.Count() != live {
			t.Fatalf("step %d: count %d, brute force %d", step, l.Count(), live)
		}
		_, reset := l.Stats(at, w, amount)
		if live > 0 && reset != oldest+w {
			t.Fatalf("step %d: reset %d, want %d", step, reset, oldest+w)
		}
		if l.Allows(amount, cost) != (live+cost <= amount) {
			t.Fatalf("step %d: Allows(%d) with %d live", step, cost, live)
		}
		if l.Allows(amount, cost) {
			l.Charge(at, cost)
			for range cost {
				all = append(all, at)
			}
		}
		if len(all) > 4*amount {
			all = all[len(all)-2*amount:]
		}
		if e := l.Entries(); cap(l.hits) > 16*e+128 {
			t.Fatalf("step %d: capacity %d for %d live entries", step, cap(l.hits), e)
		}
	}
}
