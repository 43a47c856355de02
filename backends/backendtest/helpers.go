package backendtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// t0 is the base instant of the tables: a whole hour, so that the
// sliding-window-counter's buckets of a minute or an hour start at it.
var t0 = time.Date(2030, time.January, 1, 0, 0, 0, 0, time.UTC)

// env is one group of cases: a storage, a strategy, and the clock mode.
type env struct {
	s        *suite
	st       backends.Storage
	strategy backends.Strategy
	server   bool // the storage uses its own clock
}

// at returns the instant of a request made off after t0 (or the current
// time when the storage keeps its own clock).
func (e *env) at(off time.Duration) time.Time {
	if e.server {
		return time.Now()
	}
	return t0.Add(off)
}

// do runs one Hit (or Test when peek) and fails the test on error.
func (e *env) do(t *testing.T, peek bool, now time.Time, limits ...backends.Limit) (bool, []backends.Result) {
	t.Helper()
	return decide(t, e.st, peek, e.strategy, now, limits)
}

func opName(peek bool) string {
	if peek {
		return "Test"
	}
	return "Hit"
}

func describe(now time.Time, limits []backends.Limit) string {
	var b strings.Builder
	fmt.Fprintf(&b, "at t0%+v", now.Sub(t0))
	for _, l := range limits {
		fmt.Fprintf(&b, " [%s amount=%d window=%v cost=%d]", l.Key, l.Amount, l.Window, l.Cost)
	}
	return b.String()
}

// limit returns a limit of amount per window, charged cost, for client.
func (e *env) limit(client string, amount int64, window time.Duration, cost int64) backends.Limit {
	text := fmt.Sprintf("%d per %v", amount, window)
	return backends.Limit{Key: e.s.key(client, text), Amount: amount, Window: window, Cost: cost}
}

// with returns l charged cost instead.
func with(l backends.Limit, cost int64) backends.Limit {
	l.Cost = cost
	return l
}
