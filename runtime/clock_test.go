package runtime

import (
	"testing"
	"time"
)

func TestNowFollowsTheWallClock(t *testing.T) {
	prev := Now()
	for range 1000 {
		before := time.Now()
		n := Now()
		after := time.Now()
		if n.Before(prev) {
			t.Fatalf("now went backwards: %v after %v", n, prev)
		}
		// now and time.Now share the base's monotonic clock, so n lies
		// between two readings of time.Now up to the base's own offset.
		if n.Sub(before) < -time.Millisecond || after.Sub(n) < -time.Millisecond {
			t.Fatalf("now %v is not between %v and %v", n, before, after)
		}
		prev = n
	}
}

func TestNowRebases(t *testing.T) {
	old := clockBase.Load()
	defer clockBase.Store(old)
	// A base older than rebaseEvery is replaced by a fresh time.Now, so a
	// stepped wall clock is followed within rebaseEvery.
	stale := newBase(time.Now().Add(-rebaseEvery - time.Second))
	clockBase.Store(stale)
	n := Now()
	if d := time.Since(n); d < 0 || d > time.Second {
		t.Fatalf("after a stale base, now is %v from time.Now", d)
	}
	if clockBase.Load() == stale {
		t.Fatal("now did not replace a stale base")
	}
}

func BenchmarkNow(b *testing.B) {
	var t time.Time
	for b.Loop() {
		t = Now()
	}
	_ = t
}

func BenchmarkTimeNow(b *testing.B) {
	var t time.Time
	for b.Loop() {
		t = time.Now()
	}
	_ = t
}
