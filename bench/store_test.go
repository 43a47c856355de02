package bench

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	_ "github.com/limitgen/limitgen/backends/memory"
	limitgenrt "github.com/limitgen/limitgen/runtime"
	"github.com/sethvargo/go-limiter/memorystore"
)

// A limit large enough never to be breached, so that every decision takes
// the same path: allowed, counted.
const (
	storeAmount = 1 << 40
	storeWindow = time.Minute
)

// clients returns n distinct client keys.
func clients(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "192.0." + strconv.Itoa(i/256%256) + "." + strconv.Itoa(i%256) + "/" + strconv.Itoa(i)
	}
	return out
}

// take is one fixed-window decision for key number i, by one goroutine.
type take func(i int) bool

// implementation builds a decision function per goroutine (so per-goroutine
// scratch space is not shared) over n keys.
type implementation struct {
	name string
	open func(b *testing.B, keys []string) (perGoroutine func() take, close func())
}

var storeImpls = []implementation{
	{"limitgen", openLimitgenStore},
	{"limitgen-coarse", openLimitgenCoarseStore},
	{"go-limiter", openGoLimiterStore},
}

// openLimitgenStore decides with limitgen's memory backend as the Limiter
// does by default: one Request per decision, with the storage key laid out
// by backends.Key (built once per client, as the Limiter caches it) and the
// instant read on each decision from the Limiter's default clock,
// runtime.Now.
func openLimitgenStore(b *testing.B, clientKeys []string) (func() take, func()) {
	return openLimitgenStoreWith(b, clientKeys, limitgenrt.Now)
}

// openLimitgenCoarseStore is openLimitgenStore on the clock of
// runtime.WithCoarseClock (a millisecond).
func openLimitgenCoarseStore(b *testing.B, clientKeys []string) (func() take, func()) {
	c, err := limitgenrt.NewCoarseClock(time.Millisecond)
	if err != nil {
		b.Fatal(err)
	}
	per, done := openLimitgenStoreWith(b, clientKeys, c.Now)
	return per, func() { done(); c.Stop() }
}

func openLimitgenStoreWith(b *testing.B, clientKeys []string, now func() time.Time) (func() take, func()) {
	store, err := backends.Open("memory://")
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]string, len(clientKeys))
	for i, c := range clientKeys {
		keys[i] = backends.Key(backends.DefaultPrefix, c, "bench", "1099511627776 per 1 minute")
	}
	ctx := context.Background()
	per := func() take {
		req := &backends.Request{
			Strategy: backends.FixedWindow,
			Limits:   []backends.Limit{{Amount: storeAmount, Window: storeWindow, Cost: 1}},
		}
		res := make([]backends.Result, 1)
		return func(i int) bool {
			req.Now = now()
			req.Limits[0].Key = keys[i]
			ok, err := store.Hit(ctx, req, res)
			return ok && err == nil
		}
	}
	return per, func() { store.Close() }
}

// openGoLimiterStore decides with sethvargo/go-limiter's memorystore, which
// reads its own (monotonic) clock.
func openGoLimiterStore(b *testing.B, keys []string) (func() take, func()) {
	// See goLimiterHandler on why the interval is a day: its refill with
	// this many tokens per minute would be zero.
	store, err := memorystore.New(&memorystore.Config{Tokens: storeAmount, Interval: 24 * time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	per := func() take {
		return func(i int) bool {
			_, _, _, ok, err := store.Take(ctx, keys[i])
			return ok && err == nil
		}
	}
	return per, func() { store.Close(ctx) }
}

// BenchmarkStore compares one fixed-window decision on in-process stores:
// one hot key, and 10,000 keys visited in turn; serially and from
// GOMAXPROCS goroutines.
func BenchmarkStore(b *testing.B) {
	for _, nkeys := range []int{1, 10000} {
		keys := clients(nkeys)
		for _, mode := range []string{"serial", "parallel"} {
			for _, impl := range storeImpls {
				name := "keys=" + strconv.Itoa(nkeys) + "/mode=" + mode + "/impl=" + impl.name
				b.Run(name, func(b *testing.B) {
					per, closeStore := impl.open(b, keys)
					defer closeStore()
					warm := per()
					for i := range keys { // every key exists before timing
						if !warm(i) {
							b.Fatalf("%s: warm-up decision %d refused", impl.name, i)
						}
					}
					b.ReportAllocs()
					b.ResetTimer()
					cpu := startCPU()
					defer cpu.report(b)
					if mode == "serial" {
						t := per()
						for i := 0; i < b.N; i++ {
							if !t(i % nkeys) {
								b.Fatal("refused")
							}
						}
						return
					}
					var seed atomic.Int64
					b.RunParallel(func(pb *testing.PB) {
						t := per()
						i := int(seed.Add(7919)) % nkeys // goroutines start apart
						for pb.Next() {
							if !t(i) {
								b.Error("refused")
								return
							}
							if i++; i == nkeys {
								i = 0
							}
						}
					})
				})
			}
		}
	}
}
