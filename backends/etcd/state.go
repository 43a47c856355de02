package etcd

import (
	"errors"

	"github.com/limitgen/limitgen/backends"
)

// state is the window state of one limit under one strategy, decoded from
// its etcd value with the codec of package backends. Only the field of the
// request's strategy is used. A state is not safe for concurrent use.
type state struct {
	strategy backends.Strategy
	fixed    backends.FixedWindowState
	sliding  backends.SlidingWindowState
	moving   backends.MovingWindowLog
}

// errNotState is returned for a value that is no limitgen window state.
var errNotState = errors.New("the value is not a limitgen window state")

// load sets st to the state encoded in value, or to the empty state when
// value is nil (no key) or holds another strategy's state (the limit was
// used with another strategy before: the new one starts afresh and
// overwrites it at its first charge). Anything else is errNotState.
func (st *state) load(strategy backends.Strategy, value []byte) error {
	st.strategy = strategy
	st.fixed, st.sliding = backends.FixedWindowState{}, backends.SlidingWindowState{}
	st.moving.Reset()
	if value == nil {
		return nil
	}
	var err error
	switch strategy {
	case backends.FixedWindow:
		err = st.fixed.UnmarshalBinary(value)
	case backends.SlidingWindowCounter:
		err = st.sliding.UnmarshalBinary(value)
	case backends.MovingWindow:
		err = st.moving.UnmarshalBinary(value)
	}
	if err == nil {
		return nil
	}
	if otherStrategy(value) {
		return nil
	}
	return errNotState
}

// otherStrategy reports whether value decodes as any window state.
func otherStrategy(value []byte) bool {
	var f backends.FixedWindowState
	var s backends.SlidingWindowState
	var m backends.MovingWindowLog
	return f.UnmarshalBinary(value) == nil || s.UnmarshalBinary(value) == nil || m.UnmarshalBinary(value) == nil
}

// current moves st to now (see the Current methods of package backends)
// and reports whether it has room for l.Cost more hits.
func (st *state) current(now int64, l *backends.Limit) bool {
	w := int64(l.Window)
	switch st.strategy {
	case backends.FixedWindow:
		st.fixed = st.fixed.Current(now, w)
		return st.fixed.Allows(l.Amount, l.Cost)
	case backends.SlidingWindowCounter:
		st.sliding = st.sliding.Current(now, w)
		return st.sliding.Allows(now, w, l.Amount, l.Cost)
	default:
		st.moving.Current(now, w)
		return st.moving.Allows(l.Amount, l.Cost)
	}
}

// charge adds cost hits at now.
func (st *state) charge(now, cost int64) {
	switch st.strategy {
	case backends.FixedWindow:
		st.fixed.Charge(now, cost)
	case backends.SlidingWindowCounter:
		st.sliding.Charge(cost)
	default:
		st.moving.Charge(now, cost)
	}
}

// result fills r with the state's remaining hits and reset instant at now.
func (st *state) result(now int64, l *backends.Limit, allowed bool, r *backends.Result) {
	var rem, reset int64
	w := int64(l.Window)
	switch st.strategy {
	case backends.FixedWindow:
		rem, reset = st.fixed.Stats(now, w, l.Amount)
	case backends.SlidingWindowCounter:
		rem, reset = st.sliding.Stats(now, w, l.Amount)
	default:
		rem, reset = st.moving.Stats(now, w, l.Amount)
	}
	*r = backends.Result{Allowed: allowed, Remaining: rem, Reset: timeOf(reset)}
}

// expires returns the instant, Unix nanoseconds on the deciding clock, at
// which st holds nothing any more.
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

// appendBinary appends the encoding of st to dst.
func (st *state) appendBinary(dst []byte) []byte {
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
