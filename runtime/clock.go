package runtime

import (
	"sync/atomic"
	"time"
)

// The limiter reads the clock once per request. time.Now reads both the
// wall and the monotonic clock; Now reads only the monotonic one (about
// half the cost) and adds the elapsed time to a wall-clock base. The base is
// re-read every rebaseEvery, so a stepped or slewed wall clock (NTP) is
// followed within that time: instants stay close to the wall clock that
// distributed stores and other app servers share, and never go backwards
// between rebases.
const rebaseEvery = time.Minute

// clockBase is the instant now measures from: a time.Now reading, kept
// for its monotonic clock, and the same instant in Unix nanoseconds. It is
// replaced, never mutated.
var clockBase atomic.Pointer[baseInstant]

type baseInstant struct {
	mono time.Time // read with time.Since: the monotonic clock only
	wall int64     // mono's wall-clock instant, Unix nanoseconds
}

func newBase(t time.Time) *baseInstant { return &baseInstant{mono: t, wall: t.UnixNano()} }

func init() { clockBase.Store(newBase(time.Now())) }

// Now is the Limiter's default clock (see WithClock): the current instant
// for a decision, the base plus the
// monotonic time elapsed since it, rebased on a fresh time.Now once the
// base is older than rebaseEvery. The result carries no monotonic reading
// (decisions only need Unix nanoseconds). It is safe for concurrent use and
// does not allocate except when it rebases.
func Now() time.Time {
	b := clockBase.Load()
	d := time.Since(b.mono)
	if d >= rebaseEvery || d < 0 {
		t := time.Now()
		clockBase.Store(newBase(t))
		return t
	}
	return time.Unix(0, b.wall+int64(d))
}
