package mongodb

import (
	"github.com/limitgen/limitgen/backends"
)

// tags are the first bytes of each strategy's encoding, read from package
// backends' own encoder so the two never disagree.
var tags = func() (t [3]byte) {
	f, _ := backends.FixedWindowState{}.AppendBinary(nil)
	m, _ := new(backends.MovingWindowLog).AppendBinary(nil)
	s, _ := backends.SlidingWindowState{}.AppendBinary(nil)
	t[backends.FixedWindow], t[backends.MovingWindow], t[backends.SlidingWindowCounter] = f[0], m[0], s[0]
	return t
}()

// state is one limit's state during a decision: the window model of
// package backends for the request's strategy, decoded from its entry.
// Instants and windows are Unix nanoseconds and nanoseconds.
type state struct {
	strategy backends.Strategy
	fixed    backends.FixedWindowState
	sliding  backends.SlidingWindowState
	moving   backends.MovingWindowLog
}

// reset makes st the empty state of strategy, keeping the moving log's
// storage.
func (st *state) reset(strategy backends.Strategy) {
	st.strategy = strategy
	st.fixed = backends.FixedWindowState{}
	st.sliding = backends.SlidingWindowState{}
	st.moving.Reset()
}

// decode sets st from an entry's bytes.
func (st *state) decode(b []byte) error {
	switch st.strategy {
	case backends.FixedWindow:
		return st.fixed.UnmarshalBinary(b)
	case backends.MovingWindow:
		return st.moving.UnmarshalBinary(b)
	default:
		return st.sliding.UnmarshalBinary(b)
	}
}

// encode appends st's encoding to dst.
func (st *state) encode(dst []byte) []byte {
	switch st.strategy {
	case backends.FixedWindow:
		dst, _ = st.fixed.AppendBinary(dst)
	case backends.MovingWindow:
		dst, _ = st.moving.AppendBinary(dst)
	default:
		dst, _ = st.sliding.AppendBinary(dst)
	}
	return dst
}

// current brings st to now (backends' Current).
func (st *state) current(now, window int64) {
	switch st.strategy {
	case backends.FixedWindow:
		st.fixed = st.fixed.Current(now, window)
	case backends.MovingWindow:
		st.moving.Current(now, window)
	default:
		st.sliding = st.sliding.Current(now, window)
	}
}

// allows reports whether st has room for cost more hits under amount.
func (st *state) allows(now, window, amount, cost int64) bool {
	switch st.strategy {
	case backends.FixedWindow:
		return st.fixed.Allows(amount, cost)
	case backends.MovingWindow:
		return st.moving.Allows(amount, cost)
	default:
		return st.sliding.Allows(now, window, amount, cost)
	}
}

// charge adds cost hits at now.
func (st *state) charge(now, cost int64) {
	switch st.strategy {
	case backends.FixedWindow:
		st.fixed.Charge(now, cost)
	case backends.MovingWindow:
		st.moving.Charge(now, cost)
	default:
		st.sliding.Charge(cost)
	}
}

// stats returns the remaining hits and the reset instant.
func (st *state) stats(now, window, amount int64) (remaining, reset int64) {
	switch st.strategy {
	case backends.FixedWindow:
		return st.fixed.Stats(now, window, amount)
	case backends.MovingWindow:
		return st.moving.Stats(now, window, amount)
	default:
		return st.sliding.Stats(now, window, amount)
	}
}

// expires returns the first instant at which st holds nothing
// (math.MinInt64 when it holds nothing already).
func (st *state) expires(window int64) int64 {
	switch st.strategy {
	case backends.FixedWindow:
		return st.fixed.Expires(window)
	case backends.MovingWindow:
		return st.moving.Expires(window)
	default:
		return st.sliding.Expires(window)
	}
}

// mark returns what a refund of the hits just charged needs to find them:
// the fixed window's start, the sliding window's bucket start, or the
// moving window's instant of the charge (its newest entry).
func (st *state) mark(window int64) int64 {
	switch st.strategy {
	case backends.FixedWindow:
		return st.fixed.Start
	case backends.MovingWindow:
		return st.moving.Expires(window) - window
	default:
		return st.sliding.Start
	}
}
