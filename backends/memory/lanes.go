package memory

import (
	"runtime"
	"sync/atomic"
)

// lanes spread the decisions of one contended open fixed-window entry over
// the processors (Ps) deciding it, so that they stop taking the entry's
// cache line from each other at every decision.
//
// An open entry's count is the hits its window has admitted. A decision
// that finds the entry contended (see Store.hitOpen) gives it lanes, one
// per P up to maxLanes, each on a cache line of its own. From then on, a
// charge that finds the entry contended, or its opening already leased
// (ctlLeased), uses them (Store.hitLanes): while plenty of the amount is
// left, it leases more than its cost: it adds its cost and up to maxLease more to the
// count with one compare-and-swap, and leaves the extra in the lane of the
// P it runs on. The next decisions on that P spend the lane's tokens with a
// compare-and-swap of the lane, a line no other P writes. The count then
// holds the admitted hits plus the tokens the lanes hold unspent.
//
// No decision is wrong for it:
//   - A decision admitted from a lane was paid for in the count, which never
//     passes the amount, so the window never admits more than its amount.
//   - Refusing needs the count of admitted hits. While the entry has leased
//     in its current opening (ctlLeased), a decision that would refuse, or
//     a test (which reports the exact Remaining), goes to the shard's lock
//     instead; holding the entry drains the lanes (drain), and the lock
//     holder decides on the exact count. Leases stop when little is left
//     (leaseExtra), so a window at its amount drains once and then refuses
//     without the lock, as an entry without lanes does.
//   - A lane's tokens carry the generation of the opening they were leased
//     in: tokens of another opening are worth nothing, and drain clears
//     them.
//
// What it costs: the Remaining of a charging decision counts the tokens
// other lanes hold as spent, so it may understate by up to maxLease plus
// the cost less one for each other lane, each lease taking at most a
// quarter of what is then left shared among the lanes (a test's is
// exact). Lanes are used only with contention: a key never contended, or
// no longer contended since its lanes were last drained, reports exactly.
// Lanes take 64 bytes per P and live as long as their entry.
//
// A charge spends its lane's tokens only if its own limit's amount allows
// it on the count less the lane's tokens: a key is normally decided by one
// limit, whose tokens they are, but a caller may decide it with several
// amounts.
type lanes struct {
	l []lane
}

// lane is one P's part of a lanes: a word in the layout of the control
// word of an open entry, its generation and token count (below
// ctlLeased), and lanePending while a lease into it is in flight. It fills
// a cache line.
type lane struct {
	w atomic.Uint64
	_ [56]byte
}

const (
	// lanePending marks a lane whose P is leasing into it: the lease is
	// being added to the count and its extra will follow into the lane.
	// No one else spends or leases into a pending lane, and drain waits
	// for it.
	lanePending = 1 << 63

	// maxLanes caps the lanes of one entry; Ps beyond it share lanes.
	maxLanes = 64

	// maxLease is the most tokens a lease adds to a lane beyond its cost.
	// A lane holds at most maxLease plus the cost less one: what a lease
	// adds to tokens too few for its cost. Each lease writes the entry's
	// line, which every other core deciding the key then fetches again, so
	// leases should be rare: a hot key decided from two cores took 21 ns a
	// decision with leases of 32, 14 with 128 and 13 with 256 (side by
	// side), while a larger lease lets a charge's Remaining read lower.
	maxLease = 128
)

// newLanes returns lanes for the current number of Ps, or nil when there
// is one P, where nothing contends.
func newLanes() *lanes {
	return newLanesOf(min(runtime.GOMAXPROCS(0), maxLanes))
}

// newLanesOf returns n lanes, or nil when n < 2.
func newLanesOf(n int) *lanes {
	if n < 2 {
		return nil
	}
	return &lanes{l: make([]lane, n)}
}

// mine returns the lane of the P the caller runs on. The caller may move
// to another P at once; that costs speed, not correctness.
func (ls *lanes) mine() *lane {
	i := procID()
	if i >= len(ls.l) { // GOMAXPROCS grew, or passes maxLanes
		i %= len(ls.l)
	}
	return &ls.l[i]
}

// leaseExtra returns how many tokens a lease should add beyond its cost
// to lanes ls of an entry whose amount is amount, whose count is count,
// charging cost: none when less than 4 tokens per lane would remain, so
// that leases stop well before the amount and a window at its amount
// holds no tokens in its lanes (once drained).
func (ls *lanes) leaseExtra(amount, count, cost int64) int64 {
	left := amount - count - cost
	return min(maxLease, left/int64(4*len(ls.l)))
}

// drain empties ls and returns the tokens its lanes held for the opening
// of generation gen (a control word's ctlGenMask bits); tokens of other
// openings count for nothing. It waits for leases in flight. The caller
// has just held the entry, so that no lease can start into it: one in
// flight finds the entry held and gives its lane back, or has added to the
// count, and its tokens are drained. A nil ls holds nothing.
func (ls *lanes) drain(gen uint64) int64 {
	if ls == nil {
		return 0
	}
	var n int64
	for i := range ls.l {
		ln := &ls.l[i]
		for {
			w := ln.w.Load()
			if w&lanePending != 0 {
				runtime.Gosched() // the leasing goroutine is a few instructions from done
				continue
			}
			if ln.w.CompareAndSwap(w, 0) {
				if w&ctlGenMask == gen {
					n += int64(w & ctlCountMask)
				}
				break
			}
		}
	}
	return n
}
