package memory

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// isOpen reports whether the entry of key is open (decided without the
// lock), failing if the store holds no entry for it.
func isOpen(t *testing.T, s *Store, key string) bool {
	t.Helper()
	return entryOf(t, s, key).ctl.Load()&ctlHeld == 0
}

// decideOneFixed hits key with one fixed-window limit and returns the result.
func decideOneFixed(t *testing.T, s *Store, now time.Time, l backends.Limit, charge bool) backends.Result {
	t.Helper()
	req := &backends.Request{Strategy: backends.FixedWindow, Now: now, Limits: []backends.Limit{l}}
	var res [1]backends.Result
	var err error
	if charge {
		_, err = s.Hit(ctx, req, res[:])
	} else {
		_, err = s.Test(ctx, req, res[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

// TestOpenModes: a fixed-window key decided alone is open once its window
// is open, and its count carries over exactly when a lock holder holds it
// (a request of several limits, which pins it, a sweep) and opens it
// again; a key of another strategy, or one with an amount over
// maxOpenCount, stays held.
func TestOpenModes(t *testing.T) {
	s := mustNew(t, Config{})
	t0 := time.Unix(1_800_000_000, 0)
	k := lim("P/{a}/s/10 per 1 minute", 10, time.Minute)
	other := lim("P/{a}/s/other", 10, time.Minute)
	want := func(r backends.Result, allowed bool, remaining int64, reset time.Time) {
		t.Helper()
		if r.Allowed != allowed || r.Remaining != remaining || !r.Reset.Equal(reset) {
			t.Fatalf("got allowed=%v remaining=%d reset=%v, want %v %d %v", r.Allowed, r.Remaining, r.Reset, allowed, remaining, reset)
		}
	}
	end := t0.Add(time.Minute)
	want(decideOneFixed(t, s, t0, k, true), true, 9, end)
	if !isOpen(t, s, k.Key) {
		t.Fatal("a fixed-window key with its window open is held after a decision of one limit")
	}
	want(decideOneFixed(t, s, t0.Add(time.Second), k, true), true, 8, end)
	want(decideOneFixed(t, s, t0.Add(time.Second), k, false), true, 8, end) // a test charges nothing
	if s.Keys() != 1 || !isOpen(t, s, k.Key) {
		t.Fatal("a sweep that keeps the key changed its mode, or lost it")
	}
	// A request of two limits holds the key for good; the count carries over.
	req := &backends.Request{Strategy: backends.FixedWindow, Now: t0.Add(2 * time.Second), Limits: []backends.Limit{k, other}}
	res := make([]backends.Result, 2)
	if ok, err := s.Hit(ctx, req, res); !ok || err != nil {
		t.Fatalf("two limits: %v %v", ok, err)
	}
	want(res[0], true, 7, end)
	if isOpen(t, s, k.Key) {
		t.Fatal("a key decided with another limit is open")
	}
	want(decideOneFixed(t, s, t0.Add(3*time.Second), k, true), true, 6, end)
	if isOpen(t, s, k.Key) {
		t.Fatal("a pinned key opened again")
	}
	// After Clear the key starts afresh, open again.
	if err := s.Clear(ctx, k.Key); err != nil {
		t.Fatal(err)
	}
	want(decideOneFixed(t, s, t0.Add(4*time.Second), k, true), true, 9, t0.Add(4*time.Second+time.Minute))
	if !isOpen(t, s, k.Key) {
		t.Fatal("a cleared key decided alone is held")
	}
	// The window rolls under the lock and opens again.
	for range 9 {
		decideOneFixed(t, s, t0.Add(5*time.Second), k, true)
	}
	want(decideOneFixed(t, s, t0.Add(5*time.Second), k, true), false, 0, t0.Add(4*time.Second+time.Minute))
	later := t0.Add(2 * time.Minute)
	want(decideOneFixed(t, s, later, k, true), true, 9, later.Add(time.Minute))
	if !isOpen(t, s, k.Key) {
		t.Fatal("a key is held after its window rolled")
	}
	// A limit whose amount is over maxOpenCount, or another strategy, stays held.
	huge := lim("P/{b}/s/huge", maxOpenCount+1, time.Minute)
	want(decideOneFixed(t, s, t0, huge, true), true, maxOpenCount, end)
	if isOpen(t, s, huge.Key) {
		t.Fatal("a key whose amount is over maxOpenCount is open")
	}
	sliding := lim("P/{c}/s/sliding", 10, time.Minute)
	hit(t, s, backends.SlidingWindowCounter, t0, sliding)
	if isOpen(t, s, sliding.Key) {
		t.Fatal("a sliding-window key is open")
	}
}

// TestOpenConcurrentExact races decisions made without the lock against
// everything that holds an entry: windows that end every few hundred
// decisions (so the key is held to roll them and opened again), tests,
// sweeps, Clear, hits with another window, and, halfway, requests of two
// limits, which pin the key. No window instance (told by its Reset:
// windows start at distinct instants) may admit more than its amount, and
// every admitted hit must report a Remaining below the amount. Without
// lanes (see lanes), whose Remaining is an estimate, every admitted hit of
// one window must report a distinct Remaining, so no charge is lost or
// counted twice.
func TestOpenConcurrentExact(t *testing.T) {
	for _, lanes := range []bool{false, true} {
		t.Run(fmt.Sprintf("lanes=%v", lanes), func(t *testing.T) {
			s := mustNew(t, Config{})
			s.laneless = !lanes
			openConcurrentExact(t, s, !lanes)
		})
	}
}

func openConcurrentExact(t *testing.T, s *Store, distinct bool) {
	const (
		amount  = 40
		window  = 300 // nanoseconds of the shared clock, which ticks once per decision
		workers = 4
		hits    = 4000
	)
	k := lim("P/{hot}/s/l", amount, window)
	other := lim("P/{hot}/s/other", 1<<40, window)
	var clock atomic.Int64
	clock.Store(1_800_000_000_000_000_000)
	now := func() time.Time { return time.Unix(0, clock.Add(1)) }

	type admitted struct {
		reset     int64
		remaining int64
	}
	var (
		mu   sync.Mutex
		seen []admitted
	)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []admitted
			res := make([]backends.Result, 2)
			for i := range hits {
				var err error
				var r backends.Result
				switch {
				case w == 0 && i%97 == 0:
					_, err = s.Test(ctx, &backends.Request{Now: now(), Limits: []backends.Limit{k}}, res[:1])
					r = res[0]
					if err == nil && r.Remaining < 0 {
						err = fmt.Errorf("test: remaining %d", r.Remaining)
					}
					r.Allowed = false // charged nothing
				case w == 1 && i%211 == 0:
					s.Keys()
				case w == 1 && i%1009 == 0:
					err = s.Clear(ctx, k.Key)
				case w == 2 && i%53 == 0: // another window: held, charged, opened for it
					_, err = s.Hit(ctx, &backends.Request{Now: now(), Limits: []backends.Limit{lim(k.Key, amount, 2*window)}}, res[:1])
					r.Allowed = false // counted in windows of another length
				case w == 3 && i > hits/2 && i%7 == 0:
					_, err = s.Hit(ctx, &backends.Request{Now: now(), Limits: []backends.Limit{k, other}}, res)
					r = res[0]
				default:
					_, err = s.Hit(ctx, &backends.Request{Now: now(), Limits: []backends.Limit{k}}, res[:1])
					r = res[0]
				}
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					mine = append(mine, admitted{r.Reset.UnixNano(), r.Remaining})
				}
			}
			mu.Lock()
			seen = append(seen, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	byWindow := map[int64]map[int64]bool{}
	admittedIn := map[int64]int{}
	for _, a := range seen {
		if a.remaining < 0 || a.remaining >= amount {
			t.Fatalf("an admitted hit reported remaining %d of %d", a.remaining, amount)
		}
		if admittedIn[a.reset]++; admittedIn[a.reset] > amount {
			t.Fatalf("the window ending at %d admitted more than its amount, %d", a.reset, amount)
		}
		if byWindow[a.reset] == nil {
			byWindow[a.reset] = map[int64]bool{}
		}
		if distinct && byWindow[a.reset][a.remaining] {
			t.Fatalf("two admitted hits of the window ending at %d both left %d: a charge was lost", a.reset, a.remaining)
		}
		byWindow[a.reset][a.remaining] = true
	}
	if len(byWindow) < 10 || len(seen) < 10*amount {
		t.Fatalf("only %d windows, %d admitted hits: the test did not exercise rolls", len(byWindow), len(seen))
	}
}

// TestOpenPinnedAfterFreshFirst: a request of several limits pins every
// key it decides, also when an earlier limit's key is new (so the request
// is decided on fresh copies): a key it charged in place stays held when
// next decided alone, as one pinned in the steady state does.
func TestOpenPinnedAfterFreshFirst(t *testing.T) {
	s := mustNew(t, Config{})
	t0 := time.Unix(1_800_000_000, 0)
	old := lim("P/{a}/s/old", 10, time.Minute)
	decideOneFixed(t, s, t0, old, true)
	if !isOpen(t, s, old.Key) {
		t.Fatal("a fixed-window key decided alone is held")
	}
	fresh := lim("P/{a}/s/fresh", 10, time.Minute)
	if !hit(t, s, backends.FixedWindow, t0.Add(time.Second), fresh, old) {
		t.Fatal("two limits with room refused")
	}
	if r := decideOneFixed(t, s, t0.Add(2*time.Second), old, true); !r.Allowed || r.Remaining != 7 {
		t.Fatalf("got allowed=%v remaining=%d, want true 7", r.Allowed, r.Remaining)
	}
	if isOpen(t, s, old.Key) {
		t.Fatal("a key decided in a request of several limits opened again")
	}
}

// TestOpenGenerationChangesOnReopen checks what keeps an open decision from
// charging an entry whose window was rolled while it was between its reads:
// reopening changes the control word even when the count, and all else in
// the word, is what it was, so a compare-and-swap against the word read
// before fails. The generation has 15 bits, so only after 32,768
// reopenings does the word come back: the documented limit.
func TestOpenGenerationChangesOnReopen(t *testing.T) {
	e := newEntry(backends.Key(backends.DefaultPrefix, "10.0.0.1", "s", "5 per 1 minute"), 3)
	e.setHeld(backends.FixedWindow, 0)
	e.setWindow(int64(time.Minute))
	e.setFixed(backends.FixedWindowState{Start: 1000, Count: 2})
	e.release(5)
	before := e.ctl.Load()
	if before&ctlHeld != 0 {
		t.Fatal("the entry did not open")
	}
	// A lock holder rolls the window to one of the same count.
	e.hold()
	e.setFixed(backends.FixedWindowState{Start: 2000, Count: 2})
	e.release(5)
	after := e.ctl.Load()
	if after == before {
		t.Fatalf("reopened with another window, the control word is unchanged (%#x): a decision that read the old start could charge it", after)
	}
	if after&ctlCountMask != 2 || e.shard() != 3 {
		t.Fatalf("reopened word %#x: want count 2 in shard 3", after)
	}
	if e.ctl.CompareAndSwap(before, before+1) {
		t.Fatal("a charge against the word read before the roll succeeded")
	}
	for range 1<<15 - 1 {
		e.hold()
		e.release(5)
	}
	if got := e.ctl.Load(); got != before {
		t.Fatalf("after 32,768 reopenings the word is %#x, want it back at %#x (the generation's 15 bits wrap)", got, before)
	}
}
