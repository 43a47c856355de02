package memory

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// TestMemoPointsToTheKeysEntry checks that, after many keys were decided
// (more than the memo has slots, so that slots are shared and taken over),
// whatever the memo answers for a key, sent as the same string or as a
// copy, is that key's own entry, in the shard hashing assigns it, and that
// the entry is the one in the shard's table.
func TestMemoPointsToTheKeysEntry(t *testing.T) {
	s := mustNew(t, Config{})
	now := time.Unix(1000, 0)
	keys := make([]string, 3*minMemoBuckets*memoWays)
	for i := range keys {
		keys[i] = backends.Key(backends.DefaultPrefix, fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), "s", "1 per 1 second")
		hit(t, s, backends.FixedWindow, now, backends.Limit{Key: keys[i], Amount: 5, Window: time.Minute, Cost: 1})
	}
	found := 0
	for _, k := range keys {
		h, sh := s.locate(k)
		for _, sent := range []string{k, strings.Clone(k)} {
			e := s.memo.Load().lookup(sent)
			if e == nil {
				continue
			}
			found++
			if e.key != k || uint64(e.shard()) != sh || s.shards[sh].t.get(h, k) != e {
				t.Fatalf("memo answers for %q the entry of %q in shard %d; want shard %d, the table's entry", sent, e.key, e.shard(), sh)
			}
		}
	}
	if found < minMemoBuckets*memoWays/2 {
		t.Fatalf("the memo found %d of %d keys", found, len(keys))
	}
}

// TestMemoForgetsRemovedEntries checks that an entry the memo points to
// but its table no longer holds (cleared, or reclaimed once expired) is not
// decided on: the key starts afresh.
func TestMemoForgetsRemovedEntries(t *testing.T) {
	s := mustNew(t, Config{})
	ctx := context.Background()
	now := time.Unix(1000, 0)
	key := backends.Key(backends.DefaultPrefix, "10.0.0.1", "s", "1 per 1 minute")
	other := backends.Key(backends.DefaultPrefix, "10.0.0.1", "s", "5 per 1 hour")
	one := backends.Limit{Key: key, Amount: 1, Window: time.Minute, Cost: 1}
	two := []backends.Limit{one, {Key: other, Amount: 5, Window: time.Hour, Cost: 1}}
	if !hit(t, s, backends.FixedWindow, now, one) || hit(t, s, backends.FixedWindow, now, one) {
		t.Fatal("1 per minute: want one admitted, then refused")
	}
	if s.memo.Load().lookup(key) == nil {
		t.Fatal("the memo does not hold a key just decided")
	}
	if err := s.Clear(ctx, key); err != nil {
		t.Fatal(err)
	}
	if e := s.memo.Load().lookup(key); e != nil {
		t.Fatal("the memo still holds a cleared key's entry")
	}
	if !hit(t, s, backends.FixedWindow, now, one) {
		t.Fatal("after Clear, the key was refused: the memo's removed entry was used")
	}
	if hit(t, s, backends.FixedWindow, now, two...) {
		t.Fatal("two limits: admitted although the first is used up")
	}
	if err := s.Clear(ctx, key); err != nil {
		t.Fatal(err)
	}
	if !hit(t, s, backends.FixedWindow, now, two...) {
		t.Fatal("two limits after Clear: refused, the memo's removed entry was used")
	}
	// Expired entries are reclaimed by Keys' sweep at the latest instant
	// their shard saw (a key of the same client shares the shard).
	later := now.Add(2 * time.Hour)
	hit(t, s, backends.FixedWindow, later, backends.Limit{Key: backends.Key(backends.DefaultPrefix, "10.0.0.1", "x", "1 per 1 second"), Amount: 1, Window: time.Second, Cost: 1})
	if n := s.Keys(); n != 1 {
		t.Fatalf("Keys() = %d after every other key expired, want 1", n)
	}
	if e := s.memo.Load().lookup(key); e != nil {
		t.Fatalf("the memo still holds a reclaimed entry (removed: %v)", e.removed())
	}
	for range 3 {
		if !hit(t, s, backends.FixedWindow, later, two...) {
			t.Fatal("after reclaiming, two limits of 1 and 5: the first hit was refused")
		}
		later = later.Add(time.Minute)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	req := backends.Request{Now: later, Limits: []backends.Limit{one}}
	if _, err := s.Hit(ctx, &req, make([]backends.Result, 1)); err != backends.ErrClosed {
		t.Fatalf("Hit after Close through the memo: %v, want ErrClosed", err)
	}
}

// TestMemoLetsGoOfReclaimedEntries: once expired keys are reclaimed, or
// evicted by the key cap, the memo points to none of their entries, so it
// keeps no dead entry (or key) alive.
func TestMemoLetsGoOfReclaimedEntries(t *testing.T) {
	for _, c := range []Config{{}, {MaxKeys: 1000}} {
		s := mustNew(t, c)
		now := time.Unix(1000, 0)
		for i := range 5000 {
			key := backends.Key(backends.DefaultPrefix, fmt.Sprintf("10.0.%d.%d", i>>8, i&255), "s", "1 per 1 second")
			hit(t, s, backends.FixedWindow, now, backends.Limit{Key: key, Amount: 1, Window: time.Second, Cost: 1})
		}
		// every key expired: a decision at a later instant in each shard,
		// then Keys, reclaim them
		later := now.Add(time.Hour)
		for i := range 256 {
			key := backends.Key(backends.DefaultPrefix, fmt.Sprintf("10.1.0.%d", i), "s", "1 per 1 second")
			hit(t, s, backends.FixedWindow, later, backends.Limit{Key: key, Amount: 1, Window: time.Second, Cost: 1})
		}
		s.Keys()
		held, dead := 0, 0
		s.memo.Load().each(func(e *entry) {
			held++
			if e.removed() {
				dead++
			}
		})
		if dead != 0 || held == 0 {
			t.Errorf("MaxKeys %d: the memo holds %d entries, %d of them removed; want none removed", c.MaxKeys, held, dead)
		}
	}
}

// TestMemoSameCounterForCopies checks that a key counts as one counter
// whichever string carries it: the very same string, copies of it, and a
// string built into a reused buffer's copy.
func TestMemoSameCounterForCopies(t *testing.T) {
	s := mustNew(t, Config{})
	ctx := context.Background()
	now := time.Unix(1000, 0)
	key := backends.Key(backends.DefaultPrefix, "10.0.0.1", "s", "3 per 1 minute")
	hit := func(k string) bool {
		req := backends.Request{Now: now, Limits: []backends.Limit{{Key: k, Amount: 3, Window: time.Minute, Cost: 1}}}
		var res [1]backends.Result
		ok, err := s.Hit(ctx, &req, res[:])
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	buf := []byte(key)
	got := []bool{hit(key), hit(strings.Clone(key)), hit(string(buf)), hit(key), hit(strings.Clone(key))}
	want := []bool{true, true, true, false, false}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("hits through copies of one key: %v, want %v", got, want)
	}
}

// TestMemoConcurrent hits many keys, each sent as a fresh string, from
// several goroutines (run with -race): every key admits exactly its limit.
func TestMemoConcurrent(t *testing.T) {
	s := mustNew(t, Config{})
	ctx := context.Background()
	now := time.Unix(1000, 0)
	const keys, goroutines, amount = 500, 8, 5
	admitted := make([]int, keys)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range keys {
				k := (i + g*61) % keys
				key := backends.Key(backends.DefaultPrefix, fmt.Sprint("c", k), "s", "5 per 1 minute")
				req := backends.Request{Now: now, Limits: []backends.Limit{{Key: key, Amount: amount, Window: time.Minute, Cost: 1}}}
				var res [1]backends.Result
				ok, err := s.Hit(ctx, &req, res[:])
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					admitted[k]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for k, n := range admitted {
		if n != amount {
			t.Fatalf("key %d admitted %d of %d hits, want %d", k, n, goroutines, amount)
		}
	}
}

// TestMemoHoldsASteadySet checks that the memo finds nearly every key of a
// steady set resent as the same strings (as the runtime resends its cached
// keys): addresses of strings allocated together must spread over the
// buckets, and the memo must grow with the keys (10,000 keys need it to
// double once, 100,000 four times, and 30,000 are 10,000 clients with
// three limits each). Fewer than 2% may miss: 0.2 to 0.4% did.
func TestMemoHoldsASteadySet(t *testing.T) {
	for _, n := range []int{10000, 30000, 100000} {
		s := mustNew(t, Config{})
		keys := make([]string, n)
		for i := range keys {
			keys[i] = backends.Key(backends.DefaultPrefix, fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), "index", "100 per 1 minute")
		}
		now := time.Unix(1000, 0)
		for range 3 {
			for _, k := range keys {
				hit(t, s, backends.FixedWindow, now, backends.Limit{Key: k, Amount: 100, Window: time.Minute, Cost: 1})
			}
		}
		missed := 0
		for _, k := range keys {
			if s.memo.Load().lookup(k) == nil {
				missed++
			}
		}
		t.Logf("%d keys: the memo (%d slots) misses %d", n, s.memo.Load().slotCount(), missed)
		if missed > len(keys)/50 {
			t.Errorf("%d keys: the memo (%d slots) misses %d of them", n, s.memo.Load().slotCount(), missed)
		}
		if slots := s.memo.Load().slotCount(); slots < 2*n {
			t.Errorf("%d keys: the memo has %d slots, want at least twice the keys", n, slots)
		}
	}
}

// TestMemoReplacesRemovedEntry: a slot still pointing to an entry that has
// left its table (forget misses one copied into a memo that grew
// meanwhile) gives way to the key's new entry, which lookup then finds,
// rather than sending the key through the lock and a hash for good.
func TestMemoReplacesRemovedEntry(t *testing.T) {
	m := newMemo(minMemoBuckets)
	key := backends.Key(backends.DefaultPrefix, "10.0.0.1", "s", "1 per 1 second")
	old := newEntry(key, 0)
	m.remember(key, old)
	old.markRemoved()
	fresh := newEntry(key, 0)
	m.remember(key, fresh)
	if got := m.lookup(key); got != fresh {
		t.Fatalf("lookup found the removed entry (%v), not the key's new one", got == old)
	}
}

// TestMemoCrowdedBuckets files, looks up and forgets many more keys than a
// tiny memo has slots, from several goroutines at once, while another
// copies the memo as growing does: whatever lookup answers, for the key's
// own string or a copy of it, must be that key's entry, even as slots and
// tags are overwritten under it.
func TestMemoCrowdedBuckets(t *testing.T) {
	for _, buckets := range []int{1, 4} {
		m := newMemo(buckets)
		const goroutines, perGoroutine, rounds = 4, 24, 300
		var wg sync.WaitGroup
		stop := make(chan struct{})
		go func() {
			for {
				select {
				case <-stop:
					return
				default:
					m.grown()
				}
			}
		}()
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				keys := make([]string, perGoroutine)
				entries := make([]*entry, perGoroutine)
				for i := range keys {
					keys[i] = backends.Key(backends.DefaultPrefix, fmt.Sprintf("10.%d.0.%d", g, i), "s", "1 per 1 second")
					entries[i] = newEntry(keys[i], 0)
				}
				for r := range rounds {
					for i, k := range keys {
						m.remember(k, entries[i])
						for _, sent := range []string{k, strings.Clone(k)} {
							if e := m.lookup(sent); e != nil && (e.key != k || e != entries[i]) {
								t.Errorf("lookup(%q) answered the entry of %q", sent, e.key)
								return
							}
						}
						if (r+i)%5 == 0 {
							entries[i].markRemoved()
							m.forget(entries[i])
							entries[i] = newEntry(k, 0)
						}
					}
				}
			}()
		}
		wg.Wait()
		close(stop)
	}
}

// TestMemoTwoStringsOfAKeyInOneBucket: two strings of one key whose
// addresses share a bucket (any two do in a memo of one bucket), sent in
// turn, soon each find the entry, rather than taking one slot from each
// other and missing every time; and forgetting the entry leaves it in no
// slot.
func TestMemoTwoStringsOfAKeyInOneBucket(t *testing.T) {
	m := newMemo(1)
	key := backends.Key(backends.DefaultPrefix, "10.0.0.1", "s", "1 per 1 second")
	_, tag := m.place(key)
	other := strings.Clone(key)
	for _, t2 := m.place(other); t2 == tag; _, t2 = m.place(other) {
		other = strings.Clone(key)
	}
	e := newEntry(key, 0)
	// The copy first: the key's own string then finds the entry in the
	// copy's slot under the copy's tag and takes the slot, so the copy misses
	// once more and files a slot of its own. From then on neither misses.
	sends := []struct {
		name, s string
	}{{"a copy of the key", other}, {"the entry's own key string", key}}
	for round := range 5 {
		for _, sent := range sends {
			if m.lookup(sent.s) == e {
				continue
			}
			if round > 1 {
				t.Fatalf("round %d: %s missed, sent in turn with the other", round, sent.name)
			}
			m.remember(sent.s, e)
		}
	}
	e.markRemoved()
	m.forget(e)
	m.each(func(x *entry) {
		if x == e {
			t.Fatal("forget left the removed entry in a slot")
		}
	})
}
