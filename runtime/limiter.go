package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/limitgen/limitgen/backends"
	_ "github.com/limitgen/limitgen/backends/memory" // memory:// is the default storage and the fallback
)

// Limiter decides HTTP requests against rate limits kept in a storage: the
// default, application and meta limits it is configured with, and the
// limits of the routes registered on it. Create one with New. A Limiter is
// safe for concurrent use; Register and Mount may run while requests are
// served.
type Limiter struct {
	cfg        config
	enabled    bool
	shadow     bool
	store      backends.Storage
	ownStore   bool
	strategy   backends.Strategy
	prefix     string
	keyFunc    KeyFunc
	clock      func() time.Time
	coarse     *CoarseClock // started by WithCoarseClock, stopped by Close
	log        *slog.Logger
	filters    []RequestFilter
	onBreach   BreachFunc
	breachResp BreachResponseFunc

	defaults    *ruleSet
	application *ruleSet
	meta        *ruleSet
	fallbackSet *ruleSet // nil: routes keep their limits on the fallback

	headers headerConfig

	fallback    backends.Storage // nil when the fallback is disabled
	storageDead atomic.Bool
	checkMu     sync.Mutex
	lastCheck   time.Time
	checkCount  int

	mu      sync.Mutex // serialises Register
	reg     atomic.Pointer[registry]
	dynamic sync.Map      // pattern -> *routeState, for routes the middleware found on a ServeMux
	handIDs atomic.Int64  // numbers the routes Limit creates
	dyn     dynamicLimits // parsed LimitsFunc strings
	stateP  sync.Pool     // *requestState with its scratch memory
}

// ruleSet is a level of limits configured on the limiter (default,
// application, meta, fallback): the rule as routes see it, before scoping.
type ruleSet struct {
	lv   level
	rule Rule
}

// New returns a Limiter configured by opts. It parses every limit string,
// opens the storage (memory:// unless configured otherwise) and returns an
// error quoting the offending value for a malformed limit, strategy, URI or
// environment variable; it never falls back silently.
func New(opts ...Option) (*Limiter, error) {
	c := config{
		enabled: true,
		prefix:  backends.DefaultPrefix,
		getenv:  os.Getenv,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	if c.fromEnv {
		if err := c.applyEnv(); err != nil {
			return nil, err
		}
	}
	l := &Limiter{
		cfg:        c,
		enabled:    c.enabled,
		shadow:     c.shadow,
		prefix:     c.prefix,
		keyFunc:    c.keyFunc,
		clock:      c.clock,
		log:        c.logger,
		filters:    c.filters,
		onBreach:   c.onBreach,
		breachResp: c.breachResp,
	}
	if l.keyFunc == nil {
		l.keyFunc = RemoteAddress
	}
	if l.clock == nil {
		l.clock = Now
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.prefix == "" {
		l.prefix = backends.DefaultPrefix
	}
	var err error
	if c.strategy != "" {
		if l.strategy, err = backends.ParseStrategy(c.strategy); err != nil {
			return nil, fmt.Errorf("runtime: strategy: %w", err)
		}
	}
	if l.defaults, err = c.defaults.ruleSet(levelDefault, "default"); err != nil {
		return nil, err
	}
	if l.application, err = c.application.ruleSet(levelApplication, "application"); err != nil {
		return nil, err
	}
	if l.meta, err = c.meta.ruleSet(levelMeta, "meta"); err != nil {
		return nil, err
	}
	if c.fallback && len(c.fallbackText) > 0 {
		fb := levelOptions{texts: c.fallbackText, set: true}
		if l.fallbackSet, err = fb.ruleSet(levelFallback, "fallback"); err != nil {
			return nil, err
		}
	}
	l.headers = newHeaderConfig(&c)
	l.reg.Store(&registry{byEndpoint: map[string]*routeState{}, byPattern: map[string]*routeState{}, matcher: http.NewServeMux()})
	l.stateP.New = func() any { return new(requestState) }

	switch {
	case c.storage != nil:
		l.store = c.storage
	default:
		uri := c.storageURI
		if uri == "" {
			uri = "memory://"
		}
		if l.store, err = backends.Open(uri); err != nil {
			return nil, fmt.Errorf("runtime: storage: %w", err)
		}
		l.ownStore = true
	}
	if c.fallback {
		if l.fallback, err = backends.Open("memory://"); err != nil {
			l.Close()
			return nil, fmt.Errorf("runtime: in-memory fallback: %w", err)
		}
	}
	if c.coarse > 0 {
		if c.clock != nil {
			l.Close()
			return nil, errors.New("runtime: WithCoarseClock and WithClock both set the clock")
		}
		if l.coarse, err = NewCoarseClock(c.coarse); err != nil {
			l.Close()
			return nil, err
		}
		l.clock = l.coarse.Now
	}
	return l, nil
}

// ruleSet parses one level's limit strings; nil when it has none.
func (o *levelOptions) ruleSet(lv level, what string) (*ruleSet, error) {
	var limits []Limit
	for _, s := range o.texts {
		ls, err := ParseLimits(s)
		if err != nil {
			return nil, fmt.Errorf("runtime: %s limits: %w", what, err)
		}
		limits = append(limits, ls...)
	}
	if len(limits) == 0 {
		return nil, nil
	}
	return &ruleSet{lv: lv, rule: Rule{
		Limits:     limits,
		PerMethod:  o.perMethod,
		Cost:       o.cost,
		CostFunc:   o.costFunc,
		ExemptWhen: o.exemptWhen,
		DeductWhen: o.deductWhen,
	}}, nil
}

// Close closes the storage the Limiter opened from a URI (not one passed
// with WithStorage) and the fallback storage. Requests decided after Close
// fail as storage errors do.
func (l *Limiter) Close() error {
	if l.coarse != nil {
		l.coarse.Stop()
	}
	var errs []error
	if l.ownStore && l.store != nil {
		errs = append(errs, l.store.Close())
	}
	if l.fallback != nil {
		errs = append(errs, l.fallback.Close())
	}
	return errors.Join(errs...)
}

// Storage returns the storage the Limiter decides on.
func (l *Limiter) Storage() backends.Storage { return l.store }

// Enabled reports whether the Limiter limits requests at all.
func (l *Limiter) Enabled() bool { return l.enabled }

// storage returns the storage to decide on now: the fallback while the
// main storage is down, checking the main one now and then.
func (l *Limiter) storage(ctx context.Context, now time.Time) (backends.Storage, bool) {
	if l.fallback == nil || !l.storageDead.Load() {
		return l.store, false
	}
	if l.shouldCheck(now) && l.store.Ping(ctx) == nil {
		l.storageDead.Store(false)
		l.checkMu.Lock()
		l.checkCount = 0
		l.checkMu.Unlock()
		l.log.Info("ratelimit storage recovered")
		return l.store, false
	}
	return l.fallback, true
}

// maxBackendChecks bounds the exponential back-off of health checks while
// on the fallback: 1, 2, 4, … 32 seconds, then from 1 again, as
// Flask-Limiter does.
const maxBackendChecks = 5

func (l *Limiter) shouldCheck(now time.Time) bool {
	l.checkMu.Lock()
	defer l.checkMu.Unlock()
	if l.checkCount > maxBackendChecks {
		l.checkCount = 0
	}
	if now.Sub(l.lastCheck) > time.Duration(1<<l.checkCount)*time.Second {
		l.lastCheck = now
		l.checkCount++
		return true
	}
	return false
}

// markDead switches to the fallback after a storage error; it reports
// whether the fallback is available.
func (l *Limiter) markDead(now time.Time, err error) bool {
	if l.fallback == nil {
		return false
	}
	if !l.storageDead.Swap(true) {
		l.checkMu.Lock()
		l.lastCheck = now
		l.checkCount = 0
		l.checkMu.Unlock()
		l.log.Warn("ratelimit storage unreachable, falling back to in-memory storage", "error", err)
	}
	return true
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("runtime: "+format, args...)
}
