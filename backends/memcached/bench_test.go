package memcached_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// BenchmarkHit measures one decision against the real servers: one limit,
// and a request of two limits of one client, serially and from
// GOMAXPROCS goroutines (each its own client, as distinct users would be). Amounts are large
// so that every hit is admitted and written; instants a second apart.
func BenchmarkHit(b *testing.B) { benchHit(b, false) }

// BenchmarkHitCancelable is BenchmarkHit/*/serial with a context that can
// be cancelled but has no deadline, as an HTTP request's: it takes the
// same direct path (running each call in a goroutine, so that ctx could
// cut it short, measured about 40 µs more per decision on 2 cores).
func BenchmarkHitCancelable(b *testing.B) { benchHit(b, true) }

func benchHit(b *testing.B, cancelable bool) {
	for _, strategy := range backends.Strategies() {
		b.Run(strategy.String(), func(b *testing.B) {
			st := open(b)
			for _, n := range []int{1, 2} {
				limits := func(client string) []backends.Limit {
					ls := []backends.Limit{
						{Key: backends.Key("LIMITER", client, "bench", "1000000 per 1 minute"), Amount: 1_000_000, Window: time.Minute, Cost: 1},
						{Key: backends.Key("LIMITER", client, "bench", "1000000 per 2 minutes"), Amount: 1_000_000, Window: 2 * time.Minute, Cost: 1},
					}
					return ls[:n]
				}
				name := strconv.Itoa(n) + "-limit"
				b.Run(name+"/serial", func(b *testing.B) {
					req := &backends.Request{Strategy: strategy, Limits: limits("serial")}
					res := make([]backends.Result, n)
					ctx := context.Background()
					if cancelable {
						// as an HTTP request's context: the call runs in
						// a goroutine of its own so that ctx can cut it short
						var cancel context.CancelFunc
						ctx, cancel = context.WithCancel(ctx)
						defer cancel()
					}
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						// a second apart: a moving log holds at most 120 entries
						req.Now = t0.Add(time.Duration(i) * time.Second)
						i++
						if _, err := st.Hit(ctx, req, res); err != nil {
							b.Fatal(err)
						}
					}
				})
				if cancelable {
					continue
				}
				var seq atomic.Int64
				b.Run(name+"/parallel", func(b *testing.B) {
					b.ReportAllocs()
					b.RunParallel(func(pb *testing.PB) {
						req := &backends.Request{Strategy: strategy, Limits: limits("p" + strconv.FormatInt(seq.Add(1), 10))}
						res := make([]backends.Result, n)
						ctx := context.Background()
						i := 0
						for pb.Next() {
							req.Now = t0.Add(time.Duration(i) * time.Second)
							i++
							if _, err := st.Hit(ctx, req, res); err != nil {
								b.Fatal(err)
							}
						}
					})
				})
			}
		})
	}
}
