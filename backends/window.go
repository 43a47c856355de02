package backends

import "math/bits"

// The window model: the three strategies as pure functions over integer
// nanoseconds since the Unix epoch. It is the reference every backend
// follows: the memory backend runs it directly, the Redis scripts and the
// other stores transcribe it, and backendtest checks backends against it.
//
// Each strategy has a state type with the same four steps, used in this
// order for every limit of a request:
//
//	s = s.Current(now, window)         // what is still live at now
//	ok := s.Allows(amount, cost)        // would this limit admit cost hits?
//	if every limit allows { s.Charge(now, cost) }   // all-or-nothing
//	remaining, reset := s.Stats(now, window, amount)
//
// Instants are Unix nanoseconds (time.Time.UnixNano), windows are positive
// nanosecond durations, amounts and costs are not negative. Arithmetic
// saturates instead of overflowing, and products that may exceed 63 bits
// (the sliding-window-counter's weighting) are computed in 128 bits.

// addSat returns a+b clamped to the int64 range; b must not be negative.
func addSat(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return 1<<63 - 1
}

// subSat returns a-b clamped to the int64 range; b must not be negative.
func subSat(a, b int64) int64 {
	if d := a - b; d <= a {
		return d
	}
	return -1 << 63
}

// floorDiv returns ⌊a/b⌋ for b > 0, rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// mulDiv returns ⌊a×b/c⌋ computed in 128 bits. It requires a, b ≥ 0, c > 0
// and b ≤ c, so that the quotient fits in 63 bits.
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// mulDivCeil returns ⌈a×b/c⌉ computed in 128 bits, with the requirements
// of mulDiv (the quotient must fit in 63 bits).
func mulDivCeil(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, r := bits.Div64(hi, lo, uint64(c))
	if r != 0 {
		q++
	}
	return int64(q)
}

// fits reports whether cost more hits fit beside used hits under amount,
// without overflow.
func fits(used, amount, cost int64) bool {
	return cost <= amount && used <= amount-cost
}

// remainingOf returns amount-used, or 0 when used exceeds amount.
func remainingOf(used, amount int64) int64 {
	if used >= amount {
		return 0
	}
	return amount - used
}
