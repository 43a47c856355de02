// Package backendtest is the conformance suite every limitgen storage runs
// against a real server. A backend's test calls [Run] with a function that
// opens a fresh storage:
//
//	func TestConformance(t *testing.T) {
//		backendtest.Run(t, func(t *testing.T) backends.Storage {
//			s, err := backends.Open("redis://127.0.0.1:6379/0")
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		}, backendtest.WithGranularity(time.Millisecond))
//	}
//
// The suite checks each strategy's semantics as tables over instants
// (passing Request.Now), costs (0, and more than the amount), zero amounts,
// expiry, key isolation, all-or-nothing decisions across several limits,
// Test (peek), the Remaining and Reset of results, Clear, Validate errors,
// Close, agreement with the reference model of package backends over
// pseudo-random request sequences, and exactness under concurrency:
// G goroutines × N hits against a limit of L admit exactly min(G×N, L).
//
// Backends that decide with their server's clock (they implement
// [backends.ServerClock]) cannot follow Request.Now, so for them the suite
// replaces the tables over instants by real-time checks with short windows
// (bursts, refusal, expiry after the window, Reset bounds); those cases
// sleep about two windows each.
package backendtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// Option adjusts the suite to what a backend can do. The zero set of
// options tests every strategy with nanosecond windows, the client's clock
// (unless the storage implements backends.ServerClock), a random key prefix
// and 8 concurrent goroutines.
type Option func(*config)

type config struct {
	strategies  []backends.Strategy
	granularity time.Duration
	prefix      string
	concurrency int
	serverClock *bool
	unreachable string
}

// WithStrategies restricts the suite to the strategies the backend
// supports; the default is every strategy. For every other strategy the
// suite checks that Hit and Test return an error (never a silent fallback
// to another strategy).
func WithStrategies(s ...backends.Strategy) Option {
	return func(c *config) { c.strategies = slices.Clone(s) }
}

// WithGranularity sets the shortest window the store keeps exactly, e.g.
// time.Second for memcached, whose expiry counts whole seconds. Cases with
// windows shorter than d are left out, and real-time cases use windows of
// at least d. The default is 1ns (every window).
func WithGranularity(d time.Duration) Option {
	return func(c *config) { c.granularity = d }
}

// WithKeyPrefix sets the prefix of every key the suite uses, so runs on a
// shared server do not collide. The default is "backendtest-" followed by
// random hex digits, new for each call of Run.
func WithKeyPrefix(p string) Option {
	return func(c *config) { c.prefix = p }
}

// WithConcurrency sets how many goroutines the concurrency cases run at
// once (G); the default is 8. Use 1 for a server that serves one
// connection at a time.
func WithConcurrency(g int) Option {
	return func(c *config) { c.concurrency = g }
}

// WithServerClock overrides the detection of backends.ServerClock: true
// runs the real-time variants, false the tables over instants.
func WithServerClock(b bool) Option {
	return func(c *config) { c.serverClock = &b }
}

// WithUnreachable adds the case "Unreachable": uri names a server that
// does not answer (e.g. a closed port on 127.0.0.1) and carries a password.
// Opening it may fail; if it succeeds, Ping, Hit, Test and Clear must
// return errors (never a decision), within a 10-second context deadline.
// No error, from Open or later, may contain the password.
func WithUnreachable(uri string) Option {
	return func(c *config) { c.unreachable = uri }
}

// suite is one run of the conformance cases.
type suite struct {
	cfg  config
	open func(t *testing.T) backends.Storage
	seq  atomic.Int64
}

// Run runs the conformance suite as subtests of t. open must return a
// ready, newly opened storage each time it is called; Run calls it once per
// group of cases and closes what it returns when the group ends. Storages
// returned by open may share one server: every case uses its own keys,
// under the configured prefix.
func Run(t *testing.T, open func(t *testing.T) backends.Storage, opts ...Option) {
	t.Helper()
	cfg := config{granularity: 1, concurrency: 8}
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.strategies) == 0 {
		cfg.strategies = backends.Strategies()
	}
	if cfg.granularity <= 0 {
		cfg.granularity = 1
	}
	if cfg.concurrency < 1 {
		cfg.concurrency = 1
	}
	if cfg.prefix == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		cfg.prefix = "backendtest-" + hex.EncodeToString(b[:])
	}
	s := &suite{cfg: cfg, open: open}
	t.Run("Ping", s.testPing)
	t.Run("Validate", s.testValidate)
	t.Run("Clear", s.testClearMissing)
	for _, st := range cfg.strategies {
		t.Run(st.String(), func(t *testing.T) { s.runStrategy(t, st) })
	}
	for _, st := range backends.Strategies() {
		if !slices.Contains(cfg.strategies, st) {
			t.Run("Unsupported/"+st.String(), func(t *testing.T) { s.testUnsupported(t, st) })
		}
	}
	t.Run("Close", s.testClose)
	if cfg.unreachable != "" {
		t.Run("Unreachable", s.testUnreachable)
	}
}

// store opens a storage for one group of cases and closes it afterwards.
func (s *suite) store(t *testing.T) backends.Storage {
	t.Helper()
	st := s.open(t)
	if st == nil {
		t.Fatal("backendtest: open returned a nil storage")
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// serverClock reports whether st decides with its server's clock.
func (s *suite) serverClock(st backends.Storage) bool {
	if s.cfg.serverClock != nil {
		return *s.cfg.serverClock
	}
	sc, ok := st.(backends.ServerClock)
	return ok && sc.UsesServerClock()
}

// client returns a client key no other case uses.
func (s *suite) client(t *testing.T) string {
	return t.Name() + "#" + strconv.FormatInt(s.seq.Add(1), 10)
}

// key returns the storage key of a limit of client, in the documented
// layout, under the suite's prefix.
func (s *suite) key(client, limit string) string {
	return backends.Key(s.cfg.prefix, client, "backendtest", limit)
}

func (s *suite) testPing(t *testing.T) {
	st := s.store(t)
	if err := st.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func (s *suite) testClearMissing(t *testing.T) {
	st := s.store(t)
	if err := st.Clear(context.Background(), s.key(s.client(t), "1 per 1 minute")); err != nil {
		t.Fatalf("Clear of a key that does not exist: %v", err)
	}
}

func (s *suite) testValidate(t *testing.T) {
	st := s.store(t)
	ctx := context.Background()
	key := s.key(s.client(t), "1 per 1 minute")
	good := backends.Limit{Key: key, Amount: 1, Window: time.Minute, Cost: 1}
	with := func(f func(*backends.Limit)) []backends.Limit {
		l := good
		f(&l)
		return []backends.Limit{l}
	}
	cases := []struct {
		name string
		req  backends.Request
		n    int // results
	}{
		{"unknown strategy", backends.Request{Strategy: 200, Now: time.Now(), Limits: []backends.Limit{good}}, 1},
		{"results length", backends.Request{Now: time.Now(), Limits: []backends.Limit{good}}, 2},
		{"empty key", backends.Request{Now: time.Now(), Limits: with(func(l *backends.Limit) { l.Key = "" })}, 1},
		{"negative amount", backends.Request{Now: time.Now(), Limits: with(func(l *backends.Limit) { l.Amount = -1 })}, 1},
		{"zero window", backends.Request{Now: time.Now(), Limits: with(func(l *backends.Limit) { l.Window = 0 })}, 1},
		{"negative window", backends.Request{Now: time.Now(), Limits: with(func(l *backends.Limit) { l.Window = -time.Second })}, 1},
		{"negative cost", backends.Request{Now: time.Now(), Limits: with(func(l *backends.Limit) { l.Cost = -1 })}, 1},
	}
	for _, c := range cases {
		res := make([]backends.Result, c.n)
		if _, err := st.Hit(ctx, &c.req, res); err == nil {
			t.Errorf("Hit with %s: no error", c.name)
		}
		if _, err := st.Test(ctx, &c.req, res); err == nil {
			t.Errorf("Test with %s: no error", c.name)
		}
	}
	// None of the refused requests may have charged the good key.
	res := make([]backends.Result, 1)
	ok, err := st.Test(ctx, &backends.Request{Now: time.Now(), Limits: []backends.Limit{good}}, res)
	if err != nil || !ok || res[0].Remaining != 1 {
		t.Errorf("after invalid requests: Test = %v, %+v, %v; want true, remaining 1", ok, res[0], err)
	}
}

func (s *suite) testClose(t *testing.T) {
	st := s.open(t)
	if st == nil {
		t.Fatal("backendtest: open returned a nil storage")
	}
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := context.Background()
	l := []backends.Limit{{Key: s.key(s.client(t), "1 per 1 minute"), Amount: 1, Window: time.Minute, Cost: 1}}
	req := &backends.Request{Now: time.Now(), Limits: l}
	res := make([]backends.Result, 1)
	if _, err := st.Hit(ctx, req, res); !errors.Is(err, backends.ErrClosed) {
		t.Errorf("Hit after Close: %v, want ErrClosed", err)
	}
	if _, err := st.Test(ctx, req, res); !errors.Is(err, backends.ErrClosed) {
		t.Errorf("Test after Close: %v, want ErrClosed", err)
	}
	if err := st.Clear(ctx, l[0].Key); !errors.Is(err, backends.ErrClosed) {
		t.Errorf("Clear after Close: %v, want ErrClosed", err)
	}
	if err := st.Ping(ctx); !errors.Is(err, backends.ErrClosed) {
		t.Errorf("Ping after Close: %v, want ErrClosed", err)
	}
	if err := st.Close(); err != nil && !errors.Is(err, backends.ErrClosed) {
		t.Errorf("second Close: %v, want nil or ErrClosed", err)
	}
}

func (s *suite) testUnreachable(t *testing.T) {
	u, err := backends.ParseURI(s.cfg.unreachable)
	if err != nil {
		t.Fatalf("WithUnreachable: %v", err)
	}
	secret := u.Password
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s on an unreachable server: no error", what)
			return
		}
		if secret != "" && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error reveals the password: %v", what, err)
		}
	}
	st, err := backends.Open(s.cfg.unreachable)
	if err != nil {
		check("Open", err)
		return
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l := []backends.Limit{{Key: s.key(s.client(t), "1 per 1 minute"), Amount: 1, Window: time.Minute, Cost: 1}}
	for _, strategy := range s.cfg.strategies {
		req := &backends.Request{Strategy: strategy, Now: time.Now(), Limits: l}
		res := make([]backends.Result, 1)
		ok, err := st.Hit(ctx, req, res)
		check("Hit", err)
		if ok {
			t.Errorf("Hit on an unreachable server admitted the request")
		}
		_, err = st.Test(ctx, req, res)
		check("Test", err)
	}
	check("Ping", st.Ping(ctx))
	check("Clear", st.Clear(ctx, l[0].Key))
}

func (s *suite) testUnsupported(t *testing.T, strategy backends.Strategy) {
	st := s.store(t)
	req := &backends.Request{Strategy: strategy, Now: time.Now(), Limits: []backends.Limit{
		{Key: s.key(s.client(t), "1 per 1 minute"), Amount: 1, Window: time.Minute, Cost: 1}}}
	res := make([]backends.Result, 1)
	if ok, err := st.Hit(context.Background(), req, res); err == nil {
		t.Errorf("Hit with the unsupported strategy %v: %v and no error", strategy, ok)
	}
	if ok, err := st.Test(context.Background(), req, res); err == nil {
		t.Errorf("Test with the unsupported strategy %v: %v and no error", strategy, ok)
	}
}
