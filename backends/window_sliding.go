package backends

// SlidingWindowState is the state of one sliding-window-counter limit, as
// in Flask-Limiter's limits library: hits are counted in buckets aligned to
// multiples of the window since the Unix epoch, and the count at now is
//
//	weighted = ⌊Prev × ttl / window⌋ + Cur
//
// where ttl = Start + window − now is how much of the previous bucket still
// overlaps the window ending at now. A request of cost c is admitted iff
// weighted + c ≤ amount. The product Prev × ttl is computed in 128 bits.
// The zero value is an empty counter. A value is not safe for concurrent
// use; backends guard it.
type SlidingWindowState struct {
	// Start is the first instant, in Unix nanoseconds, of the current
	// bucket: a multiple of the window.
	Start int64
	// Prev is the number of hits charged in the previous bucket.
	Prev int64
	// Cur is the number of hits charged in the current bucket.
	Cur int64
}

// Current returns s as seen at now: when now lies in the bucket after
// Start, the current count becomes the previous one; when it lies further
// on, both are zero. A request whose now lies before Start (it read the
// clock before a concurrent request rolled the bucket) is counted in the
// current bucket, as if it came at Start.
func (s SlidingWindowState) Current(now, window int64) SlidingWindowState {
	b := floorDiv(now, window) * window
	switch {
	case s.Prev == 0 && s.Cur == 0:
		return SlidingWindowState{Start: b}
	case b <= s.Start:
		return s
	case b-s.Start == window:
		return SlidingWindowState{Start: b, Prev: s.Cur}
	default:
		return SlidingWindowState{Start: b}
	}
}

// ttl returns how much of the previous bucket still overlaps the window
// ending at now, in (0, window].
func (s SlidingWindowState) ttl(now, window int64) int64 {
	t := addSat(s.Start, window) - now
	if t > window || t < 0 {
		return window
	}
	return t
}

// Weighted returns ⌊Prev × ttl / window⌋ + Cur at now, for s as returned by
// Current. It never overflows: the sum is clamped to the int64 range.
func (s SlidingWindowState) Weighted(now, window int64) int64 {
	if s.Prev == 0 {
		return s.Cur
	}
	return addSat(mulDiv(s.Prev, s.ttl(now, window), window), s.Cur)
}

// Allows reports whether s, as returned by Current, has room for cost more
// hits at now: Weighted + cost ≤ amount. A cost of 0 is always allowed.
func (s SlidingWindowState) Allows(now, window, amount, cost int64) bool {
	return fits(s.Weighted(now, window), amount, cost)
}

// Charge adds cost hits to the current bucket. Charging 0 changes nothing.
func (s *SlidingWindowState) Charge(cost int64) {
	if cost > 0 {
		s.Cur = addSat(s.Cur, cost)
	}
}

// Stats returns the hits still admitted (amount − Weighted, at least 0) and
// the instant the weighted count next drops, for s as returned by Current:
// the first nanosecond at which ⌊Prev × ttl / window⌋ is one less, or, when
// the previous bucket no longer weighs a whole hit, the end of the current
// bucket. This is the instant limits computes (now + ttl mod (window/Prev))
// rounded up to the next nanosecond. With nothing counted, remaining is
// amount and reset is now.
func (s SlidingWindowState) Stats(now, window, amount int64) (remaining, reset int64) {
	if s.Prev == 0 && s.Cur == 0 {
		return amount, now
	}
	ttl := s.ttl(now, window)
	var k int64
	if s.Prev > 0 {
		k = mulDiv(s.Prev, ttl, window)
	}
	remaining = remainingOf(addSat(k, s.Cur), amount)
	if k == 0 {
		return remaining, addSat(now, ttl)
	}
	// The first ttl' with Prev×ttl' < k×window is ⌈k×window/Prev⌉ − 1.
	return remaining, addSat(now, ttl-mulDivCeil(k, window, s.Prev)+1)
}

// Expires returns the first instant at which s holds nothing any more: the
// end of the bucket after the current one when Cur > 0, else the end of the
// current bucket.
func (s SlidingWindowState) Expires(window int64) int64 {
	switch {
	case s.Cur > 0:
		return addSat(addSat(s.Start, window), window)
	case s.Prev > 0:
		return addSat(s.Start, window)
	}
	return -1 << 63
}
