package memory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/limitgen/limitgen/backends"
)

var ctx = context.Background()

// entries counts the entries held, expired ones included.
func (s *Store) entries() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		c := 0
		for _, sl := range sh.t.slots {
			if sl.e != nil {
				c++
			}
		}
		if c != sh.t.n {
			panic("table count out of step")
		}
		n += c
		sh.mu.Unlock()
	}
	return n
}

func mustNew(t testing.TB, c Config) *Store {
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hit(t testing.TB, s *Store, st backends.Strategy, now time.Time, ls ...backends.Limit) bool {
	t.Helper()
	ok, err := s.Hit(ctx, &backends.Request{Strategy: st, Now: now, Limits: ls}, make([]backends.Result, len(ls)))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func lim(key string, amount int64, w time.Duration) backends.Limit {
	return backends.Limit{Key: key, Amount: amount, Window: w, Cost: 1}
}

// TestMemoryBoundedByLiveKeys: churning clients whose limits expire never
// grow the store beyond about twice the live keys.
func TestMemoryBoundedByLiveKeys(t *testing.T) {
	for _, st := range backends.Strategies() {
		s := mustNew(t, Config{})
		t0 := time.Unix(1_800_000_000, 0)
		const perRound = 2000
		maxSeen := 0
		for round := range 30 {
			now := t0.Add(time.Duration(round) * 2 * time.Second) // the last round's keys have expired
			for i := range perRound {
				hit(t, s, st, now, lim(fmt.Sprintf("P/{c%d-%d}/s/1 per 1 second", round, i), 1, time.Second))
			}
			maxSeen = max(maxSeen, s.entries())
		}
		if maxSeen > 2*perRound+maxShards*minSweepAt {
			t.Errorf("%v: the store held %d entries for %d live keys", st, maxSeen, perRound)
		}
		if k := s.Keys(); k != perRound {
			t.Errorf("%v: Keys() = %d, want the %d live keys", st, k, perRound)
		}
		// Decisions in every shard at a later instant: Keys reclaims all.
		for i := range 1000 {
			_, _ = s.Test(ctx, &backends.Request{Strategy: st, Now: t0.Add(time.Hour), Limits: []backends.Limit{lim(fmt.Sprintf("probe%d", i), 1, time.Second)}}, make([]backends.Result, 1))
		}
		if k := s.Keys(); k != 0 {
			t.Errorf("%v: Keys() = %d an hour later, want 0", st, k)
		}
	}
}

// TestNoStateForNothing: peeks, refused hits and cost-0 hits store nothing.
func TestNoStateForNothing(t *testing.T) {
	for _, st := range backends.Strategies() {
		s := mustNew(t, Config{})
		now := time.Unix(1_800_000_000, 0)
		l := lim("P/{a}/s/l", 1, time.Minute)
		if _, err := s.Test(ctx, &backends.Request{Strategy: st, Now: now, Limits: []backends.Limit{l}}, make([]backends.Result, 1)); err != nil {
			t.Fatal(err)
		}
		zero := l
		zero.Amount = 0
		free := l
		free.Cost = 0
		hit(t, s, st, now, zero)
		hit(t, s, st, now, free)
		hit(t, s, st, now, free, lim("P/{a}/s/m", 1, time.Minute), zero) // refused by zero
		if n := s.entries(); n != 0 {
			t.Errorf("%v: %d entries after requests that charged nothing", st, n)
		}
		hit(t, s, st, now, l)
		if n := s.Keys(); n != 1 {
			t.Errorf("%v: Keys() = %d after one charge", st, n)
		}
	}
}

// TestMaxKeys: the cap holds, and the key that expires first is evicted.
func TestMaxKeys(t *testing.T) {
	s := mustNew(t, Config{MaxKeys: 8})
	if len(s.shards) != 1 {
		t.Fatalf("a cap of 8 uses %d shards", len(s.shards))
	}
	now := time.Unix(1_800_000_000, 0)
	short := lim("P/{short}/s/l", 5, time.Minute)
	hit(t, s, backends.FixedWindow, now, short)
	for i := range 7 {
		hit(t, s, backends.FixedWindow, now, lim(fmt.Sprintf("P/{long%d}/s/l", i), 5, time.Hour))
	}
	if n := s.Keys(); n != 8 {
		t.Fatalf("Keys() = %d, want 8", n)
	}
	hit(t, s, backends.FixedWindow, now, lim("P/{new}/s/l", 5, time.Hour))
	if n := s.Keys(); n != 8 {
		t.Errorf("Keys() = %d over a cap of 8", n)
	}
	res := make([]backends.Result, 1)
	if _, err := s.Test(ctx, &backends.Request{Now: now, Limits: []backends.Limit{short}}, res); err != nil || res[0].Remaining != 5 {
		t.Errorf("the soonest-expiring key was not the one evicted: %+v, %v", res[0], err)
	}
	// Expired keys are reclaimed before anything live is evicted.
	later := now.Add(2 * time.Hour)
	for i := range 8 {
		hit(t, s, backends.FixedWindow, later, lim(fmt.Sprintf("P/{later%d}/s/l", i), 5, time.Hour))
	}
	if n := s.Keys(); n != 8 {
		t.Errorf("Keys() = %d, want 8", n)
	}

	big := mustNew(t, Config{MaxKeys: 10000})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5000 {
				hit(t, big, backends.MovingWindow, now, lim(fmt.Sprintf("P/{g%d-%d}/s/l", g, i), 5, time.Hour))
			}
		}()
	}
	wg.Wait()
	if n := big.Keys(); n > 10000 || n < 9000 {
		t.Errorf("a cap of 10000 holds %d keys", n)
	}
	if _, err := New(Config{MaxKeys: -1}); err == nil || !strings.Contains(err.Error(), "-1") {
		t.Errorf("New with a negative cap: %v", err)
	}
}

// TestStrategySwitch: a key used with another strategy starts afresh.
func TestStrategySwitch(t *testing.T) {
	s := mustNew(t, Config{})
	now := time.Unix(1_800_000_000, 0)
	l := lim("P/{a}/s/l", 1, time.Minute)
	if !hit(t, s, backends.FixedWindow, now, l) || hit(t, s, backends.FixedWindow, now, l) {
		t.Fatal("fixed window")
	}
	if !hit(t, s, backends.MovingWindow, now, l) || hit(t, s, backends.MovingWindow, now, l) {
		t.Fatal("moving window after fixed window")
	}
	if !hit(t, s, backends.SlidingWindowCounter, now, l, lim("P/{a}/s/m", 1, time.Minute)) {
		t.Fatal("sliding window after moving window")
	}
	if n := s.Keys(); n != 2 {
		t.Errorf("Keys() = %d, want 2", n)
	}
}

func TestZeroNowAndClosed(t *testing.T) {
	s := mustNew(t, Config{})
	l := lim("P/{a}/s/l", 1, time.Minute)
	_, err := s.Hit(ctx, &backends.Request{Limits: []backends.Limit{l}}, make([]backends.Result, 1))
	if err == nil || !strings.Contains(err.Error(), "Now") {
		t.Errorf("Hit without Now: %v", err)
	}
	s.Close()
	_, err = s.Hit(ctx, &backends.Request{Now: time.Now(), Limits: []backends.Limit{l, l}}, make([]backends.Result, 2))
	if !errors.Is(err, backends.ErrClosed) {
		t.Errorf("Hit of two limits after Close: %v", err)
	}
	if s.Keys() != 0 {
		t.Error("Keys after Close")
	}
}

// TestConcurrentCloseDoesNotPanic races decisions with Close.
func TestConcurrentCloseDoesNotPanic(t *testing.T) {
	s := mustNew(t, Config{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				ls := []backends.Limit{lim(fmt.Sprintf("P/{%d}/s/%d", g, i), 5, time.Minute), lim(fmt.Sprintf("P/{%d}/t/%d", g, i), 5, time.Minute)}
				_, err := s.Hit(ctx, &backends.Request{Now: time.Now(), Limits: ls[:1+i%2]}, make([]backends.Result, 1+i%2))
				if err != nil && !errors.Is(err, backends.ErrClosed) {
					t.Error(err)
					return
				}
			}
		}()
	}
	time.Sleep(time.Millisecond)
	s.Close()
	wg.Wait()
}

// TestTable compares the table with a map over random operations on few
// distinct hashes, so that equal hashes, probe runs that wrap around the
// end and backward-shift deletion are all exercised.
func TestTable(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var tab table
	want := map[string]uint64{}
	hashOf := func(k int) uint64 { return uint64(k%7) | uint64(k%3)<<62 } // many collisions
	keys := make([]string, 60)
	for i := range keys {
		keys[i] = fmt.Sprint("k", i)
	}
	for step := range 8000 {
		k := r.IntN(60)
		key := keys[k]
		h := hashOf(k)
		switch r.IntN(3) {
		case 0:
			if _, ok := want[key]; !ok {
				tab.put(h, &entry{key: key})
				want[key] = h
			}
		case 1:
			tab.remove(h, key)
			delete(want, key)
		case 2:
			if step%500 == 0 {
				tab.keep(func(e *entry) bool {
					if len(e.key)%2 == 0 {
						return true
					}
					delete(want, e.key)
					return false
				})
			}
		}
		if tab.n != len(want) {
			t.Fatalf("step %d: n %d, want %d", step, tab.n, len(want))
		}
		for kk, key := range keys {
			_, in := want[key]
			if e := tab.get(hashOf(kk), key); (e != nil) != in || e != nil && e.key != key {
				t.Fatalf("step %d: get(%s) = %v, want present %v", step, key, e, in)
			}
		}
	}
	seen := 0
	tab.sample(1000, func(h uint64, e *entry) { seen++ })
	if seen != tab.n {
		t.Errorf("sample visited %d of %d entries", seen, tab.n)
	}
}

// TestHitAllocations: deciding an existing key allocates nothing.
func TestHitAllocations(t *testing.T) {
	for _, st := range backends.Strategies() {
		s := mustNew(t, Config{})
		now := time.Unix(1_800_000_000, 0)
		one := &backends.Request{Strategy: st, Now: now, Limits: []backends.Limit{lim("P/{a}/s/l", 1<<40, time.Minute)}}
		three := &backends.Request{Strategy: st, Now: now, Limits: []backends.Limit{
			lim("P/{a}/s/l", 1<<40, time.Minute), lim("P/{a}/s/m", 1<<40, time.Hour), lim("P/{b}/d/n", 1<<40, time.Hour)}}
		res := make([]backends.Result, 3)
		_, _ = s.Hit(ctx, three, res)
		for name, req := range map[string]*backends.Request{"one limit": one, "three limits": three} {
			if n := testing.AllocsPerRun(200, func() { _, _ = s.Hit(ctx, req, res[:len(req.Limits)]) }); n != 0 {
				t.Errorf("%v, %s: %v allocations per Hit", st, name, n)
			}
		}
	}
}

// TestFreshDecisionAllocations: a decision on keys the store does not
// hold yet allocates only what it stores, so a test of unknown keys
// allocates nothing, with one limit and with three, and a first hit of a
// new key allocates its entry (and a moving window's log).
func TestFreshDecisionAllocations(t *testing.T) {
	for _, st := range backends.Strategies() {
		s := mustNew(t, Config{})
		now := time.Unix(1_800_000_000, 0)
		one := &backends.Request{Strategy: st, Now: now, Limits: []backends.Limit{lim("P/{a}/s/l", 10, time.Minute)}}
		three := &backends.Request{Strategy: st, Now: now, Limits: []backends.Limit{
			lim("P/{a}/s/l", 10, time.Minute), lim("P/{a}/s/m", 10, time.Hour), lim("P/{b}/d/n", 10, time.Hour)}}
		res := make([]backends.Result, 3)
		for name, req := range map[string]*backends.Request{"one limit": one, "three limits": three} {
			if n := testing.AllocsPerRun(200, func() { _, _ = s.Test(ctx, req, res[:len(req.Limits)]) }); n != 0 {
				t.Errorf("%v, %s: %v allocations per Test of unknown keys", st, name, n)
			}
		}
		want := 1.0 // the entry
		if st == backends.MovingWindow {
			want = 3 // and its side, and the log's first slice
		}
		keys := make([]string, 201)
		for i := range keys {
			keys[i] = fmt.Sprintf("P/{new%d}/s/l", i)
		}
		i := 0
		req := &backends.Request{Strategy: st, Now: now, Limits: []backends.Limit{lim("", 10, time.Minute)}}
		// 201 keys stay below a shard's first sweep and the memo's first
		// doubling, whose allocations would blur the count.
		if n := testing.AllocsPerRun(200, func() {
			req.Limits[0].Key = keys[i]
			i++
			_, _ = s.Hit(ctx, req, res[:1])
		}); n != want {
			t.Errorf("%v: %v allocations per first hit of a new key, want %v", st, n, want)
		}
	}
}

// TestShardPadding: shards do not share cache lines.
func TestShardPadding(t *testing.T) {
	if n := unsafe.Sizeof(shard{}); n%64 != 0 {
		t.Errorf("a shard is %d bytes, not a whole number of 64-byte cache lines", n)
	}
	if off := unsafe.Offsetof(shard{}.lastOpen); off/64 != unsafe.Offsetof(shard{}.sweepAt)/64 || off/64 == unsafe.Offsetof(shard{}.last)/64 {
		t.Errorf("lastOpen (at byte %d) shares a cache line with what every locked decision writes", off)
	}
}

// TestEntrySize: an entry is one cache line.
func TestEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(entry{}); n != 64 {
		t.Errorf("an entry is %d bytes, want 64", n)
	}
}

// TestKeysAsOfLatestDecision: Keys reclaims as of the latest instant any
// decision used, a memo-found one included, whichever shard it fell in.
func TestKeysAsOfLatestDecision(t *testing.T) {
	s := mustNew(t, Config{})
	t0 := time.Unix(1_800_000_000, 0)
	keep := lim("P/{keep}/s/l", 100, time.Hour)
	hit(t, s, backends.FixedWindow, t0, keep)
	for i := range 50 { // spread over the shards
		hit(t, s, backends.FixedWindow, t0, lim(fmt.Sprintf("P/{gone%d}/s/l", i), 100, time.Minute))
	}
	if n := s.Keys(); n != 51 {
		t.Fatalf("Keys() = %d, want 51", n)
	}
	hit(t, s, backends.FixedWindow, t0.Add(2*time.Minute), keep) // found in the memo
	if n := s.Keys(); n != 1 {
		t.Fatalf("Keys() = %d two minutes later, want 1", n)
	}
}

// TestKeysBefore1970: Keys reclaims by the instants decisions used, even
// when they lie before the Unix epoch.
func TestKeysBefore1970(t *testing.T) {
	s := mustNew(t, Config{})
	t0 := time.Unix(-1_000_000, 0)
	hit(t, s, backends.FixedWindow, t0, lim("P/{a}/s/l", 10, time.Hour))
	if n := s.Keys(); n != 1 {
		t.Fatalf("Keys() = %d for a key live at the latest instant, want 1", n)
	}
	hit(t, s, backends.FixedWindow, t0.Add(2*time.Hour), lim("P/{b}/s/l", 10, time.Hour))
	if n := s.Keys(); n != 1 {
		t.Fatalf("Keys() = %d two hours later, want 1", n)
	}
}
