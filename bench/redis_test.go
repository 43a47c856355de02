package bench

import (
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"
	"github.com/ulule/limiter/v3"
	ululeredis "github.com/ulule/limiter/v3/drivers/store/redis"

	"github.com/limitgen/limitgen/backends"
	limitgenredis "github.com/limitgen/limitgen/backends/redis"
)

// The Redis comparison's load: redisClients goroutines share one pool of as
// many connections and hit redisKeys clients at random, each limited to
// redisAmount per second, so decisions are mostly admitted.
const (
	redisClients = 64
	redisKeys    = 4096
	redisAmount  = 100
)

// redisDecide is one decision for the client numbered i.
type redisDecide func(ctx context.Context, i int) error

// redisImpl opens one implementation's decision over a shared client;
// prefix keeps its keys apart from every other run's.
type redisImpl struct {
	name string
	open func(b *testing.B, c *goredis.Client, prefix string) redisDecide
}

// redisImpls lists the implementations in the order benchstat shows them;
// the first, one bare INCR per request through the same client, is the
// floor every ratio is read against.
var redisImpls = []redisImpl{
	{"incr", openIncr},
	{"incr-autopipeline", openIncrAutoPipeline},
	{"limitgen-fixed", openLimitgenRedis(backends.FixedWindow, 0)},
	{"limitgen-sliding", openLimitgenRedis(backends.SlidingWindowCounter, 0)},
	{"limitgen-moving", openLimitgenRedis(backends.MovingWindow, 0)},
	{"limitgen-fixed-pipelines=0", openLimitgenRedis(backends.FixedWindow, -1)},
	{"ulule", openUlule},
	{"redis_rate", openRedisRate},
}

// BenchmarkRedis compares, on one local redis-server, the decisions per
// second of limitgen's Redis storage (each strategy, the server's clock,
// as the redis:// opener configures it, so concurrent decisions share
// pipelines; and the fixed window with pipelines=0, one connection per
// decision), ulule/limiter's Redis store (a fixed window) and
// go-redis/redis_rate (GCRA) against a bare INCR per request, all through
// one go-redis client of redisClients connections. incr-autopipeline is
// the INCR sent through go-redis's own automatic pipelining: the floor
// for decisions that share round trips.
// It needs the test servers: LIMITGEN_REDIS_URI names the server, as
// ../scripts/services env prints it.
func BenchmarkRedis(b *testing.B) {
	c := redisBenchClient(b)
	prefix := "bench-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "/"
	for _, impl := range redisImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			decide := impl.open(b, c, prefix+impl.name+"/")
			ctx := context.Background()
			b.SetParallelism((redisClients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 1))
				for pb.Next() {
					if err := decide(ctx, r.IntN(redisKeys)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			cpu.report(b)
		})
	}
}

// redisBenchClient connects to $LIMITGEN_REDIS_URI with a pool of
// redisClients connections and one-second timeouts, no retries: the client
// the redis:// opener builds.
func redisBenchClient(b *testing.B) *goredis.Client {
	uri := os.Getenv("LIMITGEN_REDIS_URI")
	if uri == "" {
		const msg = "LIMITGEN_REDIS_URI is not set: start the servers with ../scripts/services start and export what ../scripts/services env prints"
		if os.Getenv("CI") == "true" {
			b.Fatal(msg)
		}
		b.Skip(msg)
	}
	u, err := backends.ParseURI(uri)
	if err != nil {
		b.Fatal(err)
	}
	t := limitgenredis.DefaultTimeout
	c := goredis.NewClient(&goredis.Options{Addr: u.Hosts[0], PoolSize: redisClients, ContextTimeoutEnabled: true, DisableIdentity: true,
		DialTimeout: t, ReadTimeout: t, WriteTimeout: t, PoolTimeout: t, MaxRetries: -1})
	b.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		b.Fatal(err)
	}
	return c
}

// numbered returns the redisKeys keys prefix+"{i}"+suffix.
func numbered(prefix, suffix string) []string {
	keys := make([]string, redisKeys)
	for i := range keys {
		keys[i] = prefix + "{" + strconv.Itoa(i) + "}" + suffix
	}
	return keys
}

func openIncr(_ *testing.B, c *goredis.Client, prefix string) redisDecide {
	keys := numbered(prefix, "")
	return func(ctx context.Context, i int) error { return c.Incr(ctx, keys[i]).Err() }
}

func openIncrAutoPipeline(b *testing.B, c *goredis.Client, prefix string) redisDecide {
	ap, err := c.AutoPipeline()
	if err != nil {
		b.Fatal(err)
	}
	keys := numbered(prefix, "")
	return func(ctx context.Context, i int) error { return ap.Incr(ctx, keys[i]).Err() }
}

// openLimitgenRedis decides one limit of redisAmount per second with
// limitgen's storage of the given Options.Pipelines, keys laid out by
// backends.Key as the Limiter builds (and caches) them.
func openLimitgenRedis(s backends.Strategy, pipelines int) func(*testing.B, *goredis.Client, string) redisDecide {
	return func(b *testing.B, c *goredis.Client, prefix string) redisDecide {
		st, err := limitgenredis.New(c, limitgenredis.Options{Prefix: prefix, ClientTimeouts: true, Pipelines: pipelines})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		keys := make([]string, redisKeys)
		for i := range keys {
			keys[i] = backends.Key("L", strconv.Itoa(i), "index", strconv.Itoa(redisAmount)+" per 1 second")
		}
		return func(ctx context.Context, i int) error {
			req := backends.Request{Strategy: s, Limits: []backends.Limit{{Key: keys[i], Amount: redisAmount, Window: time.Second, Cost: 1}}}
			var res [1]backends.Result
			_, err := st.Hit(ctx, &req, res[:])
			return err
		}
	}
}

func openUlule(b *testing.B, c *goredis.Client, prefix string) redisDecide {
	store, err := ululeredis.NewStoreWithOptions(c, limiter.StoreOptions{Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	keys := numbered("", "")
	rate := limiter.Rate{Period: time.Second, Limit: redisAmount}
	return func(ctx context.Context, i int) error {
		_, err := store.Increment(ctx, keys[i], 1, rate)
		return err
	}
}

func openRedisRate(_ *testing.B, c *goredis.Client, prefix string) redisDecide {
	l := redis_rate.NewLimiter(c)
	keys := numbered(prefix, "")
	rate := redis_rate.PerSecond(redisAmount)
	return func(ctx context.Context, i int) error {
		_, err := l.Allow(ctx, keys[i], rate)
		return err
	}
}
