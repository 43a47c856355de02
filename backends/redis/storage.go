package redis

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
)

var (
	//go:embed prelude.lua
	prelude string
	//go:embed fixed.lua
	fixedBody string
	//go:embed moving.lua
	movingBody string
	//go:embed sliding.lua
	slidingBody string
	//go:embed fixed_server.lua
	fixedServerSource string
	//go:embed moving_one.lua
	movingOne string
	//go:embed sliding_one.lua
	slidingOne string
)

// fixedServerScript decides fixed windows on the server's clock with Redis
// expiry; see fixed_server.lua.
var fixedServerScript = newLuaScript(fixedServerSource)

// scripts decide every limit of one call, one script per strategy; see
// prelude.lua. The moving and sliding scripts start with a short path for
// a hit on one limit (moving_one.lua, sliding_one.lua).
var scripts = [...]*luaScript{
	backends.FixedWindow:          newLuaScript(prelude + fixedBody),
	backends.MovingWindow:         newLuaScript(movingOne + prelude + movingBody),
	backends.SlidingWindowCounter: newLuaScript(slidingOne + prelude + slidingBody),
}

// luaScript is a script and its source, which a coalesced call sends
// with EVAL when the server answers NOSCRIPT to its EVALSHA.
type luaScript struct {
	*goredis.Script
	src string
}

func newLuaScript(src string) *luaScript {
	return &luaScript{Script: goredis.NewScript(src), src: src}
}

// evalSha returns the command EVALSHA of the script with keys and args.
func (l *luaScript) evalSha(ctx context.Context, keys []string, args []any) *goredis.Cmd {
	cmd := make([]any, 0, 3+len(keys)+len(args))
	cmd = append(cmd, "evalsha", l.Hash(), len(keys))
	for _, k := range keys {
		cmd = append(cmd, k)
	}
	c := goredis.NewCmd(ctx, append(cmd, args...)...)
	if len(keys) > 0 {
		c.SetFirstKeyPos(3) // a cluster client routes by KEYS[1]
	}
	return c
}

// Suffixes of the keys of every strategy but the fixed window on the
// server's clock, so that one limit key used with several strategies or
// clock modes never mixes data types.
const (
	fixedClientSuffix = "#fw"
	movingSuffix      = "#mw"
	slidingSuffix     = "#sw"
)

// clientClockSlack keeps keys this much longer than their window in
// client-clock mode, so callers whose clocks lag the server's still find
// their counters; expiry is decided from the instants stored in the keys.
const clientClockSlack = 1000 // milliseconds

// Storage is a backends.Storage on Redis. It is safe for concurrent use by
// multiple goroutines.
type Storage struct {
	client  goredis.UniversalClient
	cluster bool
	opts    Options
	timeout time.Duration
	// perCall is whether each call derives a context with the timeout
	// (not when the timeout is off or the client bounds calls itself)
	perCall bool
	co      *coalescer // nil: each decision is its own call
	closed  atomic.Bool
}

var (
	_ backends.Storage     = (*Storage)(nil)
	_ backends.ServerClock = (*Storage)(nil)
)

// New returns a Storage that keeps its counters through client, which may
// be a *goredis.Client, a *goredis.ClusterClient or a failover client. For
// Options.Timeout to cut a hung call short, client must have been created
// with ContextTimeoutEnabled; with Options.ClientTimeouts the client's own
// timeouts must also fit (see there), or New returns an error. Close
// closes client only if Options.CloseClient is set.
func New(client goredis.UniversalClient, opts Options) (*Storage, error) {
	if client == nil {
		return nil, errors.New("redis: New with a nil client")
	}
	if strings.ContainsAny(opts.Prefix, "{}") {
		return nil, fmt.Errorf("redis: key prefix %q contains a brace, which would change the keys' hash slots", opts.Prefix)
	}
	s := &Storage{client: client, opts: opts, timeout: opts.Timeout}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	s.perCall = s.timeout > 0
	if opts.ClientTimeouts {
		if err := boundsCalls(client, s.timeout); err != nil {
			return nil, err
		}
		s.perCall = false
	}
	_, s.cluster = client.(*goredis.ClusterClient)
	if n := opts.Pipelines; n >= 0 {
		if n == 0 {
			n = DefaultPipelines
		}
		s.co = newCoalescer(client, n, s.timeout)
	}
	return s, nil
}

// Client returns the go-redis client the storage uses.
func (s *Storage) Client() goredis.UniversalClient { return s.client }

// Prefix returns the prefix prepended to every key (Options.Prefix).
func (s *Storage) Prefix() string { return s.opts.Prefix }

// UsesServerClock reports whether decisions use the Redis server's clock
// (the default) rather than Request.Now.
func (s *Storage) UsesServerClock() bool { return !s.opts.ClientClock }

// Hit decides req in one script call per hash slot (one in all for keys
// built with backends.Key for one client) and charges every limit only if
// all have room. See the package documentation for the clock.
func (s *Storage) Hit(ctx context.Context, req *backends.Request, results []backends.Result) (bool, error) {
	return s.decide(ctx, opHit, req, results)
}

// Test answers as Hit would without charging anything.
func (s *Storage) Test(ctx context.Context, req *backends.Request, results []backends.Result) (bool, error) {
	return s.decide(ctx, opTest, req, results)
}

// Clear removes the counters of key for every strategy.
func (s *Storage) Clear(ctx context.Context, key string) error {
	if s.closed.Load() {
		return backends.ErrClosed
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	k := s.opts.Prefix + key
	keys := []string{k, k + fixedClientSuffix, k + movingSuffix, k + slidingSuffix}
	if !s.cluster || backends.HashTag(k) != k {
		return wrap("clear", s.client.Del(ctx, keys...).Err())
	}
	// Without a hash tag the three keys may live in different slots.
	_, err := s.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, k := range keys {
			p.Del(ctx, k)
		}
		return nil
	})
	return wrap("clear", err)
}

// Ping reports whether Redis answers; on a cluster, every master must.
func (s *Storage) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return backends.ErrClosed
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if c, ok := s.client.(*goredis.ClusterClient); ok {
		return wrap("ping", c.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error {
			return n.Ping(ctx).Err()
		}))
	}
	return wrap("ping", s.client.Ping(ctx).Err())
}

// Close marks the storage closed and, if Options.CloseClient is set,
// closes the client. Later calls return backends.ErrClosed.
func (s *Storage) Close() error {
	if s.closed.Swap(true) {
		return backends.ErrClosed
	}
	if s.co != nil {
		s.co.close()
	}
	if s.opts.CloseClient {
		return wrap("close", s.client.Close())
	}
	return nil
}

// bound returns ctx with the storage's timeout as a deadline, unless the
// timeout is off, the client enforces it (Options.ClientTimeouts), or ctx
// already ends no later (as within a cross-slot request, bounded as a
// whole).
func (s *Storage) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if !s.perCall {
		return ctx, noCancel
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= s.timeout {
		return ctx, noCancel
	}
	return context.WithTimeout(ctx, s.timeout)
}

func noCancel() {}

// eval runs script with keys and args: in the next coalesced pipeline,
// or, with coalescing off, as its own call bounded by the timeout. A call
// cut short by Close (which may close the client under it) returns
// backends.ErrClosed.
func (s *Storage) eval(ctx context.Context, script *luaScript, keys []string, args []any) (any, error) {
	var v any
	var err error
	if s.co != nil {
		v, err = s.co.eval(ctx, script, keys, args)
	} else {
		bounded, cancel := s.bound(ctx)
		v, err = script.Run(bounded, s.client, keys, args...).Result()
		cancel()
	}
	if err != nil && s.closed.Load() && ctx.Err() == nil {
		err = backends.ErrClosed
	}
	return v, err
}

// boundsCalls checks the claim of Options.ClientTimeouts: that client
// bounds each wait of a call by timeout and never sends a call again.
func boundsCalls(client goredis.UniversalClient, timeout time.Duration) error {
	c, ok := client.(*goredis.Client)
	if !ok {
		return fmt.Errorf("redis: Options.ClientTimeouts needs a *goredis.Client, not a %T", client)
	}
	if timeout < 0 {
		return errors.New("redis: Options.ClientTimeouts with a negative Timeout (no bound)")
	}
	o := c.Options()
	if !o.ContextTimeoutEnabled {
		return errors.New("redis: Options.ClientTimeouts needs a client with ContextTimeoutEnabled")
	}
	if o.MaxRetries != 0 { // -1 when created, 0 once go-redis normalised it
		return fmt.Errorf("redis: Options.ClientTimeouts needs a client with MaxRetries -1, not %d retries", o.MaxRetries)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"DialTimeout", o.DialTimeout}, {"ReadTimeout", o.ReadTimeout}, {"WriteTimeout", o.WriteTimeout}, {"PoolTimeout", o.PoolTimeout}} {
		if d.v <= 0 || d.v > timeout {
			return fmt.Errorf("redis: Options.ClientTimeouts needs the client's %s (%v) between 0 and the timeout (%v)", d.name, d.v, timeout)
		}
	}
	return nil
}

// wrap prefixes err with the package and the operation. go-redis errors
// carry addresses and server replies, never passwords.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redis: %s: %w", op, err)
}
