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

// TestNumberValuesKeepWhatTheyHandOut hands out more large numbers than a
// block holds and checks that every value handed out still reads as its
// number afterwards (no value is written twice) and has capacity 1.
func TestNumberValuesKeepWhatTheyHandOut(t *testing.T) {
	var nums numberValues
	var got [][]string
	for i := range 3*numberBlock + 5 {
		got = append(got, nums.value(int64(1_000_000_000+i)))
	}
	got = append(got, nums.value(7), nums.value(-3), nums.value(1e17))
	want := func(i int) string {
		switch i - (3*numberBlock + 5) {
		case 0:
			return "7"
		case 1:
			return "-3"
		case 2:
			return "100000000000000000"
		}
		return strconv.Itoa(1_000_000_000 + i)
	}
	for i, v := range got {
		if len(v) != 1 || cap(v) != 1 || v[0] != want(i) {
			t.Fatalf("value %d reads %q (cap %d), want [%q] of cap 1", i, v, cap(v), want(i))
		}
	}
}
