package memory_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/memory"
	limitgenrt "github.com/limitgen/limitgen/runtime"
)

// benchKeys returns n keys in the documented layout, one client each.
func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = backends.Key(backends.DefaultPrefix, fmt.Sprintf("10.0.%d.%d", i/256, i%256), "index", "1000000 per 1 minute")
	}
	return keys
}

// benchDecide measures one Hit of one limit; keys are visited round-robin.
// Unless the clock is read, the instant advances by step after each round
// of keys, so windows roll and moving-window logs stay at their steady
// size (amount hits per window).
func benchDecide(b *testing.B, strategy backends.Strategy, nkeys int, amount int64, window, step time.Duration, clock func() time.Time, parallel bool) {
	s, err := memory.New(memory.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	keys := benchKeys(nkeys)
	ctx := context.Background()
	start := time.Now()
	// Warm up: every key exists, as in steady state.
	for _, k := range keys {
		req := backends.Request{Strategy: strategy, Now: start, Limits: []backends.Limit{{Key: k, Amount: amount, Window: window, Cost: 1}}}
		var res [1]backends.Result
		if _, err := s.Hit(ctx, &req, res[:]); err != nil {
			b.Fatal(err)
		}
	}
	run := func(next func() bool, i int) {
		req := backends.Request{Strategy: strategy, Now: start, Limits: []backends.Limit{{Amount: amount, Window: window, Cost: 1}}}
		var res [1]backends.Result
		now := start
		for next() {
			req.Limits[0].Key = keys[i]
			if i++; i == len(keys) {
				i = 0
				if step != 0 {
					now = now.Add(step)
				}
			}
			if clock != nil {
				req.Now = clock()
			} else {
				req.Now = now
			}
			if _, err := s.Hit(ctx, &req, res[:]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	if !parallel {
		// Also report the CPU time of the benchmarking thread per decision,
		// which, unlike ns/op, does not count time spent descheduled on a
		// busy machine.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		before := threadCPU()
		run(b.Loop, 0)
		b.ReportMetric(float64(threadCPU()-before)/float64(b.N), "cpu-ns/op")
		return
	}
	var offset atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		run(pb.Next, int(offset.Add(7919))%len(keys))
	})
}

// threadCPU returns the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFixedWindow is the target: one fixed-window decision,
// ≤ 35 ns/op and 0 allocs/op, serial and parallel, one hot key and 10,000
// keys round-robin, with now given (clock=none) and with the clock read as
// the runtime reads it: by default (clock=monotonic, runtime.Now), and
// with runtime.WithCoarseClock (clock=coarse, a runtime.CoarseClock of a
// millisecond).
func BenchmarkFixedWindow(b *testing.B) {
	coarse, err := limitgenrt.NewCoarseClock(time.Millisecond)
	if err != nil {
		b.Fatal(err)
	}
	defer coarse.Stop()
	clocks := []struct {
		name string
		now  func() time.Time
	}{{"none", nil}, {"monotonic", limitgenrt.Now}, {"coarse", coarse.Now}}
	for _, keys := range []int{1, 10000} {
		for _, clock := range clocks {
			for _, par := range []bool{false, true} {
				name := fmt.Sprintf("keys=%d/clock=%s/parallel=%v", keys, clock.name, par)
				b.Run(name, func(b *testing.B) {
					benchDecide(b, backends.FixedWindow, keys, 1<<40, time.Minute, 0, clock.now, par)
				})
			}
		}
	}
}

// BenchmarkStrategies compares the three strategies' decisions with now
// given: a limit of 100 per second, each key hit every 10ms, so a
// moving-window log holds 100 instants and every decision drops one and
// logs one.
func BenchmarkStrategies(b *testing.B) {
	for _, st := range backends.Strategies() {
		for _, keys := range []int{1, 10000} {
			for _, par := range []bool{false, true} {
				b.Run(fmt.Sprintf("%v/keys=%d/parallel=%v", st, keys, par), func(b *testing.B) {
					benchDecide(b, st, keys, 100, time.Second, 10*time.Millisecond, nil, par)
				})
			}
		}
	}
}

// BenchmarkMultiLimit decides several limits of one client per request:
// limits=2 is the runtime's quickstart route ("2 per minute" and "1 per
// second", fixed window), limits=3 adds a limit of another scope. Amounts
// are huge so every decision is admitted and charged. Serially one client
// sends every request, and the benchmarking thread's CPU time per decision
// is reported as cpu-ns/op, like BenchmarkFixedWindow; in parallel,
// 10,000 clients are visited in turn.
func BenchmarkMultiLimit(b *testing.B) {
	for _, n := range []int{2, 3} {
		for _, par := range []bool{false, true} {
			b.Run(fmt.Sprintf("limits=%d/parallel=%v", n, par), func(b *testing.B) {
				clients := 1
				if par {
					clients = 10000
				}
				reqs := make([]backends.Request, clients)
				now := time.Now()
				for c := range reqs {
					client := fmt.Sprintf("10.0.%d.%d", c/256, c%256)
					reqs[c] = backends.Request{Now: now, Limits: []backends.Limit{
						{Key: backends.Key(backends.DefaultPrefix, client, "index", "2 per 1 minute"), Amount: 1 << 40, Window: time.Minute, Cost: 1},
						{Key: backends.Key(backends.DefaultPrefix, client, "index", "1 per 1 second"), Amount: 1 << 40, Window: time.Second, Cost: 1},
						{Key: backends.Key(backends.DefaultPrefix, client, "default", "1000 per 1 hour"), Amount: 1 << 40, Window: time.Hour, Cost: 1},
					}[:n]}
				}
				s, _ := memory.New(memory.Config{})
				defer s.Close()
				ctx := context.Background()
				for c := range reqs {
					if _, err := s.Hit(ctx, &reqs[c], make([]backends.Result, n)); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				if !par {
					res := make([]backends.Result, n)
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					before := threadCPU()
					for b.Loop() {
						if _, err := s.Hit(ctx, &reqs[0], res); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(threadCPU()-before)/float64(b.N), "cpu-ns/op")
					return
				}
				var offset atomic.Int64
				b.RunParallel(func(pb *testing.PB) {
					var resBuf [3]backends.Result
					res := resBuf[:n]
					c := int(offset.Add(7919)) % clients
					for pb.Next() {
						if _, err := s.Hit(ctx, &reqs[c], res); err != nil {
							b.Error(err)
							return
						}
						if c++; c == clients {
							c = 0
						}
					}
				})
			})
		}
	}
}

// BenchmarkBytesPerKey reports the heap bytes one tracked key costs, over
// 100,000 keys, per strategy (one hit each, so a moving-window log of one
// entry).
func BenchmarkBytesPerKey(b *testing.B) {
	const n = 100000
	keys := benchKeys(n)
	for _, st := range backends.Strategies() {
		b.Run(st.String(), func(b *testing.B) {
			var perKey float64
			for b.Loop() {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				s, _ := memory.New(memory.Config{})
				ctx := context.Background()
				now := time.Now()
				var res [1]backends.Result
				for _, k := range keys {
					req := backends.Request{Strategy: st, Now: now, Limits: []backends.Limit{{Key: k, Amount: 10, Window: time.Minute, Cost: 1}}}
					if _, err := s.Hit(ctx, &req, res[:]); err != nil {
						b.Fatal(err)
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				if s.Keys() != n {
					b.Fatalf("Keys() = %d, want %d", s.Keys(), n)
				}
				perKey = float64(after.HeapAlloc-before.HeapAlloc) / n
				runtime.KeepAlive(s)
			}
			b.ReportMetric(perKey, "B/key")
		})
	}
}
