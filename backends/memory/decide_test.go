package memory

import (
	"fmt"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// TestManyClientsOneRequest checks the all-or-nothing decision of requests
// whose keys have different hash tags, in one shard and in several (the
// locks taken in index order), for every strategy.
func TestManyClientsOneRequest(t *testing.T) {
	s := mustNew(t, Config{})
	key := func(i int) string { return backends.Key("p", fmt.Sprintf("c%d", i), "s", "l") }
	shardOf := func(i int) uint64 { _, sh := s.locate(key(i)); return sh }
	// Three clients: a, b in one shard; c in another.
	a, b, c := 0, -1, -1
	for i := 1; b < 0 || c < 0; i++ {
		switch {
		case shardOf(i) == shardOf(a) && b < 0:
			b = i
		case shardOf(i) != shardOf(a) && c < 0:
			c = i
		}
	}
	now := time.Unix(1000, 0)
	for _, st := range backends.Strategies() {
		for _, pair := range [][2]int{{a, b}, {a, c}, {c, a}} {
			tight := lim(fmt.Sprintf("%v/%v/", st, pair)+key(pair[0]), 1, time.Minute)
			loose := lim(fmt.Sprintf("%v/%v/", st, pair)+key(pair[1]), 5, time.Minute)
			if !hit(t, s, st, now, tight, loose) {
				t.Fatalf("%v %v: first hit denied", st, pair)
			}
			if hit(t, s, st, now, tight, loose) {
				t.Fatalf("%v %v: second hit admitted past a limit of 1", st, pair)
			}
			res := make([]backends.Result, 1)
			if _, err := s.Test(ctx, &backends.Request{Strategy: st, Now: now, Limits: []backends.Limit{loose}}, res); err != nil {
				t.Fatal(err)
			}
			if res[0].Remaining != 4 {
				t.Errorf("%v %v: the loose limit has %d remaining, want 4 (a denied request consumes nothing)", st, pair, res[0].Remaining)
			}
		}
	}
}

// TestDuplicateKeyIsOneCounter: a request that carries one key twice (a
// route limited twice by the same limit, say) keeps one counter for it,
// charged once per limit, whether the key is new or known.
func TestDuplicateKeyIsOneCounter(t *testing.T) {
	for _, st := range backends.Strategies() {
		s := mustNew(t, Config{})
		now := time.Unix(1_800_000_000, 0)
		l := lim("P/{c}/s/a", 10, time.Minute)
		for round, want := range []int64{8, 6} {
			res := make([]backends.Result, 2)
			ok, err := s.Hit(ctx, &backends.Request{Strategy: st, Now: now, Limits: []backends.Limit{l, l}}, res)
			if err != nil || !ok {
				t.Fatalf("%v round %d: %v, %v", st, round, ok, err)
			}
			if n := s.entries(); n != 1 {
				t.Fatalf("%v round %d: %d entries for one key", st, round, n)
			}
			peek := make([]backends.Result, 1)
			if _, err := s.Test(ctx, &backends.Request{Strategy: st, Now: now, Limits: []backends.Limit{l}}, peek); err != nil || peek[0].Remaining != want {
				t.Fatalf("%v round %d: remaining %d (%v), want %d", st, round, peek[0].Remaining, err, want)
			}
		}
		if err := s.Clear(ctx, l.Key); err != nil || s.entries() != 0 {
			t.Fatalf("%v: Clear left %d entries (%v)", st, s.entries(), err)
		}
	}
}
