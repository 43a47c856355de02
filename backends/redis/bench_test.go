package redis_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/redis"
)

// benchClients is the number of concurrent callers the benchmarks run, as
// the issue asks: 64 goroutines sharing one pool of 64 connections.
const benchClients = 64

// benchKeys is the number of distinct clients (keys) the callers hit, at
// random: with 100 per second each, limits are mostly admitted.
const benchKeys = 4096

func benchClient(b *testing.B) *goredis.Client {
	uri := backendtest.ServerURI(b, "LIMITGEN_REDIS_URI")
	u, err := backends.ParseURI(uri)
	if err != nil {
		b.Fatal(err)
	}
	// as the URI opener configures a client for the default timeout=1s
	// (Options.ClientTimeouts): every wait bounded by the client, no retries
	t := redis.DefaultTimeout
	c := goredis.NewClient(&goredis.Options{Addr: u.Hosts[0], PoolSize: benchClients, ContextTimeoutEnabled: true, DisableIdentity: true,
		DialTimeout: t, ReadTimeout: t, WriteTimeout: t, PoolTimeout: t, MaxRetries: -1})
	b.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		b.Fatal(err)
	}
	return c
}

// parallel runs body from benchClients goroutines.
// It reports the client's and the server's CPU time per operation too, and
// the server's time executing the commands cmds (see cpuMeter).
func parallel(b *testing.B, c *goredis.Client, body func(r *rand.Rand), cmds ...string) {
	b.SetParallelism((benchClients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	m := startCPU(b, c, cmds...)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			body(r)
		}
	})
	b.StopTimer()
	m.report(b)
}

// BenchmarkIncr is the floor: one bare INCR per request through the same
// client library, pool and concurrency (one round trip, no logic).
func BenchmarkIncr(b *testing.B) {
	c := benchClient(b)
	benchIncr(b, c, "bench-incr/", c.Incr)
}

// benchIncr runs incr on one of benchKeys keys under prefix per request.
func benchIncr(b *testing.B, c *goredis.Client, prefix string, incr func(ctx context.Context, key string) *goredis.IntCmd) {
	ctx := context.Background()
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = prefix + "{" + strconv.Itoa(i) + "}"
	}
	parallel(b, c, func(r *rand.Rand) {
		if err := incr(ctx, keys[r.IntN(benchKeys)]).Err(); err != nil {
			b.Error(err)
		}
	}, "incr")
}

// incrScript is the cheapest script that counts: the floor of any
// Lua-based decision, for context next to BenchmarkIncr.
var incrScript = goredis.NewScript(`return redis.call('INCR', KEYS[1])`)

// BenchmarkIncrScript runs incrScript per request (one EVALSHA).
func BenchmarkIncrScript(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = "bench-incr-script/{" + strconv.Itoa(i) + "}"
	}
	if err := incrScript.Load(ctx, c).Err(); err != nil {
		b.Fatal(err)
	}
	parallel(b, c, func(r *rand.Rand) {
		if err := incrScript.Run(ctx, c, keys[r.IntN(benchKeys):][:1]).Err(); err != nil {
			b.Error(err)
		}
	}, "evalsha", "eval")
}

// BenchmarkIncrAutoPipeline is the floor for coalesced decisions: a bare
// INCR per request through go-redis's own automatic pipelining, which
// sends concurrent commands together as limitgen's coalescer does.
func BenchmarkIncrAutoPipeline(b *testing.B) {
	c := benchClient(b)
	ap, err := c.AutoPipeline()
	if err != nil {
		b.Fatal(err)
	}
	benchIncr(b, c, "bench-incr-auto/", ap.Incr)
}

// BenchmarkHit decides one limit (100 per second) per request, per
// strategy, with the server's clock: each script's short path for a hit
// on one limit, answered by one integer. BenchmarkHit/two-limits decides
// two limits of one client (adding 10000 per hour) in one script call.
// The storage lets the client bound each call (Options.ClientTimeouts), as
// the URI openers do. pipelines=2 coalesces concurrent decisions (the
// default); pipelines=0 sends each on its own connection.
func BenchmarkHit(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	keys := make([][2]string, benchKeys)
	for i := range keys {
		client := strconv.Itoa(i)
		keys[i] = [2]string{backends.Key("L", client, "s", "100 per 1 second"), backends.Key("L", client, "s", "10000 per 1 hour")}
	}
	run := func(pipelines int, s backends.Strategy, two bool) func(b *testing.B) {
		return func(b *testing.B) {
			st, err := redis.New(c, redis.Options{Prefix: backendtest.UniquePrefix(b), ClientTimeouts: true, Pipelines: pipelines})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			parallel(b, c, func(r *rand.Rand) {
				k := keys[r.IntN(benchKeys)]
				limits := [2]backends.Limit{
					{Key: k[0], Amount: 100, Window: time.Second, Cost: 1},
					{Key: k[1], Amount: 10000, Window: time.Hour, Cost: 1},
				}
				req := backends.Request{Strategy: s, Limits: limits[:1]}
				if two {
					req.Limits = limits[:]
				}
				var res [2]backends.Result
				if _, err := st.Hit(ctx, &req, res[:len(req.Limits)]); err != nil {
					b.Error(err)
				}
			}, "evalsha", "eval")
		}
	}
	for _, p := range []struct {
		name string
		n    int
	}{{"pipelines=2", 2}, {"pipelines=0", -1}} {
		for _, s := range backends.Strategies() {
			b.Run(p.name+"/"+s.String(), run(p.n, s, false))
		}
		for _, s := range backends.Strategies() {
			b.Run(p.name+"/two-limits/"+s.String(), run(p.n, s, true))
		}
	}
}

// BenchmarkHitSerial is the latency of one decision with nothing else in
// flight: one caller, one fixed-window limit, coalesced (pipelines=2)
// or not (pipelines=0), next to a bare INCR.
func BenchmarkHitSerial(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	b.Run("incr", func(b *testing.B) {
		for b.Loop() {
			if err := c.Incr(ctx, "bench-serial/{incr}").Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, p := range []struct {
		name string
		n    int
	}{{"pipelines=2", 2}, {"pipelines=0", -1}} {
		b.Run(p.name, func(b *testing.B) {
			st, err := redis.New(c, redis.Options{Prefix: backendtest.UniquePrefix(b), ClientTimeouts: true, Pipelines: p.n})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			req := backends.Request{Limits: []backends.Limit{{Key: backends.Key("L", "serial", "s", "1000000000 per 1 hour"), Amount: 1e9, Window: time.Hour, Cost: 1}}}
			var res [1]backends.Result
			b.ReportAllocs()
			for b.Loop() {
				if _, err := st.Hit(ctx, &req, res[:]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
