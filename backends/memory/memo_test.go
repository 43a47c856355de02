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

// direct locates key without the memo.
func (s *Store) direct(key string) (h, shard uint64) {
	th, _ := tagHash(s.tseed, key)
	return s.hash(key), th >> s.shift
}

// TestMemoLocatesLikeHashing checks that locate answers what hashing
// answers, for keys sent again as the same string, as a copy with the same
// bytes, and for many keys that overflow the memo, so that slots are shared
// and taken over.
func TestMemoLocatesLikeHashing(t *testing.T) {
	s := mustNew(t, Config{})
	keys := make([]string, 3*memoSlots)
	for i := range keys {
		keys[i] = backends.Key(backends.DefaultPrefix, fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), "s", "1 per 1 second")
	}
	for round := range 3 {
		for _, k := range keys {
			for _, sent := range []string{k, strings.Clone(k)} {
				h, sh := s.locate(sent)
				wh, wsh := s.direct(k)
				if h != wh || sh != wsh {
					t.Fatalf("round %d: locate(%q) = %#x, %d; hashing gives %#x, %d", round, sent, h, sh, wh, wsh)
				}
			}
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
