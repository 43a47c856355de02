package memcached

import (
	"math"
	"time"
)

// maxRelative is the longest expiration memcached reads as relative to
// its clock (30 days); above it an expiration is an absolute Unix time.
const maxRelative = 30 * 24 * 60 * 60

// expiration returns the memcached exptime for an item whose latest state
// expires at the instant expires (Unix nanoseconds), decided at now (the
// request's instant, same clock): the time left rounded up to whole
// seconds, plus one second, because memcached's clock ticks in whole
// seconds and may expire an item up to a second early. Beyond 30 days it
// is an absolute Unix time on this machine's wall clock (wall); beyond
// what 32 bits hold (2038) it is 0, no expiry. When nothing is left
// (expires ≤ now) it is -1: the item expires at once.
func expiration(expires, now int64, wall time.Time) int32 {
	if expires <= now {
		return -1
	}
	left := expires - now
	secs := left/int64(time.Second) + 1
	if left%int64(time.Second) != 0 {
		secs++
	}
	if secs <= maxRelative {
		return int32(secs)
	}
	abs := wall.Unix() + secs
	if abs > math.MaxInt32 {
		return 0
	}
	return int32(abs)
}
