package etcd

import (
	"errors"

	"github.com/limitgen/limitgen/backends"
)

// errNotState is returned for a value that is no limitgen window state.
var errNotState = errors.New("the value is not a limitgen window state")

// loadState sets st to the state of strategy encoded in value, or to the
// empty state when value is nil (no key) or holds another strategy's state
// (the limit was used with another strategy before: the new one starts
// afresh and overwrites it at its first charge). Anything else is
// errNotState.
func loadState(st *backends.WindowState, strategy backends.Strategy, value []byte) error {
	if st.Load(strategy, value) == nil {
		return nil
	}
	var other backends.WindowState
	for _, s := range []backends.Strategy{backends.FixedWindow, backends.MovingWindow, backends.SlidingWindowCounter} {
		if s != strategy && other.Load(s, value) == nil {
			return st.Load(strategy, nil)
		}
	}
	return errNotState
}

// decideState moves st to now and reports whether it has room for l.Cost
// more hits.
func decideState(st *backends.WindowState, now int64, l *backends.Limit) bool {
	st.Current(now, int64(l.Window))
	return st.Allows(now, int64(l.Window), l.Amount, l.Cost)
}

// result fills r with st's remaining hits and reset instant at now.
func result(st *backends.WindowState, now int64, l *backends.Limit, allowed bool, r *backends.Result) {
	rem, reset := st.Stats(now, int64(l.Window), l.Amount)
	*r = backends.Result{Allowed: allowed, Remaining: rem, Reset: timeOf(reset)}
}
