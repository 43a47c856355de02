package runtime

import (
	"math"
	"strconv"
	"testing"
)

// TestHeaderValue checks that header values spell every number as strconv
// does, in a slice of length and capacity 1 (so that Header.Add copies
// instead of writing into a shared value), for cached small numbers,
// numbers that share one allocation with their text, and the rest.
func TestHeaderValue(t *testing.T) {
	for _, n := range []int64{0, 1, 99, 1023, 1024, 123456789, 1e16 - 1, 1e16, math.MaxInt64, -1, math.MinInt64} {
		v := headerValue(n)
		if len(v) != 1 || cap(v) != 1 || v[0] != strconv.FormatInt(n, 10) {
			t.Errorf("headerValue(%d) = %q (cap %d), want [%q] of cap 1", n, v, cap(v), strconv.FormatInt(n, 10))
		}
	}
	a, b := headerValue(5000), headerValue(5001)
	if a[0] != "5000" || b[0] != "5001" {
		t.Errorf("two large values share text: %q, %q", a, b)
	}
}

func BenchmarkHeaderValue(b *testing.B) {
	for b.Loop() {
		_ = headerValue(999999999)
	}
}
