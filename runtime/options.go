package runtime

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// Option configures a Limiter in New. Options are applied in order; a
// later option of the same kind replaces an earlier one. Options that take
// limit strings or URIs check them in New, which returns the error.
type Option func(*config) error

// RetryAfterFormat selects how the Retry-After header is written.
type RetryAfterFormat uint8

const (
	// RetryAfterDeltaSeconds writes the number of whole seconds until the
	// described limit resets, e.g. "59" (Flask-Limiter's "delta-seconds",
	// its default).
	RetryAfterDeltaSeconds RetryAfterFormat = iota
	// RetryAfterHTTPDate writes the instant of the reset as an HTTP-date,
	// e.g. "Thu, 26 Nov 2026 23:59:00 GMT" (Flask-Limiter's "http-date").
	RetryAfterHTTPDate
)

// HeaderNames are the names of the rate-limit response headers. An empty
// field keeps the default name; the zero value means every default.
type HeaderNames struct {
	// Limit defaults to "X-RateLimit-Limit": the described limit's amount.
	Limit string
	// Remaining defaults to "X-RateLimit-Remaining": hits left in its window.
	Remaining string
	// Reset defaults to "X-RateLimit-Reset": the Unix time, in seconds, at
	// which the window resets.
	Reset string
	// RetryAfter defaults to "Retry-After".
	RetryAfter string
}

// RequestFilter reports whether a request is exempt from every limit of the
// limiter (Flask-Limiter's request_filter). It must be safe for concurrent
// use.
type RequestFilter func(r *http.Request) bool

// levelOptions are the options Flask-Limiter offers for its default and
// application limits.
type levelOptions struct {
	texts      []string
	set        bool
	perMethod  bool
	exemptWhen ExemptFunc
	deductWhen DeductFunc
	cost       int64
	costFunc   CostFunc
}

// Bits of config.explicit: which settings an option set, so that FromEnv
// does not override them.
const (
	setEnabled = 1 << iota
	setStorage
	setStrategy
	setPrefix
	setHeaders
	setHeaderNames
	setRetryAfter
	setSwallow
	setFallback
	setDefaults
	setDefaultsPerMethod
	setDefaultsCost
	setApplication
	setApplicationPerMethod
	setApplicationCost
	setMeta
	setShadow
	setIETF
)

type config struct {
	explicit     uint32
	fromEnv      bool
	getenv       func(string) string
	keyFunc      KeyFunc
	defaults     levelOptions
	application  levelOptions
	meta         levelOptions
	strategy     string
	storageURI   string
	storage      backends.Storage
	prefix       string
	headers      bool
	headerNames  HeaderNames
	retryAfter   RetryAfterFormat
	ietf         bool
	swallow      bool
	fallback     bool
	fallbackText []string
	filters      []RequestFilter
	onBreach     BreachFunc
	breachResp   BreachResponseFunc
	enabled      bool
	shadow       bool
	logger       *slog.Logger
	clock        func() time.Time
	ctxResults   bool
	coarse       time.Duration // WithCoarseClock's resolution; 0: none
}

// WithKeyFunc sets the function that names the client a request is counted
// under (Flask-Limiter's key_func). The default is RemoteAddress.
func WithKeyFunc(f KeyFunc) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("runtime: WithKeyFunc(nil)")
		}
		c.keyFunc = f
		return nil
	}
}

// WithDefaultLimits sets the limits applied to every route that declares
// none of its own (Flask-Limiter's default_limits), e.g.
// WithDefaultLimits("2 per minute", "1 per second"). Each string may hold
// several limits separated by ';'. Default limits are counted per route.
func WithDefaultLimits(limits ...string) Option {
	return func(c *config) error {
		c.defaults.texts = limits
		c.defaults.set = true
		c.explicit |= setDefaults
		return nil
	}
}

// WithDefaultLimitsPerMethod counts the default limits separately for each
// HTTP method of a route (default_limits_per_method).
func WithDefaultLimitsPerMethod(on bool) Option {
	return func(c *config) error {
		c.defaults.perMethod = on
		c.explicit |= setDefaultsPerMethod
		return nil
	}
}

// WithDefaultLimitsExemptWhen skips the default limits for requests for
// which f returns true (default_limits_exempt_when).
func WithDefaultLimitsExemptWhen(f ExemptFunc) Option {
	return func(c *config) error { c.defaults.exemptWhen = f; return nil }
}

// WithDefaultLimitsDeductWhen charges the default limits only after the
// handler, and only when f returns true for its status
// (default_limits_deduct_when).
func WithDefaultLimitsDeductWhen(f DeductFunc) Option {
	return func(c *config) error { c.defaults.deductWhen = f; return nil }
}

// WithDefaultLimitsCost sets how many hits a request charges the default
// limits (default_limits_cost); the default is 1. Negative is an error.
func WithDefaultLimitsCost(n int64) Option {
	return func(c *config) error {
		if n < 0 {
			return errorf("WithDefaultLimitsCost(%d): cost must not be negative", n)
		}
		c.defaults.cost = n
		c.explicit |= setDefaultsCost
		return nil
	}
}

// WithDefaultLimitsCostFunc computes the cost of the default limits per
// request; it wins over WithDefaultLimitsCost.
func WithDefaultLimitsCostFunc(f CostFunc) Option {
	return func(c *config) error { c.defaults.costFunc = f; return nil }
}

// WithApplicationLimits sets limits shared by every route of the limiter:
// one budget per client for the whole application (Flask-Limiter's
// application_limits, counted under the scope "global").
func WithApplicationLimits(limits ...string) Option {
	return func(c *config) error {
		c.application.texts = limits
		c.application.set = true
		c.explicit |= setApplication
		return nil
	}
}

// WithApplicationLimitsPerMethod counts the application limits separately
// per HTTP method (application_limits_per_method).
func WithApplicationLimitsPerMethod(on bool) Option {
	return func(c *config) error {
		c.application.perMethod = on
		c.explicit |= setApplicationPerMethod
		return nil
	}
}

// WithApplicationLimitsExemptWhen skips the application limits for
// requests for which f returns true (application_limits_exempt_when).
func WithApplicationLimitsExemptWhen(f ExemptFunc) Option {
	return func(c *config) error { c.application.exemptWhen = f; return nil }
}

// WithApplicationLimitsDeductWhen charges the application limits only
// after the handler, when f returns true (application_limits_deduct_when).
func WithApplicationLimitsDeductWhen(f DeductFunc) Option {
	return func(c *config) error { c.application.deductWhen = f; return nil }
}

// WithApplicationLimitsCost sets the hits a request charges the application
// limits (application_limits_cost); default 1, negative is an error.
func WithApplicationLimitsCost(n int64) Option {
	return func(c *config) error {
		if n < 0 {
			return errorf("WithApplicationLimitsCost(%d): cost must not be negative", n)
		}
		c.application.cost = n
		c.explicit |= setApplicationCost
		return nil
	}
}

// WithApplicationLimitsCostFunc computes the application limits' cost per
// request; it wins over WithApplicationLimitsCost.
func WithApplicationLimitsCostFunc(f CostFunc) Option {
	return func(c *config) error { c.application.costFunc = f; return nil }
}

// WithMetaLimits sets limits on breaches (Flask-Limiter's meta_limits):
// every refused request counts one hit against them, and a client that has
// exhausted a meta limit is refused every request until its window ends.
func WithMetaLimits(limits ...string) Option {
	return func(c *config) error {
		c.meta.texts = limits
		c.meta.set = true
		c.explicit |= setMeta
		return nil
	}
}

// WithStrategy selects the window algorithm by name: "fixed-window" (the
// default), "moving-window" or "sliding-window-counter".
func WithStrategy(name string) Option {
	return func(c *config) error {
		c.strategy = name
		c.explicit |= setStrategy
		return nil
	}
}

// WithStorageURI selects the storage by URI, e.g. "memory://" (the
// default) or "redis://127.0.0.1:6379". Schemes other than memory:// need
// their backend package imported (blank import). New opens the storage and
// Close closes it.
func WithStorageURI(uri string) Option {
	return func(c *config) error {
		c.storageURI = uri
		c.storage = nil
		c.explicit |= setStorage
		return nil
	}
}

// WithStorage uses an already opened storage; the Limiter does not close
// it.
func WithStorage(s backends.Storage) Option {
	return func(c *config) error {
		if s == nil {
			return errors.New("runtime: WithStorage(nil)")
		}
		c.storage = s
		c.storageURI = ""
		c.explicit |= setStorage
		return nil
	}
}

// WithKeyPrefix sets the first part of every storage key (key_prefix);
// the default is "LIMITER". Limiters sharing a storage with different
// prefixes never share counters.
func WithKeyPrefix(prefix string) Option {
	return func(c *config) error {
		c.prefix = prefix
		c.explicit |= setPrefix
		return nil
	}
}

// WithHeaders turns the X-RateLimit-* and Retry-After response headers on
// or off (headers_enabled). They are off by default, as in Flask-Limiter.
func WithHeaders(on bool) Option {
	return func(c *config) error {
		c.headers = on
		c.explicit |= setHeaders
		return nil
	}
}

// WithHeaderNames renames the rate-limit headers (RATELIMIT_HEADER_*).
func WithHeaderNames(n HeaderNames) Option {
	return func(c *config) error {
		c.headerNames = n
		c.explicit |= setHeaderNames
		return nil
	}
}

// WithRetryAfter selects the Retry-After format (retry_after); the default
// is RetryAfterDeltaSeconds.
func WithRetryAfter(f RetryAfterFormat) Option {
	return func(c *config) error {
		if f > RetryAfterHTTPDate {
			return errorf("WithRetryAfter(%d): unknown format", f)
		}
		c.retryAfter = f
		c.explicit |= setRetryAfter
		return nil
	}
}

// WithIETFHeaders also writes the IETF RateLimit-Policy and RateLimit
// fields (draft-ietf-httpapi-ratelimit-headers) when headers are enabled.
func WithIETFHeaders(on bool) Option {
	return func(c *config) error {
		c.ietf = on
		c.explicit |= setIETF
		return nil
	}
}

// WithSwallowErrors lets requests through, unlimited, when the storage
// fails and no fallback is configured (swallow_errors). Without it a
// storage failure answers 500. Errors are logged either way.
func WithSwallowErrors(on bool) Option {
	return func(c *config) error {
		c.swallow = on
		c.explicit |= setSwallow
		return nil
	}
}

// WithFallback enables the in-memory fallback: when the storage fails, the
// limiter decides on an in-process memory storage until a periodic health
// check finds the storage back (in_memory_fallback_enabled). With limits,
// those limits replace every route's limits while the fallback is in use
// (in_memory_fallback); without, routes keep their own limits.
func WithFallback(limits ...string) Option {
	return func(c *config) error {
		c.fallback = true
		c.fallbackText = limits
		c.explicit |= setFallback
		return nil
	}
}

// WithRequestFilter adds a filter; a request for which any filter returns
// true is exempt from every limit, meta limits included (request_filter).
func WithRequestFilter(f RequestFilter) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("runtime: WithRequestFilter(nil)")
		}
		c.filters = append(c.filters, f)
		return nil
	}
}

// WithOnBreach sets the callback called when any limit refuses a request
// (on_breach). It runs after the breached rule's own OnBreach (if that one
// did not handle the response) and may write its own response.
func WithOnBreach(f BreachFunc) Option {
	return func(c *config) error { c.onBreach = f; return nil }
}

// WithBreachResponse replaces the 429 response of every refused request
// with f's (issue a JSON body of your own, a redirect, another status). A
// rule's Rule.BreachResponse wins over it; OnBreach callbacks that handle
// the breach win over both. f writes the whole response, status included;
// the rate-limit headers are already set. nil keeps WriteTooManyRequests.
func WithBreachResponse(f BreachResponseFunc) Option {
	return func(c *config) error { c.breachResp = f; return nil }
}

// WithEnabled switches limiting on (the default) or off (enabled). A
// disabled limiter passes every request to its handler untouched.
func WithEnabled(on bool) Option {
	return func(c *config) error {
		c.enabled = on
		c.explicit |= setEnabled
		return nil
	}
}

// WithShadowMode decides and reports every request (headers, results in
// the context, logs, meta limits) but never refuses one: a dry run for new
// limits. It is off by default.
func WithShadowMode(on bool) Option {
	return func(c *config) error {
		c.shadow = on
		c.explicit |= setShadow
		return nil
	}
}

// WithLogger sets where breaches (Info) and storage errors (Error, Warn)
// are logged. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("runtime: WithLogger(nil)")
		}
		c.logger = l
		return nil
	}
}

// WithCoarseClock makes the limiter read the time from a CoarseClock of
// the given resolution (at most a second; a millisecond is the usual
// choice), which it starts in New and stops in Close: each request then
// saves a clock read (about 25 ns) for instants up to one resolution late.
// It cannot be combined with WithClock.
func WithCoarseClock(resolution time.Duration) Option {
	return func(c *config) error {
		if resolution <= 0 || resolution > time.Second {
			return fmt.Errorf("runtime: WithCoarseClock(%v): want more than 0 and at most 1s", resolution)
		}
		c.coarse = resolution
		return nil
	}
}

// WithClock sets the limiter's clock, for tests that pass time in instead
// of sleeping. The default reads the process's monotonic clock.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("runtime: WithClock(nil)")
		}
		c.clock = now
		return nil
	}
}

// WithContextResults controls whether the handler's request carries the
// decision for ResultsFromContext; it is off by default. Turning it on
// costs a copy of the request with a new context (two allocations, about
// 300 B) per admitted request, which would more than double the limiter's
// own cost, so only services that read the results in their handlers should
// pay for it. Headers (WithHeaders) carry the described limit without it.
func WithContextResults(on bool) Option {
	return func(c *config) error { c.ctxResults = on; return nil }
}

// FromEnv reads the RATELIMIT_* environment variables in New (see the
// package's README for the list). A setting given by an explicit option
// wins over its variable, whatever the order of the options. A malformed
// value is an error from New.
func FromEnv() Option {
	return func(c *config) error { c.fromEnv = true; return nil }
}

// withGetenv replaces os.Getenv for FromEnv, for tests.
func withGetenv(f func(string) string) Option {
	return func(c *config) error { c.getenv = f; c.fromEnv = true; return nil }
}
