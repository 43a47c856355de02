package backends_test

import (
	"fmt"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// The window model decides one limit in four steps; a backend runs them for
// every limit of a request and charges only if all of them allow.
func ExampleSlidingWindowState() {
	const window = int64(time.Minute)
	at := func(s int) int64 { return int64(time.Date(2030, 1, 1, 0, 0, s, 0, time.UTC).UnixNano()) }
	base := at(0)
	var s backends.SlidingWindowState
	for _, sec := range []int{10, 20, 30, 40, 50, 70, 80} {
		now := at(sec)
		s = s.Current(now, window)
		ok := s.Allows(now, window, 4, 1)
		if ok {
			s.Charge(1)
		}
		remaining, reset := s.Stats(now, window, 4)
		fmt.Printf("t=%ds allowed=%v remaining=%d reset=+%v\n", sec, ok, remaining, time.Duration(reset-base))
	}
	// Output:
	// t=10s allowed=true remaining=3 reset=+1m0s
	// t=20s allowed=true remaining=2 reset=+1m0s
	// t=30s allowed=true remaining=1 reset=+1m0s
	// t=40s allowed=true remaining=0 reset=+1m0s
	// t=50s allowed=false remaining=0 reset=+1m0s
	// t=70s allowed=true remaining=0 reset=+1m15.000000001s
	// t=80s allowed=true remaining=0 reset=+1m30.000000001s
}

func ExampleFixedWindowState() {
	const window = int64(time.Minute)
	var s backends.FixedWindowState
	for _, now := range []int64{10, 20, 30, 70} {
		now *= int64(time.Second)
		s = s.Current(now, window)
		ok := s.Allows(2, 1)
		if ok {
			s.Charge(now, 1)
		}
		remaining, reset := s.Stats(now, window, 2)
		fmt.Println(ok, remaining, time.Duration(reset))
	}
	// Output:
	// true 1 1m10s
	// true 0 1m10s
	// false 0 1m10s
	// true 1 2m10s
}
