package runtime

import (
	"sync/atomic"
	"time"
)

// The limiter reads the clock once per request. time.Now reads both the
// wall and the monotonic clock; now reads only the monotonic one (about
// half the cost) and adds the elapsed time to a wall-clock base. The base is
// re-read every rebaseEvery, so a stepped or slewed wall clock (NTP) is
// followed within that time: instants stay close to the wall clock that
// distributed stores and other app servers share, and never go backwards
// between rebases.
const rebaseEvery = time.Minute

// clockBase is the wall-clock instant (with its monotonic reading) that now
// measures from. It is replaced, never mutated.
var clockBase atomic.Pointer[time.Time]

func init() {
	t := time.Now()
	clockBase.Store(&t)
}

// now returns the current instant for a decision: the base plus the
// monotonic time elapsed since it, rebased on a fresh time.Now once the
// base is older than rebaseEvery. It is safe for concurrent use and does
// not allocate except when it rebases.
func now() time.Time {
	b := clockBase.Load()
	d := time.Since(*b)
	if d >= rebaseEvery || d < 0 {
		t := time.Now()
		clockBase.Store(&t)
		return t
	}
	return b.Add(d)
}
