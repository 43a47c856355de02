package runtime

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCoarseClockAdvances checks that the clock follows the real time
// within its resolution (plus scheduling slack) and that Stop ends its
// goroutine.
func TestCoarseClockAdvances(t *testing.T) {
	c, err := NewCoarseClock(time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	start := c.Now()
	// Wait, by polling the clock itself, until it has moved: a ticker of a
	// millisecond has fired many times within the deadline.
	deadline := time.Now().Add(5 * time.Second)
	for !c.Now().After(start) {
		if time.Now().After(deadline) {
			t.Fatal("the coarse clock did not advance within 5s")
		}
		time.Sleep(time.Millisecond)
	}
	if d := time.Since(c.Now()); d < -time.Millisecond || d > time.Second {
		t.Fatalf("the coarse clock is %v behind the real time", d)
	}
	c.Stop()
	c.Stop() // twice is fine
	select {
	case <-c.done: // the goroutine that advances the clock has ended
	default:
		t.Fatal("Stop returned while the clock's goroutine runs")
	}
}

func TestCoarseClockNeverGoesBack(t *testing.T) {
	c, err := NewCoarseClock(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	now := c.Now().UnixNano()
	c.advance(now - int64(time.Hour))
	if got := c.Now().UnixNano(); got != now {
		t.Fatalf("advance to an earlier instant moved the clock from %d to %d", now, got)
	}
	c.advance(now + 5)
	if got := c.Now().UnixNano(); got != now+5 {
		t.Fatalf("advance to a later instant: %d, want %d", got, now+5)
	}
}

func TestCoarseClockResolutionChecked(t *testing.T) {
	for _, r := range []time.Duration{0, -time.Millisecond, 2 * time.Second} {
		if _, err := NewCoarseClock(r); err == nil || !strings.Contains(err.Error(), r.String()) {
			t.Errorf("NewCoarseClock(%v): error %v, want one quoting the resolution", r, err)
		}
		if _, err := New(WithCoarseClock(r)); err == nil || !strings.Contains(err.Error(), r.String()) {
			t.Errorf("WithCoarseClock(%v): error %v, want one quoting the resolution", r, err)
		}
	}
	if _, err := New(WithCoarseClock(time.Millisecond), WithClock(time.Now)); err == nil {
		t.Error("WithCoarseClock with WithClock: no error")
	}
}

// TestWithCoarseClockLimits checks that a limiter on a coarse clock decides
// as usual and that Close stops its clock.
func TestWithCoarseClockLimits(t *testing.T) {
	l, err := New(WithDefaultLimits("2 per minute"), WithCoarseClock(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := l.Mount(mux, &Group{Name: "app", Routes: []Route{{Endpoint: "a", Pattern: "/a", Handler: answer}}}); err != nil {
		t.Fatal(err)
	}
	var codes []int
	for range 3 {
		codes = append(codes, get(mux, "/a").Code)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Fatalf("2 per minute on a coarse clock: %v, want 200 200 429", codes)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.coarse.done:
	default:
		t.Fatal("Close did not stop the coarse clock")
	}
}
