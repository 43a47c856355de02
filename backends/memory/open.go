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
// A decision whose compare-and-swap fails twice gives e lanes (see lanes),
// and from then on charges spend and lease the tokens of its P's lane.
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
	charge = charge && l.Cost > 0
	var ls *lanes
	if charge {
		if sd := e.side.Load(); sd != nil {
			ls = sd.lanes
		}
	}
	cost := uint64(l.Cost)
	contended := false
	var (
		w   uint64
		st  backends.FixedWindowState
		win int64
	)
	for {
		w = e.ctl.Load()
		if w&ctlHeld != 0 {
			return false, false
		}
		st = backends.FixedWindowState{Start: e.start.Load(), Count: int64(w & ctlCountMask)}
		win = e.window.Load()
		if win != int64(l.Window) || st.Current(now, win).Count == 0 {
			return false, false
		}
		if ls != nil {
			admitted, again := e.hitLane(ls.mine(), ls, w, l)
			if again {
				continue
			}
			if admitted >= 0 {
				st.Count, ok = admitted, true
				break
			}
		}
		ok = st.Allows(l.Amount, l.Cost)
		if ok && charge {
			// Count+Cost ≤ Amount ≤ maxOpenCount: the sum stays in the count's bits.
			if !e.ctl.CompareAndSwap(w, w+cost) {
				if contended && ls == nil && !s.laneless {
					ls = e.attachLanes()
				}
				contended = true
				continue
			}
			st.Count += l.Cost
		} else if (!ok || !charge) && w&ctlLeased != 0 {
			// A refusal, or a test's Remaining, needs the admitted hits, which
			// the count overstates by what the lanes hold: drain them under the
			// lock.
			return false, false
		} else if e.ctl.Load() != w {
			continue
		}
		break
	}
	s.shards[w&ctlShardMask>>ctlShardShift].noteNowOpen(now)
	rem, reset := st.Stats(now, win, l.Amount)
	r.Allowed, r.Remaining, r.Reset = ok, rem, time.Unix(0, reset)
	return ok, true
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
