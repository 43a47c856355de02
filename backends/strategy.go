package backends

import "strings"

// Strategy is a window algorithm. The zero value is FixedWindow.
type Strategy uint8

const (
	// FixedWindow counts hits in a window that starts at the first hit and
	// lasts Window; the counter resets when the window ends.
	FixedWindow Strategy = iota
	// MovingWindow keeps a log of hit instants and admits a hit of cost c
	// iff fewer than Amount-c+1 hits lie in the last Window.
	MovingWindow
	// SlidingWindowCounter keeps the counts of the current and previous
	// window-aligned buckets and weights the previous one by how much of it
	// still overlaps the last Window.
	SlidingWindowCounter
)

var strategyNames = [...]string{
	FixedWindow:          "fixed-window",
	MovingWindow:         "moving-window",
	SlidingWindowCounter: "sliding-window-counter",
}

// Strategies lists every strategy, in declaration order.
func Strategies() []Strategy {
	return []Strategy{FixedWindow, MovingWindow, SlidingWindowCounter}
}

func (s Strategy) valid() bool { return int(s) < len(strategyNames) }

// String returns the strategy's name as Flask-Limiter spells it:
// "fixed-window", "moving-window" or "sliding-window-counter".
func (s Strategy) String() string {
	if !s.valid() {
		return "strategy(" + itoa(int64(s)) + ")"
	}
	return strategyNames[s]
}

// ParseStrategy returns the strategy named s, case-insensitively, ignoring
// surrounding spaces. Unknown names are errors that quote the name and list
// the known ones.
func ParseStrategy(s string) (Strategy, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for i, n := range strategyNames {
		if n == name {
			return Strategy(i), nil
		}
	}
	return 0, errorf("unknown strategy %q (want one of %s)", s, strings.Join(strategyNames[:], ", "))
}
