package memcached

import (
	"math/rand/v2"
	"time"
)

// backoff sleeps before the attempt-th retry of a compare-and-swap that
// lost a race: not at all for the first two retries, then a random time
// up to 20 µs × 2^(attempt-3), at most 1.28 ms, so that racing writers of one
// item spread out instead of colliding again. It never sleeps past
// deadline.
func backoff(attempt int, deadline time.Time) {
	if attempt < 3 {
		return
	}
	ceiling := 20 * time.Microsecond << min(attempt-3, 6)
	d := time.Duration(rand.Int64N(int64(ceiling)) + 1)
	if left := time.Until(deadline); d > left {
		d = left
	}
	if d > 0 {
		time.Sleep(d)
	}
}
