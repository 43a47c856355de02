package memory

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// TestChurnUnderContention races, under -race, decisions on hot keys (the
// memo path, one limit and pairs across shards) with a stream of
// short-lived keys, whose sweeps reclaim entries around the hot ones, and
// with Clear. No hot key may admit more than its amount; one decided on
// its own alone admits exactly its amount.
func TestChurnUnderContention(t *testing.T) {
	for _, st := range backends.Strategies() {
		s := mustNew(t, Config{})
		const hot, amount, goroutines, rounds = 8, 50, 6, 400
		var clock atomic.Int64
		clock.Store(time.Unix(1_800_000_000, 0).UnixNano())
		hotKeys := make([]backends.Limit, hot)
		for i := range hotKeys {
			hotKeys[i] = lim(fmt.Sprintf("P/{hot%d}/s/l", i), amount, 24*time.Hour)
		}
		var admitted [hot]atomic.Int64
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := make([]backends.Result, 2)
				for r := range rounds {
					now := time.Unix(0, clock.Add(int64(time.Microsecond)))
					// Short-lived keys: a shard doubles, sweeps, and reclaims them.
					short := lim(fmt.Sprintf("P/{short%d-%d}/s/l", g, r), 1, time.Microsecond)
					if _, err := s.Hit(ctx, &backends.Request{Strategy: st, Now: now, Limits: []backends.Limit{short}}, res[:1]); err != nil {
						t.Error(err)
						return
					}
					if r%7 == 0 {
						_ = s.Clear(ctx, short.Key)
					}
					i := (g + r) % hot
					if i == 0 { // hot key 0 is only ever decided on its own
						if ok, err := s.Hit(ctx, &backends.Request{Strategy: st, Now: now, Limits: hotKeys[:1]}, res[:1]); err != nil {
							t.Error(err)
							return
						} else if ok {
							admitted[0].Add(1)
						}
						continue
					}
					j := 1 + (i+g)%(hot-1)
					ls := []backends.Limit{hotKeys[i], hotKeys[j]}
					if i == j {
						ls = ls[:1]
					}
					ok, err := s.Hit(ctx, &backends.Request{Strategy: st, Now: now, Limits: ls}, res[:len(ls)])
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						for _, l := range ls {
							for k := range hotKeys {
								if hotKeys[k].Key == l.Key {
									admitted[k].Add(1)
								}
							}
						}
					}
				}
			}()
		}
		wg.Wait()
		demand0 := 0
		for g := range goroutines {
			for r := range rounds {
				if (g+r)%hot == 0 {
					demand0++
				}
			}
		}
		if got := admitted[0].Load(); got != min(int64(demand0), amount) {
			t.Errorf("%v: hot key 0 admitted %d of %d, want %d", st, got, demand0, min(int64(demand0), amount))
		}
		for k := 1; k < hot; k++ {
			if got := admitted[k].Load(); got > amount {
				t.Errorf("%v: hot key %d admitted %d, over its amount %d", st, k, got, amount)
			}
		}
		// A decision a second later: every short-lived key has expired.
		later := time.Unix(0, clock.Load()).Add(time.Second)
		if _, err := s.Test(ctx, &backends.Request{Strategy: st, Now: later, Limits: hotKeys[:1]}, make([]backends.Result, 1)); err != nil {
			t.Fatal(err)
		}
		if n := s.Keys(); n != hot {
			t.Errorf("%v: %d keys a second after the churn, want the %d hot ones", st, n, hot)
		}
	}
}

// TestMemoGrowsUnderLoad grows the memo (new clients arriving from several
// goroutines) while other goroutines decide on a hot key through it: the
// hot key admits exactly its amount, and every client's key is decided
// once, admitted.
func TestMemoGrowsUnderLoad(t *testing.T) {
	s := mustNew(t, Config{})
	now := time.Unix(1_800_000_000, 0)
	hotKey := lim("P/{hot}/s/l", 1000, time.Hour)
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(2)
		go func() { // new clients
			defer wg.Done()
			for i := range 20000 {
				if !hit(t, s, backends.FixedWindow, now, lim(fmt.Sprintf("P/{new%d-%d}/s/l", g, i), 1, time.Hour)) {
					t.Errorf("a new client's first request was refused")
					return
				}
			}
		}()
		go func() { // the hot key
			defer wg.Done()
			for range 500 {
				if hit(t, s, backends.FixedWindow, now, hotKey) {
					admitted.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if got := admitted.Load(); got != 1000 {
		t.Errorf("the hot key admitted %d of 2000, want 1000", got)
	}
	if slots := s.memo.Load().slotCount(); slots <= minMemoBuckets*memoWays {
		t.Errorf("the memo did not grow: %d slots for %d keys", slots, s.Keys())
	}
}
