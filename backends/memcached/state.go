package memcached

import (
	"github.com/limitgen/limitgen/backends"
)

// stateTag is the first byte of the encoding of each strategy's state
// (package backends, window_codec.go).
var stateTag = [...]byte{
	backends.FixedWindow:          'F',
	backends.MovingWindow:         'M',
	backends.SlidingWindowCounter: 'S',
}

// state is the window state of one limit, of the strategy it was loaded
// for; the window model of package backends does all the arithmetic.
type state struct {
	strategy backends.Strategy
	fixed    backends.FixedWindowState
	sliding  backends.SlidingWindowState
	moving   backends.MovingWindowLog
}

// load sets st to the state encoded in b, or to the empty state when b is
// nil.
func (st *state) load(strategy backends.Strategy, b []byte) error {
	st.strategy = strategy
	switch strategy {
	case backends.FixedWindow:
		st.fixed = backends.FixedWindowState{}
		if b != nil {
			return st.fixed.UnmarshalBinary(b)
		}
	case backends.SlidingWindowCounter:
		st.sliding = backends.SlidingWindowState{}
		if b != nil {
			return st.sliding.UnmarshalBinary(b)
		}
	default:
		st.moving.Reset()
		if b != nil {
			return st.moving.UnmarshalBinary(b)
		}
	}
	return nil
}

// current brings the state to now (the model's Current).
func (st *state) current(now, window int64) {
	switch st.strategy {
	case backends.FixedWindow:
		st.fixed = st.fixed.Current(now, window)
	case backends.SlidingWindowCounter:
		st.sliding = st.sliding.Current(now, window)
	default:
		st.moving.Current(now, window)
	}
}

func (st *state) allows(now, window, amount, cost int64) bool {
	switch st.strategy {
	case backends.FixedWindow:
		return st.fixed.Allows(amount, cost)
	case backends.SlidingWindowCounter:
		return st.sliding.Allows(now, window, amount, cost)
	default:
		return st.moving.Allows(amount, cost)
	}
}

// charge adds cost hits at now and returns the mark a refund needs to
// find them again: the fixed window's or the sliding bucket's start, or
// the moving log's instant of the hits.
func (st *state) charge(now, window, cost int64) int64 {
	switch st.strategy {
	case backends.FixedWindow:
		st.fixed.Charge(now, cost)
		return st.fixed.Start
	case backends.SlidingWindowCounter:
		st.sliding.Charge(cost)
		return st.sliding.Start
	default:
		st.moving.Charge(now, cost)
		return st.moving.Expires(window) - window // the newest instant
	}
}

func (st *state) stats(now, window, amount int64) (remaining, reset int64) {
	switch st.strategy {
	case backends.FixedWindow:
		return st.fixed.Stats(now, window, amount)
	case backends.SlidingWindowCounter:
		return st.sliding.Stats(now, window, amount)
	default:
		return st.moving.Stats(now, window, amount)
	}
}

// expires is the first instant at which the state holds nothing.
func (st *state) expires(window int64) int64 {
	switch st.strategy {
	case backends.FixedWindow:
		return st.fixed.Expires(window)
	case backends.SlidingWindowCounter:
		return st.sliding.Expires(window)
	default:
		return st.moving.Expires(window)
	}
}

// appendTo appends the state's encoding to dst.
func (st *state) appendTo(dst []byte) []byte {
	switch st.strategy {
	case backends.FixedWindow:
		dst, _ = st.fixed.AppendBinary(dst)
	case backends.SlidingWindowCounter:
		dst, _ = st.sliding.AppendBinary(dst)
	default:
		dst, _ = st.moving.AppendBinary(dst)
	}
	return dst
}
