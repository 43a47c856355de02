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
// changed nothing, when the decision needs the shard's lock: e is held,
// the window has ended, the limit's window is not the one e was charged
// with, or its amount is over maxOpenCount.
//
// A decision that charges nothing (refused, a test, a cost of 0) reads the
// control word again after start and window and starts over if it
// changed, so its answer is that of one instant too. The generation in the
// control word tells one opening of e from the next: a decision would
// only be confused if e were held and opened again 65,536 times while it
// was between two of its reads.
func (s *Store) hitOpen(e *entry, l *backends.Limit, r *backends.Result, now int64, charge bool) (ok, done bool) {
	if l.Amount > maxOpenCount {
		return false, false
	}
	for {
		w := e.ctl.Load()
		if w&ctlHeld != 0 {
			return false, false
		}
		st := backends.FixedWindowState{Start: e.start.Load(), Count: int64(w & ctlCountMask)}
		win := e.window.Load()
		if win != int64(l.Window) || st.Current(now, win).Count == 0 {
			return false, false
		}
		ok = st.Allows(l.Amount, l.Cost)
		if ok && charge && l.Cost > 0 {
			// Count+Cost ≤ Amount ≤ maxOpenCount: the sum stays in the count's bits.
			if !e.ctl.CompareAndSwap(w, w+uint64(l.Cost)) {
				continue
			}
			st.Count += l.Cost
		} else if e.ctl.Load() != w {
			continue
		}
		s.shards[w&ctlShardMask>>ctlShardShift].noteNowOpen(now)
		rem, reset := st.Stats(now, win, l.Amount)
		r.Allowed, r.Remaining, r.Reset = ok, rem, time.Unix(0, reset)
		return ok, true
	}
}
