package memory

import (
	"time"

	"github.com/limitgen/limitgen/backends"
)

// hitOpen decides l at now on e without a lock when e is open (see entry)
// and the decision neither opens nor rolls its window: it reads the count,
// start and window, and charges with one compare-and-swap of e's control
// word, which fails, and the decision starts over, if another charged
// first or a lock holder held e meanwhile. It reports done = false, having
// charged nothing, when the decision needs the shard's lock: e is held,
// the window has ended, the limit's window is not the one e was charged
// with, its amount is over maxOpenCount, or it would refuse, or charges
// nothing, while e's lanes may hold part of its count.
//
// A decision whose compare-and-swap fails twice gives e lanes (see lanes).
// A charge uses e's lanes, spending and leasing the tokens of its P's
// lane, while the opening has leased, or once its compare-and-swap fails;
// otherwise it leaves e's side alone, so that a key never contended pays
// nothing for lanes.
//
// A decision that charges nothing (refused, a test, a cost of 0) reads the
// control word again after start and window and starts over if it
// changed, so its answer is that of one instant too. The generation in the
// control word tells one opening of e from the next: a decision would
// only be confused if e were held and opened again 32,768 times while it
// was between two of its reads.
func (s *Store) hitOpen(e *entry, l *backends.Limit, r *backends.Result, now int64, charge bool) (ok, done bool) {
	if l.Amount > maxOpenCount {
		return false, false
	}
	contended := false
	for {
		// openWindow, written out: the call, which the compiler does not
		// inline, costs a serial decision 1.5 ns.
		w := e.ctl.Load()
		if w&ctlHeld != 0 {
			return false, false
		}
		st := backends.FixedWindowState{Start: e.start.Load(), Count: int64(w & ctlCountMask)}
		win := e.window.Load()
		if win != int64(l.Window) || st.Current(now, win).Count == 0 {
			return false, false
		}
		if w&ctlLeased != 0 && charge && l.Cost > 0 {
			return s.hitLanes(e, e.lanes(), l, r, now) // this opening leased: e has lanes
		}
		ok = st.Allows(l.Amount, l.Cost)
		if ok && charge && l.Cost > 0 {
			// Count+Cost ≤ Amount ≤ maxOpenCount: the sum stays in the count's bits.
			if !e.ctl.CompareAndSwap(w, w+uint64(l.Cost)) {
				if !s.laneless {
					// Lanes e was given earlier at once, new ones at the
					// second failure.
					ls := e.lanes()
					if ls == nil && contended {
						ls = e.attachLanes()
					}
					if ls != nil {
						return s.hitLanes(e, ls, l, r, now)
					}
				}
				contended = true
				continue
			}
			st.Count += l.Cost
		} else if w&ctlLeased != 0 {
			// A refusal, or a test's Remaining, needs the admitted hits,
			// which the count overstates by what the lanes hold: drain them
			// under the lock.
			return false, false
		} else if e.ctl.Load() != w {
			continue
		}
		s.shards[w&ctlShardMask>>ctlShardShift].noteNowOpen(now)
		rem, reset := st.Stats(now, win, l.Amount)
		r.Allowed, r.Remaining, r.Reset = ok, rem, time.Unix(0, reset)
		return ok, true
	}
}

// hitLanes is hitOpen for a charge (a cost above 0) of e, which has lanes
// ls: it spends or leases the tokens of its P's lane (see hitLane), else
// charges the count alone, else, to refuse, leaves the decision to the
// lock.
func (s *Store) hitLanes(e *entry, ls *lanes, l *backends.Limit, r *backends.Result, now int64) (ok, done bool) {
	if ls == nil { // a leased opening has lanes; the lock copes either way
		return false, false
	}
	for {
		w, st, win, open := e.openWindow(l, now)
		if !open {
			return false, false
		}
		admitted, again := e.hitLane(ls.mine(), ls, w, l)
		if again {
			continue
		}
		ok = true
		switch {
		case admitted >= 0:
			st.Count = admitted
		case !st.Allows(l.Amount, l.Cost):
			if w&ctlLeased != 0 {
				return false, false // as in hitOpen
			}
			if e.ctl.Load() != w {
				continue
			}
			ok = false
		case !e.ctl.CompareAndSwap(w, w+uint64(l.Cost)):
			continue
		default:
			st.Count += l.Cost
		}
		s.shards[w&ctlShardMask>>ctlShardShift].noteNowOpen(now)
		rem, reset := st.Stats(now, win, l.Amount)
		r.Allowed, r.Remaining, r.Reset = ok, rem, time.Unix(0, reset)
		return ok, true
	}
}

// openWindow reads e's control word w, and the window's state st and
// length win, for a decision of l at now without the lock; open is false
// when it needs the lock instead: e is held, l's window is not the one e
// was charged with, or the window has ended.
func (e *entry) openWindow(l *backends.Limit, now int64) (w uint64, st backends.FixedWindowState, win int64, open bool) {
	w = e.ctl.Load()
	if w&ctlHeld != 0 {
		return w, st, 0, false
	}
	st = backends.FixedWindowState{Start: e.start.Load(), Count: int64(w & ctlCountMask)}
	win = e.window.Load()
	return w, st, win, win == int64(l.Window) && st.Current(now, win).Count != 0
}

// hitLane charges l to e, open with control word w, from ln, the caller's
// lane of ls: it spends the lane's tokens of w's opening if they cover
// l.Cost, else leases more (see lanes) when enough of the amount is left.
// It returns the hits the window has admitted, an estimate that counts
// what other lanes hold as admitted (at least l.Cost), or -1 when it charged
// nothing and the caller should decide without lanes. again is set when
// the lane or the control word changed under it, and the caller should
// start over.
func (e *entry) hitLane(ln *lane, ls *lanes, w uint64, l *backends.Limit) (admitted int64, again bool) {
	cost := uint64(l.Cost)
	count := int64(w & ctlCountMask)
	lw := ln.w.Load()
	var keep uint64 // the lane's tokens of this opening
	if lw&(lanePending|ctlGenMask) == w&ctlGenMask {
		keep = lw & ctlCountMask
		// The tokens were leased against the amount of the limit that
		// leased them; this request's may be smaller (a caller may decide
		// one key with several amounts). The count less this lane's
		// tokens bounds the admitted hits from above.
		if keep >= cost && count-int64(keep)+l.Cost <= l.Amount {
			if !ln.w.CompareAndSwap(lw, lw-cost) {
				return 0, true
			}
			// The count only grows within an opening, so one read after the
			// spend bounds the hits admitted at the spend from above; w's may
			// be older than other lanes' spends that preceded this one.
			if w2 := e.ctl.Load(); w2&(ctlHeld|ctlGenMask) == w&(ctlHeld|ctlGenMask) {
				count = int64(w2 & ctlCountMask)
			}
			return max(count-int64(keep-cost), l.Cost), false
		}
	}
	extra := ls.leaseExtra(l.Amount, count, l.Cost)
	if extra <= 0 || lw&lanePending != 0 {
		return -1, false
	}
	// Mark the lane, add the lease to the count, then fill the lane.
	gen := w & ctlGenMask
	if !ln.w.CompareAndSwap(lw, lanePending|gen|keep) {
		return 0, true
	}
	if !e.ctl.CompareAndSwap(w, (w+cost+uint64(extra))|ctlLeased) {
		ln.w.Store(lw)
		return 0, true
	}
	ln.w.Store(gen | (keep + uint64(extra)))
	return max(count-int64(keep), 0) + l.Cost, false
}

// attachLanes gives e lanes, unless it has them already, holds a
// moving-window log (it is held and no longer a fixed window: the log is
// the lock holder's), or there is one P, and returns e's lanes (nil for
// none).
func (e *entry) attachLanes() *lanes {
	old := e.side.Load()
	if old != nil && (old.lanes != nil || old.logged) {
		return old.lanes
	}
	ls := newLanes()
	if ls == nil {
		return nil
	}
	if e.side.CompareAndSwap(old, &side{lanes: ls}) {
		return ls
	}
	if cur := e.side.Load(); cur != nil {
		return cur.lanes
	}
	return nil
}
