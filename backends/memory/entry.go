package memory

import (
	"sync/atomic"

	"github.com/limitgen/limitgen/backends"
)

// entry is one key's counter, 64 bytes: one cache line. It is in one of
// two modes, told by its control word ctl:
//
//   - held: guarded by its shard's lock, like every entry of the moving and
//     sliding strategies. Its state is start, window, prev, cur and the log
//     in its side; ctl says which strategy's state is live (a key used with
//     another strategy starts afresh with it), whether the entry has left
//     its table, and whether it is pinned (kept held, see pin).
//   - open: a fixed-window entry with a window open, decided by requests of
//     one limit. Its count lives in ctl, so that such a decision, unless it
//     opens or rolls the window, charges it with one compare-and-swap and
//     no lock (see Store.hitOpen); when contended, its decisions spend
//     tokens leased to lanes instead (see lanes). start and window do not
//     change while it is open.
//
// A shard's lock holder turns an open entry held (hold) before reading or
// writing its state, and may open it again (release). key and the shard
// index in ctl never change once the entry is in its table, so the memo's
// readers may read them without the lock.
type entry struct {
	key    string
	ctl    atomic.Uint64 // the mode and its fields; see the ctl constants
	start  atomic.Int64  // FixedWindowState.Start or SlidingWindowState.Start; written only while held
	window atomic.Int64  // nanoseconds, of the last charge; written only while held
	prev   int64         // SlidingWindowState.Prev; guarded by the shard's lock
	cur    int64         // FixedWindowState.Count or SlidingWindowState.Cur while held; guarded by the lock
	side   atomic.Pointer[side]
}

// side is what an entry keeps beyond its cache line: a moving window's log
// (guarded by the shard's lock), and the lanes of a contended fixed window
// (see lanes; nil until contended). It is one allocation, so a
// moving-window decision follows one pointer to its log. An entry's side
// is replaced, never changed: by lock holders (newLog, adoptLog), and by
// attachLanes without the lock, with a compare-and-swap. Once an entry has
// lanes, every side it has after keeps them, so a decision may keep using
// the lanes it found.
type side struct {
	lanes  *lanes
	log    backends.MovingWindowLog
	logged bool // log is live: the entry has charged a moving window
}

// lanes returns e's lanes, or nil if it has none.
func (e *entry) lanes() *lanes {
	if sd := e.side.Load(); sd != nil {
		return sd.lanes
	}
	return nil
}

// log returns e's moving-window log, or nil if it has none.
func (e *entry) log() *backends.MovingWindowLog {
	if sd := e.side.Load(); sd != nil && sd.logged {
		return &sd.log
	}
	return nil
}

// newLog gives e an empty moving-window log and returns it, keeping e's
// lanes. The caller holds the shard's lock, or owns e (a scratch entry).
func (e *entry) newLog() *backends.MovingWindowLog {
	for {
		old := e.side.Load()
		sd := &side{logged: true}
		if old != nil {
			sd.lanes = old.lanes
		}
		if e.side.CompareAndSwap(old, sd) { // fails only if lanes came meanwhile
			return &sd.log
		}
	}
}

// adoptLog gives e the moving-window log of src, a scratch entry whose
// state e takes (none if src has none), keeping e's lanes. The caller
// holds the shard's lock.
func (e *entry) adoptLog(src *entry) {
	sd := src.side.Load() // a scratch entry never has lanes
	for {
		old := e.side.Load()
		next := sd
		if old != nil && old.lanes != nil {
			switch {
			case sd != nil && sd.logged:
				next = &side{lanes: old.lanes, log: sd.log, logged: true}
			case old.logged:
				next = &side{lanes: old.lanes}
			default:
				return
			}
		}
		if e.side.CompareAndSwap(old, next) { // fails only if lanes came meanwhile
			return
		}
	}
}

// The control word of an entry. Its top bit says whether the entry is held;
// the 6 bits below it are the index of its shard (never changed), the 15
// below those a generation, bumped whenever the entry opens, so that an
// open decision whose compare-and-swap succeeds knows the start and window
// it read are those of the same opening. Below those, an open entry keeps
// whether it has leased part of its count to lanes (see lanes) and its
// count (at most maxOpenCount), and a held one its strategy and flags.
const (
	ctlHeld       = 1 << 63
	ctlShardShift = 57
	ctlShardMask  = (maxShards - 1) << ctlShardShift
	ctlGenShift   = 42
	ctlGenMask    = (1<<15 - 1) << ctlGenShift
	ctlLeased     = 1 << 41 // open: lanes may hold part of the count of this opening
	ctlCountMask  = ctlLeased - 1
	ctlKindMask   = 3      // held: the live strategy
	ctlRemoved    = 1 << 2 // held: no longer in its table, so a memo hit must look again
	ctlPinned     = 1 << 3 // held: used by a request of several limits; never opened again

	// maxOpenCount is the largest count an open entry holds, and the largest
	// amount a limit may have to be decided without the lock.
	maxOpenCount = ctlCountMask
)

// A shard index must fit in ctl's 6 bits.
var _ [64 - maxShards]struct{}

// newEntry returns a held entry of key in shard shard with no state of any
// strategy.
func newEntry(key string, shard uint16) *entry {
	e := &entry{key: key} // the caller's string: compared by pointer first, see memo
	e.ctl.Store(ctlHeld | uint64(shard)<<ctlShardShift)
	return e
}

// shard returns the index of e's shard.
func (e *entry) shard() uint16 { return uint16(e.ctl.Load() & ctlShardMask >> ctlShardShift) }

// hold turns e held if it is open, its count moving to cur, less what its
// lanes hold unspent (see lanes.drain). The caller holds e's shard's lock,
// so only open decisions race with it, and they change nothing but an open
// entry's count, its lanes' tokens, and which lanes its side points to
// (attachLanes).
func (e *entry) hold() {
	for {
		w := e.ctl.Load()
		if w&ctlHeld != 0 {
			return
		}
		if e.ctl.CompareAndSwap(w, ctlHeld|w&^(ctlCountMask|ctlLeased)|uint64(backends.FixedWindow)) {
			n := int64(w & ctlCountMask)
			if w&ctlLeased != 0 {
				n -= e.lanes().drain(w & ctlGenMask) // nil-safe
			}
			e.cur = n
			return
		}
	}
}

// held returns e's control word once e is held (see hold).
func (e *entry) held() uint64 {
	e.hold()
	return e.ctl.Load()
}

// kind returns the strategy whose state e holds, holding e. The caller
// holds the shard's lock.
func (e *entry) kind() backends.Strategy { return backends.Strategy(e.held() & ctlKindMask) }

// removed reports whether e has left its table. Removal is for good, so a
// caller without the shard's lock may trust a true answer (the memo does).
func (e *entry) removed() bool {
	w := e.ctl.Load()
	return w&ctlHeld != 0 && w&ctlRemoved != 0
}

// setHeld sets the strategy and flags of e, held, keeping its shard and
// generation. The caller holds the shard's lock.
func (e *entry) setHeld(kind backends.Strategy, flags uint64) {
	e.ctl.Store(e.held()&^(ctlKindMask|ctlRemoved|ctlPinned) | uint64(kind) | flags)
}

// markRemoved records that e has left its table; it stays held for good.
// The caller holds the shard's lock.
func (e *entry) markRemoved() { e.ctl.Store(e.held() | ctlRemoved) }

// pin holds e for good and returns its control word: a request of several
// limits decides each of them under the shard's lock, and an entry kept
// held costs it nothing more, while one it had to hold and open again each
// time would cost two atomic writes. The caller holds the shard's lock.
func (e *entry) pin() uint64 {
	w := e.ctl.Load()
	if w&(ctlHeld|ctlPinned) != ctlHeld|ctlPinned {
		w = e.held() | ctlPinned
		e.ctl.Store(w)
	}
	return w
}

// release opens e, held, if it holds a fixed window open with a count that
// fits ctl, is in its table, is not pinned, and was just decided for a
// limit of an amount open decisions take (at most maxOpenCount). The
// caller holds the shard's lock.
func (e *entry) release(amount int64) {
	w := e.ctl.Load()
	if w&ctlHeld == 0 || w&(ctlKindMask|ctlRemoved|ctlPinned) != uint64(backends.FixedWindow) ||
		e.cur <= 0 || e.cur > maxOpenCount || amount > maxOpenCount || e.window.Load() <= 0 {
		return
	}
	gen := (w + 1<<ctlGenShift) & ctlGenMask
	e.ctl.Store(w&ctlShardMask | gen | uint64(e.cur))
}

// scratch makes e, a copy on which a decision is worked out before it is
// stored, a held entry of kind with no state, whatever it held before.
func (e *entry) scratch(kind backends.Strategy) {
	e.ctl.Store(ctlHeld | uint64(kind))
	e.setStart(0)
	e.setWindow(0)
	e.prev, e.cur = 0, 0
	e.side.Store(nil)
}

// fixed returns e's fixed-window state; e is held.
func (e *entry) fixed() backends.FixedWindowState {
	return backends.FixedWindowState{Start: e.start.Load(), Count: e.cur}
}

// setFixed sets e's fixed-window state; e is held.
func (e *entry) setFixed(s backends.FixedWindowState) {
	e.setStart(s.Start)
	e.cur = s.Count
}

// sliding returns e's sliding-window state; e is held.
func (e *entry) sliding() backends.SlidingWindowState {
	return backends.SlidingWindowState{Start: e.start.Load(), Prev: e.prev, Cur: e.cur}
}

// setSliding sets e's sliding-window state; e is held.
func (e *entry) setSliding(s backends.SlidingWindowState) {
	e.setStart(s.Start)
	e.prev, e.cur = s.Prev, s.Cur
}

// setStart and setWindow write start and window only when they change:
// an atomic write costs as much as a locked instruction.
func (e *entry) setStart(v int64) {
	if e.start.Load() != v {
		e.start.Store(v)
	}
}

func (e *entry) setWindow(v int64) {
	if e.window.Load() != v {
		e.window.Store(v)
	}
}

// expires returns the first instant at which e holds nothing. The caller
// holds the shard's lock; e may be open, whose start and window then stand
// still and whose count is never 0.
func (e *entry) expires() int64 {
	w := e.ctl.Load()
	if w&ctlHeld == 0 {
		return backends.FixedWindowState{Start: e.start.Load(), Count: int64(w & ctlCountMask)}.Expires(e.window.Load())
	}
	switch backends.Strategy(w & ctlKindMask) {
	case backends.FixedWindow:
		return e.fixed().Expires(e.window.Load())
	case backends.MovingWindow:
		log := e.log()
		if log == nil {
			return -1 << 63
		}
		return log.Expires(e.window.Load())
	default:
		return e.sliding().Expires(e.window.Load())
	}
}
