package runtime

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// CoarseClock is a clock read from memory: a goroutine advances it every
// resolution, so reading it costs an atomic load (a few nanoseconds)
// instead of a clock read (about 25 ns on a virtual machine, a sixth of the
// limiter's own cost per request). Its instants lag the real time by up to
// one resolution and never go backwards; a window may therefore start, end
// and be reported up to one resolution late, which is why the resolution is
// at most a second and a millisecond is the usual choice. The goroutine
// wakes once per resolution whether or not requests arrive (a thousand
// wake-ups a second at a millisecond, a small fraction of one core); Stop
// ends it. On a machine so busy that the goroutine waits to be scheduled,
// the lag grows by that wait (the Go scheduler bounds it at about 10 ms of
// a busy goroutine's time slice), which is why the precise clock stays the
// default. A CoarseClock is safe for concurrent use; its Now can be given
// to several limiters with WithClock. WithCoarseClock makes one owned by
// the limiter.
type CoarseClock struct {
	ns   atomic.Int64 // the current instant, Unix nanoseconds
	stop chan struct{}
	once sync.Once
	done chan struct{}
}

// NewCoarseClock starts a clock advanced every resolution, which must be
// positive and at most a second.
func NewCoarseClock(resolution time.Duration) (*CoarseClock, error) {
	if resolution <= 0 || resolution > time.Second {
		return nil, fmt.Errorf("runtime: coarse clock resolution %v: want more than 0 and at most 1s", resolution)
	}
	c := &CoarseClock{stop: make(chan struct{}), done: make(chan struct{})}
	c.ns.Store(Now().UnixNano())
	t := time.NewTicker(resolution)
	go func() {
		defer close(c.done)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				c.advance(Now().UnixNano())
			case <-c.stop:
				return
			}
		}
	}()
	return c, nil
}

// advance moves the clock to ns, unless it is already later.
func (c *CoarseClock) advance(ns int64) {
	for {
		old := c.ns.Load()
		if ns <= old || c.ns.CompareAndSwap(old, ns) {
			return
		}
	}
}

// Now returns the clock's current instant (without a monotonic reading).
func (c *CoarseClock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// Stop ends the goroutine that advances the clock and waits for it; the
// clock then stands still. Stop may be called more than once.
func (c *CoarseClock) Stop() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}
