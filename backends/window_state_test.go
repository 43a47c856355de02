package backends

import (
	"errors"
	"testing"
)

// TestWindowState runs each strategy through WindowState, re-encoding the
// state between decisions as a store would, and checks it against the
// strategy's own type driven directly.
func TestWindowState(t *testing.T) {
	const window, amount = 100, 5
	for _, strategy := range []Strategy{FixedWindow, MovingWindow, SlidingWindowCounter} {
		var ws WindowState
		if err := ws.Load(strategy, nil); err != nil {
			t.Fatal(err)
		}
		var (
			f FixedWindowState
			m MovingWindowLog
			s SlidingWindowState
		)
		var stored []byte
		for i, now := range []int64{10, 20, 20, 50, 90, 115, 130, 210, 260, 400} {
			if err := ws.Load(strategy, stored); err != nil {
				t.Fatalf("%v step %d: %v", strategy, i, err)
			}
			ws.Current(now, window)
			ok := ws.Allows(now, window, amount, 2)
			var want bool
			var wantRem, wantReset int64
			switch strategy {
			case FixedWindow:
				f = f.Current(now, window)
				want = f.Allows(amount, 2)
				if want {
					f.Charge(now, 2)
				}
				wantRem, wantReset = f.Stats(now, window, amount)
			case MovingWindow:
				m.Current(now, window)
				want = m.Allows(amount, 2)
				if want {
					m.Charge(now, 2)
				}
				wantRem, wantReset = m.Stats(now, window, amount)
			default:
				s = s.Current(now, window)
				want = s.Allows(now, window, amount, 2)
				if want {
					s.Charge(2)
				}
				wantRem, wantReset = s.Stats(now, window, amount)
			}
			if ok {
				ws.Charge(now, 2)
			}
			rem, reset := ws.Stats(now, window, amount)
			if ok != want || rem != wantRem || reset != wantReset {
				t.Errorf("%v at %d: %v %d %d, want %v %d %d", strategy, now, ok, rem, reset, want, wantRem, wantReset)
			}
			stored, _ = ws.AppendBinary(stored[:0])
			if stored[0] != StateTag(strategy) {
				t.Errorf("%v: encoding starts with %q, StateTag says %q", strategy, stored[0], StateTag(strategy))
			}
		}
		// A refund by the mark of the last charge takes it back.
		ws.Current(401, window)
		before, _ := ws.Stats(401, window, amount)
		mark := ws.Charge(401, 1)
		if !ws.Refund(mark, window, 1) {
			t.Errorf("%v: refund by the charge's mark changed nothing", strategy)
		}
		if after, _ := ws.Stats(401, window, amount); after != before {
			t.Errorf("%v: remaining %d after charge and refund, want %d", strategy, after, before)
		}
	}
	var ws WindowState
	fixed, _ := FixedWindowState{Start: 1, Count: 1}.AppendBinary(nil)
	if err := ws.Load(SlidingWindowCounter, fixed); !errors.Is(err, ErrMalformedState) {
		t.Errorf("loading a fixed-window state as sliding: %v", err)
	}
	if StateTag(Strategy(9)) != 0 {
		t.Error("StateTag of an unknown strategy is not 0")
	}
}
