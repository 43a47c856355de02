// Package backends is the storage contract of limitgen: the driver API every
// storage implements, the URI-scheme registry that opens one, and the layout
// of storage keys.
//
// A request is decided in one call: [Storage.Hit] receives every limit that
// applies to the request and the instant of the decision, and admits the
// request only if every limit has room for its cost. A request denied by any
// limit consumes none of them (all-or-nothing). Backends make that decision
// atomically across processes: no read-then-write from the client.
//
// Backends live in their own packages (backends/memory, backends/redis, …)
// and register their URI schemes from init, so an application selects one by
// a blank import, as with database/sql drivers:
//
//	import _ "github.com/limitgen/limitgen/backends/redis"
//
//	store, err := backends.Open("redis://127.0.0.1:6379/0")
package backends

import (
	"context"
	"time"
)

// Limit is one rate limit as a storage sees it: a counter named Key that
// admits at most Amount hits per Window.
type Limit struct {
	// Key names the counter; build it with [Key] so that every counter of one
	// client shares a hash tag. A key appears at most once per request.
	Key string
	// Amount is the number of hits admitted per window. Zero is valid and
	// refuses every hit of positive cost.
	Amount int64
	// Window is the length of the window in nanoseconds; it must be positive.
	Window time.Duration
	// Cost is the number of hits this request charges. Zero charges nothing
	// (the decision then only reports the state); negative is an error.
	Cost int64
}

// Request is one decision: every limit that applies to one HTTP request,
// decided together at one instant with one strategy.
type Request struct {
	// Strategy selects the window algorithm; the zero value is FixedWindow.
	Strategy Strategy
	// Now is the instant of the decision. Backends that keep time on the
	// server (documented per backend) may use their own clock instead.
	Now time.Time
	// Limits are decided all-or-nothing. The slice is only read.
	Limits []Limit
}

// Result is the state of one limit after a decision.
type Result struct {
	// Allowed reports whether this limit alone had room for the cost. When a
	// request is denied, the limits with Allowed false are the ones that
	// denied it.
	Allowed bool
	// Remaining is the number of hits still admitted in the current window
	// after the decision (after charging, if the request was admitted). It is
	// never negative. A Test's is exact; a charge's may read low while other
	// processors hold part of a contended key's count (the memory store's
	// lanes).
	Remaining int64
	// Reset is the instant at which the limit next frees capacity: the end of
	// a fixed window, the expiry of the oldest hit of a moving window, or the
	// instant the sliding-window-counter's weighted count next drops by one.
	// When nothing is counted it is the decision instant.
	Reset time.Time
}

// Storage keeps rate-limit counters. Implementations are safe for
// concurrent use by multiple goroutines.
type Storage interface {
	// Hit decides req atomically. If every limit has room for its cost, it
	// charges each and returns true; otherwise it charges none and returns
	// false. results must have len(req.Limits) elements; results[i] receives
	// the state of req.Limits[i] in either case. An error means the decision
	// could not be made; results are then undefined.
	Hit(ctx context.Context, req *Request, results []Result) (bool, error)
	// Test answers as Hit would, consuming nothing (peek). Remaining in the
	// results is the current remaining count.
	Test(ctx context.Context, req *Request, results []Result) (bool, error)
	// Clear removes every counter stored under key for every strategy.
	// Clearing a key that does not exist is not an error.
	Clear(ctx context.Context, key string) error
	// Ping reports whether the storage is reachable and serving.
	Ping(ctx context.Context) error
	// Close releases the storage's resources. Calls after Close return
	// ErrClosed.
	Close() error
}

// Resetter is an optional capability: a storage that can drop every
// counter under a key prefix at once, as Flask-Limiter's limiter.reset()
// does.
type Resetter interface {
	// Reset removes every counter, of every strategy, whose key is in the
	// documented layout under prefix ("prefix/{client}/scope/limit"), and
	// returns how many storage keys it removed. prefix must not be empty,
	// so that a storage shared with other data is never emptied whole. A
	// decision concurrent with Reset may keep or lose its charge.
	Reset(ctx context.Context, prefix string) (int, error)
}

// ServerClock is an optional capability: a storage that decides with its
// own server's clock (ignoring Request.Now) implements it and returns true.
type ServerClock interface {
	UsesServerClock() bool
}

// KeyCounter is an optional capability: the number of keys the storage
// currently tracks, for memory accounting and tests.
type KeyCounter interface {
	Keys() int
}

// Validate checks a request against the contract and returns a descriptive
// error for the first problem found. Backends call it before deciding.
func (r *Request) Validate(results []Result) error {
	if !r.Strategy.valid() {
		return errorf("unknown strategy %d", r.Strategy)
	}
	if len(results) != len(r.Limits) {
		return errorf("%d results for %d limits", len(results), len(r.Limits))
	}
	for i := range r.Limits {
		l := &r.Limits[i]
		switch {
		case l.Key == "":
			return errorf("limit %d: empty key", i)
		case l.Amount < 0:
			return errorf("limit %q: negative amount %d", l.Key, l.Amount)
		case l.Window <= 0:
			return errorf("limit %q: window %v is not positive", l.Key, l.Window)
		case l.Cost < 0:
			return errorf("limit %q: negative cost %d", l.Key, l.Cost)
		}
	}
	return nil
}
