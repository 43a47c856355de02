package memory

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// entryOf returns key's entry, failing if the store holds none.
func entryOf(t *testing.T, s *Store, key string) *entry {
	t.Helper()
	h, i := s.locate(key)
	sh := &s.shards[i]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.t.get(h, key)
	if e == nil {
		t.Fatalf("no entry for %q", key)
	}
	return e
}

// giveLanes gives key's entry, open, n lanes, as contention would, and
// marks its opening leased (with nothing in the lanes yet), so that its
// next charges use them; it returns the lanes.
func giveLanes(t *testing.T, s *Store, key string, n int) *lanes {
	t.Helper()
	ls := newLanesOf(n)
	e := entryOf(t, s, key)
	e.side.Store(&side{lanes: ls})
	for {
		w := e.ctl.Load()
		if w&ctlHeld != 0 {
			t.Fatalf("the entry of %q is held", key)
		}
		if e.ctl.CompareAndSwap(w, w|ctlLeased) {
			return ls
		}
	}
}

// laned returns a store that has decided key P/{c}/s/l once, at now,
// with a limit of amount per window at cost, the key's entry then given n
// lanes as contention would.
func laned(t *testing.T, amount int64, window time.Duration, cost int64, n int) (*Store, time.Time, backends.Limit, *lanes) {
	t.Helper()
	s := mustNew(t, Config{})
	now := time.Unix(1_800_000_000, 0)
	l := lim("P/{c}/s/l", amount, window)
	l.Cost = cost
	decideOneFixed(t, s, now, l, true)
	if !isOpen(t, s, l.Key) {
		t.Fatal("the key did not open")
	}
	return s, now, l, giveLanes(t, s, l.Key, n)
}

// tokens returns the tokens ls holds for the opening of generation gen.
func (ls *lanes) tokens(gen uint64) int64 {
	var n int64
	for i := range ls.l {
		if w := ls.l[i].w.Load(); w&(lanePending|ctlGenMask) == gen {
			n += int64(w & ctlCountMask)
		}
	}
	return n
}

// TestLanesLeaseSpendAndDrain follows one key's lanes serially: a charge
// leases beyond its cost, the count then holds the lease, a test drains
// the lanes and answers exactly, an uncontended charge then leaves the
// lanes alone, and the window admits exactly its amount.
func TestLanesLeaseSpendAndDrain(t *testing.T) {
	s, now, l, ls := laned(t, 100, time.Hour, 1, 4)
	e := entryOf(t, s, l.Key)

	res := decideOneFixed(t, s, now, l, true)
	w := e.ctl.Load()
	extra := ls.leaseExtra(100, 1, 1) // (100-1-1)/(4×4) = 6
	if extra != 6 || !res.Allowed || w&ctlLeased == 0 || int64(w&ctlCountMask) != 2+extra {
		t.Fatalf("after a leasing charge: allowed %v, word %#x; want a lease of 6 making the count 8", res.Allowed, w)
	}
	if got := ls.tokens(w & ctlGenMask); got != extra {
		t.Fatalf("the lanes hold %d tokens, want the lease's %d", got, extra)
	}
	if res.Remaining > 98 || res.Remaining < 98-3*maxLease {
		t.Fatalf("remaining %d; want 98, or less by what other lanes hold", res.Remaining)
	}

	// A test drains the lanes under the lock and answers exactly.
	if res := decideOneFixed(t, s, now, l, false); !res.Allowed || res.Remaining != 98 {
		t.Fatalf("a test after the lease: allowed %v, remaining %d; want true, 98", res.Allowed, res.Remaining)
	}
	if w := e.ctl.Load(); w&ctlHeld != 0 || w&ctlLeased != 0 || w&ctlCountMask != 2 {
		t.Fatalf("after the test the word is %#x; want it open again with count 2 and no lease", w)
	}
	if got := ls.tokens(e.ctl.Load() & ctlGenMask); got != 0 {
		t.Fatalf("the lanes hold %d tokens after the drain", got)
	}
	// Uncontended, the next opening charges the count alone, exactly.
	if res := decideOneFixed(t, s, now, l, true); res.Remaining != 97 || e.ctl.Load()&ctlLeased != 0 {
		t.Fatalf("an uncontended charge after the drain: remaining %d, word %#x; want 97 and no lease", res.Remaining, e.ctl.Load())
	}

	admitted := 3
	for range 200 {
		if decideOneFixed(t, s, now, l, true).Allowed {
			admitted++
		}
	}
	if admitted != 100 {
		t.Fatalf("the window admitted %d, want its amount, 100", admitted)
	}
	if res := decideOneFixed(t, s, now, l, false); res.Allowed || res.Remaining != 0 {
		t.Fatalf("a test at the amount: allowed %v, remaining %d; want false, 0", res.Allowed, res.Remaining)
	}
}

// TestLanesAdmitExactlyUnderContention: G goroutines × N charges of cost c
// against one key with lanes admit exactly min(G×N, amount/c), and a test
// afterwards reports the exact remaining.
func TestLanesAdmitExactlyUnderContention(t *testing.T) {
	const g, n = 8, 200
	for _, c := range []struct {
		name         string
		amount, cost int64
	}{
		{"over", 1000, 1},
		{"under", 5000, 1},
		{"over, cost 3", 1000, 3},
		{"under, cost 3", 5000, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, now, l, _ := laned(t, c.amount, time.Hour, c.cost, 4)
			e := entryOf(t, s, l.Key)
			req := &backends.Request{Strategy: backends.FixedWindow, Now: now, Limits: []backends.Limit{l}}
			got := 1 + backendtest.CountAdmitted(t, g, n, []backends.Storage{s}, func(int) *backends.Request { return req })
			want := min(g*n+1, c.amount/c.cost)
			if got != want {
				t.Fatalf("admitted %d, want %d", got, want)
			}
			if want < c.amount/c.cost && e.ctl.Load()&ctlLeased == 0 {
				t.Fatal("below its amount, the key holds no lease: the lanes were not used")
			}
			res := decideOneFixed(t, s, now, l, false)
			if rem := c.amount - want*c.cost; res.Remaining != rem {
				t.Fatalf("a test after the run: remaining %d, want %d", res.Remaining, rem)
			}
		})
	}
}

// TestDrainWaitsForLeaseInFlight: a lock holder holding an entry while a
// lease into one of its lanes is between the count and the lane waits for
// the lane, so the admitted count it takes is exact; tokens of another
// opening count for nothing.
func TestDrainWaitsForLeaseInFlight(t *testing.T) {
	e := newEntry("P/{c}/s/l", 0)
	e.setHeld(backends.FixedWindow, 0)
	e.setWindow(int64(time.Minute))
	e.setFixed(backends.FixedWindowState{Start: 1000, Count: 5})
	e.release(100)
	ls := newLanesOf(2)
	e.side.Store(&side{lanes: ls})
	w := e.ctl.Load()
	gen := w & ctlGenMask

	stale := (gen + 1<<ctlGenShift) & ctlGenMask
	ls.l[0].w.Store(stale | 50) // left by another opening
	// A lease of cost 1 and 7 more: the lane is marked, the count grown.
	ls.l[1].w.Store(lanePending | gen)
	if !e.ctl.CompareAndSwap(w, (w+8)|ctlLeased) {
		t.Fatal("the lease's compare-and-swap failed")
	}
	done := make(chan struct{})
	go func() {
		e.hold()
		close(done)
	}()
	for range 1000 {
		runtime.Gosched()
		select {
		case <-done:
			t.Fatal("hold returned while a lease was in flight")
		default:
		}
	}
	ls.l[1].w.Store(gen | 7) // the lease fills its lane
	<-done
	if e.cur != 6 {
		t.Fatalf("held with count %d, want 6: the 5 before, the lease's charge, not its 7 tokens nor the stale 50", e.cur)
	}
	for i := range ls.l {
		if w := ls.l[i].w.Load(); w != 0 {
			t.Fatalf("lane %d holds %#x after the drain", i, w)
		}
	}
}

// TestLanesWindowRoll: the window after one whose charges leased tokens
// starts from the charge that rolls it; the roll drains the tokens.
func TestLanesWindowRoll(t *testing.T) {
	s, now, l, ls := laned(t, 1000, time.Minute, 1, 4)
	for range 10 {
		decideOneFixed(t, s, now, l, true)
	}
	e := entryOf(t, s, l.Key)
	if ls.tokens(e.ctl.Load()&ctlGenMask) == 0 {
		t.Fatal("no tokens leased")
	}
	later := now.Add(time.Minute)
	if res := decideOneFixed(t, s, later, l, true); !res.Allowed || res.Remaining != 999 {
		t.Fatalf("the first charge of the next window: allowed %v, remaining %d; want true, 999", res.Allowed, res.Remaining)
	}
	if res := decideOneFixed(t, s, later, l, false); res.Remaining != 999 {
		t.Fatalf("a test in the next window: remaining %d, want 999", res.Remaining)
	}
}

// TestAttachLanes: lanes come with more than one P, once per entry, and
// not to an entry with a moving-window log (held by a lock holder who
// switched its strategy); the state an entry takes keeps its lanes.
func TestAttachLanes(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	e := newEntry("P/{c}/s/l", 0)
	if ls := e.attachLanes(); ls != nil || e.side.Load() != nil {
		t.Fatal("lanes with one P")
	}
	runtime.GOMAXPROCS(3)
	log := e.newLog()
	if ls := e.attachLanes(); ls != nil || e.log() != log {
		t.Fatal("lanes given to an entry with a moving-window log, or the log lost")
	}
	var fixed entry // the scratch of a fixed window: no log
	e.adoptLog(&fixed)
	if e.log() != nil {
		t.Fatal("taking a fixed window's state kept the log")
	}
	ls := e.attachLanes()
	if ls == nil || len(ls.l) != 3 {
		t.Fatalf("with 3 Ps: lanes %v, want 3", ls)
	}
	if e.attachLanes() != ls {
		t.Fatal("a second attach replaced the lanes")
	}
	var moving entry
	moving.newLog().Charge(5, 1)
	e.adoptLog(&moving)
	if e.side.Load().lanes != ls || e.log() == nil || e.log().Count() != 1 {
		t.Fatal("taking a moving window's state dropped the lanes, or lost the log")
	}
	e.adoptLog(&fixed)
	if e.side.Load().lanes != ls || e.log() != nil {
		t.Fatal("taking a fixed window's state again dropped the lanes, or kept the log")
	}
}

// TestLaneSpendHonoursItsAmount: tokens leased by a limit of 1000 are not
// spent by a request of the same key and window whose amount, 10, the
// admitted hits already reach.
func TestLaneSpendHonoursItsAmount(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one P: every charge in lane 0
	s, now, big, ls := laned(t, 1000, time.Hour, 1, 4)
	for range 49 {
		if !decideOneFixed(t, s, now, big, true).Allowed {
			t.Fatal("refused under 1000")
		}
	}
	if ls.tokens(entryOf(t, s, big.Key).ctl.Load()&ctlGenMask) == 0 {
		t.Fatal("no tokens leased")
	}
	small := big
	small.Amount = 10
	if res := decideOneFixed(t, s, now, small, true); res.Allowed {
		t.Fatalf("a limit of 10 admitted a 51st hit (remaining %d)", res.Remaining)
	}
	if res := decideOneFixed(t, s, now, big, false); res.Remaining != 950 {
		t.Fatalf("a test after 50 hits: remaining %d, want 950", res.Remaining)
	}
}

// TestLaneHoldsAtMostLeasePlusCost: a lane never holds more than maxLease
// plus the cost less one, the bound the understatement of Remaining is
// documented with.
func TestLaneHoldsAtMostLeasePlusCost(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s, now, l, ls := laned(t, 100_000, time.Hour, 20, 2)
	e := entryOf(t, s, l.Key)
	most := int64(0)
	for range 40 {
		decideOneFixed(t, s, now, l, true)
		most = max(most, ls.tokens(e.ctl.Load()&ctlGenMask))
	}
	if most > maxLease+l.Cost-1 || most <= maxLease {
		t.Fatalf("a lane held at most %d tokens; want more than maxLease (%d), as a cost of 20 leaves some, but at most %d", most, maxLease, maxLease+l.Cost-1)
	}
}

// TestLanesSurviveStateChanges races attachLanes, made without the lock,
// with a lock holder replacing a fresh entry's side (a moving window's log
// coming and going), many times: once an entry has lanes, it keeps them,
// as the decisions that found them keep using them.
func TestLanesSurviveStateChanges(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	var fixed, moving entry
	moving.newLog().Charge(5, 1)
	lost := 0
	for range 2000 {
		e := newEntry("P/{c}/s/l", 0)
		var wg sync.WaitGroup
		var attached *lanes
		start := make(chan struct{})
		wg.Go(func() { // the lock holder
			<-start
			for i := range 8 {
				if i%4 == 1 {
					e.adoptLog(&moving)
				} else {
					e.adoptLog(&fixed)
				}
			}
		})
		wg.Go(func() { // a decision that found the key contended
			<-start
			for range 8 {
				if attached = e.attachLanes(); attached != nil {
					return
				}
			}
		})
		close(start)
		wg.Wait()
		if sd := e.side.Load(); attached != nil && (sd == nil || sd.lanes != attached) {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of 2000 entries lost the lanes a decision attached", lost)
	}
}

// TestLanesDrainUnderContention: charges from more goroutines than lanes
// (GOMAXPROCS 4 over 2 lanes, so Ps share them) while another goroutine
// keeps testing the key, so holds and drains race with leases in flight
// and leases give their lanes back when the count changed under them.
// The window admits exactly its amount. (Were a lease that failed not to
// give its lane back, drain would wait forever and the test time out.)
func TestLanesDrainUnderContention(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, cost := range []int64{1, 3} {
		s, now, l, _ := laned(t, 6000, time.Hour, cost, 2)
		stop := make(chan struct{})
		var tester sync.WaitGroup
		tester.Go(func() {
			req := &backends.Request{Strategy: backends.FixedWindow, Now: now, Limits: []backends.Limit{l}}
			var res [1]backends.Result
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Test(ctx, req, res[:]); err != nil {
					t.Error(err)
					return
				}
			}
		})
		req := &backends.Request{Strategy: backends.FixedWindow, Now: now, Limits: []backends.Limit{l}}
		admitted := 1 + backendtest.CountAdmitted(t, 8, 1500, []backends.Storage{s}, func(int) *backends.Request { return req })
		close(stop)
		tester.Wait()
		if want := min(8*1500+1, 6000/cost); admitted != want {
			t.Fatalf("cost %d: admitted %d, want %d", cost, admitted, want)
		}
		if res := decideOneFixed(t, s, now, l, false); res.Remaining != 6000-admitted*cost {
			t.Fatalf("cost %d: a test after the run: remaining %d, want %d", cost, res.Remaining, 6000-admitted*cost)
		}
	}
}

// TestLaneSpendNeverOverstatesRemaining: a spend whose control word was
// read before another lane leased and spent reports the admitted hits from
// the count as it stands after the spend, so its Remaining reads low (by
// what the other lane holds), not high.
func TestLaneSpendNeverOverstatesRemaining(t *testing.T) {
	s, _, l, ls := laned(t, 1000, time.Hour, 1, 2)
	e := entryOf(t, s, l.Key)
	w := e.ctl.Load() // count 1
	gen := w & ctlGenMask
	w = (w + 10) | ctlLeased // lane 0 leased 10 tokens
	e.ctl.Store(w)
	ls.l[0].w.Store(gen | 10)
	// After the spend read w: lane 1 leased 20 and spent 5 of them.
	e.ctl.Store(w + 20)
	ls.l[1].w.Store(gen | 15)
	admitted, again := e.hitLane(&ls.l[0], ls, w, &l)
	if again || admitted < 0 {
		t.Fatalf("hitLane: %d, again %v; want a spend", admitted, again)
	}
	// 1 before, 5 from lane 1, 1 now: 7. Counting lane 1's 15 as
	// admitted, the estimate may say up to 22, never less than 7.
	if admitted < 7 || admitted > 22 {
		t.Fatalf("estimated %d admitted hits, want 7 to 22", admitted)
	}
}
