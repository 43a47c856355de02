package redis_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/redis"
)

// A hit on one limit on the server's clock takes each script's short path
// (fixed_server.lua, moving_one.lua, sliding_one.lua); the same hit as
// part of a request of two limits takes the general path. These tests
// drive both on twin keys with the same history and compare the answers,
// then reach the states the short paths leave to the general one.

// twin decides the same hit on two keys of one client: on key "short" as a
// request of one limit, on key "general" together with a limit that never
// refuses and costs nothing (which keeps the request off the fixed
// window's short path for many limits). It returns both answers for the
// shared limit.
type twin struct {
	st     *redis.Storage
	client string
}

func (tw twin) limit(name string, amount int64, window time.Duration, cost int64) backends.Limit {
	return backends.Limit{Key: backends.Key("L", tw.client, "s", name), Amount: amount, Window: window, Cost: cost}
}

func (tw twin) hit(t *testing.T, s backends.Strategy, amount int64, window time.Duration, cost int64) (short, general backends.Result, okShort, okGeneral bool) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	one := []backends.Limit{tw.limit("short", amount, window, cost)}
	res := make([]backends.Result, 2)
	okShort, err := tw.st.Hit(ctx, &backends.Request{Strategy: s, Now: now, Limits: one}, res[:1])
	if err != nil {
		t.Fatal(err)
	}
	short = res[0]
	two := []backends.Limit{tw.limit("general", amount, window, cost), tw.limit("other", 1<<40, window, 0)}
	okGeneral, err = tw.st.Hit(ctx, &backends.Request{Strategy: s, Now: now, Limits: two}, res)
	if err != nil {
		t.Fatal(err)
	}
	return short, res[0], okShort, okGeneral
}

// TestShortPathMatchesGeneral: over a long window (so that the instants of
// the two calls do not matter), random costs between 0 and amount+1 give
// the same verdicts, remaining counts and resets (within the time between
// the two calls) on the short and the general path, for every strategy.
func TestShortPathMatchesGeneral(t *testing.T) {
	st := open(t, "LIMITGEN_REDIS_URI")
	for _, s := range backends.Strategies() {
		t.Run(s.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(s)))
			tw := twin{st, "match-" + s.String()}
			const amount = 20
			admitted := 0
			for i := range 60 {
				cost := r.Int64N(amount + 2)
				if i%3 == 0 {
					cost = 1
				}
				a, b, okA, okB := tw.hit(t, s, amount, time.Hour, cost)
				if okA != okB || a.Allowed != b.Allowed || a.Remaining != b.Remaining {
					t.Fatalf("step %d cost %d: short path %v %+v, general %v %+v", i, cost, okA, a, okB, b)
				}
				if d := a.Reset.Sub(b.Reset); d < -50*time.Millisecond || d > 50*time.Millisecond {
					t.Fatalf("step %d cost %d: resets differ by %v (short %v, general %v)", i, cost, d, a.Reset, b.Reset)
				}
				if okA {
					admitted += int(cost)
				}
			}
			if admitted > amount || admitted < amount-1 {
				t.Errorf("admitted cost %d in all, want %d (or one less)", admitted, amount)
			}
		})
	}
}

// TestShortPathManyMatchesGeneral: a hit on two limits whose costs lie
// between 1 and their amounts takes the short path for many limits
// (operation "M"; costs of 1 only for the moving window); the same hits
// on twin keys, with a third limit that costs nothing, take the
// general path. Random costs, some out of those bounds, give the same
// verdicts, per-limit states and resets, and a refusal by either limit
// charges neither.
func TestShortPathManyMatchesGeneral(t *testing.T) {
	st := open(t, "LIMITGEN_REDIS_URI")
	for _, s := range backends.Strategies() {
		t.Run(s.String(), func(t *testing.T) { manyMatchesGeneral(t, st, s) })
	}
}

func manyMatchesGeneral(t *testing.T, st *redis.Storage, s backends.Strategy) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	client := fmt.Sprint("many-", time.Now().UnixNano())
	limit := func(name string, amount, cost int64) backends.Limit {
		return backends.Limit{Key: backends.Key("L", client, "s", name), Amount: amount, Window: time.Hour, Cost: cost}
	}
	hit := func(limits []backends.Limit, res []backends.Result) bool {
		t.Helper()
		ok, err := st.Hit(ctx, &backends.Request{Strategy: s, Now: time.Now(), Limits: limits}, res)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	var admitted int64
	for i := range 80 {
		cost := 1 + r.Int64N(4)
		switch i % 10 {
		case 7:
			cost = 0
		case 9:
			cost = 14 // above the second limit's amount
		}
		many := []backends.Limit{limit("a", 40, cost), limit("b", 13, cost)}
		general := []backends.Limit{limit("a-general", 40, cost), limit("b-general", 13, cost), limit("free", 1<<40, 0)}
		resMany, resGeneral := make([]backends.Result, 2), make([]backends.Result, 3)
		okMany := hit(many, resMany)
		okGeneral := hit(general, resGeneral)
		if okMany != okGeneral {
			t.Fatalf("step %d cost %d: short path %v %+v, general %v %+v", i, cost, okMany, resMany, okGeneral, resGeneral[:2])
		}
		for j := range resMany {
			a, b := resMany[j], resGeneral[j]
			if a.Allowed != b.Allowed || a.Remaining != b.Remaining {
				t.Fatalf("step %d cost %d limit %d: short path %+v, general %+v", i, cost, j, a, b)
			}
			if d := a.Reset.Sub(b.Reset); d < -50*time.Millisecond || d > 50*time.Millisecond {
				t.Fatalf("step %d cost %d limit %d: resets differ by %v", i, cost, j, d)
			}
		}
		if okMany {
			admitted += cost
		}
	}
	// Limits whose packed state would pass 2^51 answer as a table, with
	// the general path's resets (within the window).
	const huge = 1 << 40
	now := time.Now()
	var resets []time.Time
	for _, twin := range []string{"", "-general"} {
		// every cost in bounds: operation M; with a free third limit: the
		// general path
		limits := []backends.Limit{limit("huge"+twin, huge, 1), limit("huge-too"+twin, huge, 2)}
		if twin != "" {
			limits = append(limits, limit("free", huge, 0))
		}
		res := make([]backends.Result, len(limits))
		if ok := hit(limits, res); !ok || res[0].Remaining != huge-1 || res[1].Remaining != huge-2 {
			t.Fatalf("huge limits%s: %v %+v, want admitted with %d and %d left", twin, ok, res[:2], huge-1, huge-2)
		}
		if d := res[0].Reset.Sub(now); d <= 0 || d > time.Hour+time.Second {
			t.Errorf("huge limits%s: reset %v after now, want within the hour", twin, d)
		}
		resets = append(resets, res[0].Reset)
	}
	if d := resets[0].Sub(resets[1]); d < -50*time.Millisecond || d > 50*time.Millisecond {
		t.Errorf("huge limits: resets differ by %v between the short and the general path", d)
	}
	if s == backends.FixedWindow && resets[0].Sub(now) < time.Hour-time.Second {
		t.Errorf("huge limits: reset %v after now, want the hour's window from the first hit", resets[0].Sub(now))
	}
	// the second limit bounds what both admit, refused hits charging none
	if admitted > 13 || admitted < 10 {
		t.Errorf("admitted cost %d in all, want it between 10 and 13", admitted)
	}
	peek := make([]backends.Result, 2)
	if _, err := st.Test(ctx, &backends.Request{Strategy: s, Now: time.Now(), Limits: []backends.Limit{limit("a", 40, 1), limit("b", 13, 1)}}, peek); err != nil {
		t.Fatal(err)
	}
	if peek[0].Remaining != 40-admitted || peek[1].Remaining != 13-admitted {
		t.Errorf("after admitting cost %d, %d and %d remain, want %d and %d", admitted, peek[0].Remaining, peek[1].Remaining, 40-admitted, 13-admitted)
	}
}

// TestShortPathMovingTrim: the moving window's short paths, for one limit
// and for two, trim the hits that left the window once they see 2 or 3 of
// them at the tail (one they leave in place, uncounted), and leave a tail
// of 4 or more expired hits to the general path, which must then answer
// as if they were gone.
func TestShortPathMovingTrim(t *testing.T) {
	st := open(t, "LIMITGEN_REDIS_URI")
	ctx := context.Background()
	const window = 60 * time.Millisecond
	for _, n := range []int{1, 2} {
		for _, old := range []int{1, 2, 3, 7} {
			t.Run(fmt.Sprint(n, "-limits/", old, "-expired"), func(t *testing.T) {
				var limits []backends.Limit
				for i := range n {
					key := backends.Key("L", fmt.Sprint("trim-", n, "-", old), "s", fmt.Sprint("l", i))
					limits = append(limits, backends.Limit{Key: key, Amount: int64(10 * (i + 1)), Window: window, Cost: 1})
				}
				req := &backends.Request{Strategy: backends.MovingWindow, Limits: limits}
				res := make([]backends.Result, n)
				for range old {
					req.Now = time.Now()
					if _, err := st.Hit(ctx, req, res); err != nil {
						t.Fatal(err)
					}
				}
				time.Sleep(window + window/2) // server clock: real time must pass
				for i := range 3 {
					req.Now = time.Now()
					ok, err := st.Hit(ctx, req, res)
					if err != nil {
						t.Fatal(err)
					}
					for j, l := range limits {
						if want := l.Amount - 1 - int64(i); !ok || res[j].Remaining != want {
							t.Fatalf("hit %d after %d expired, limit %d: %v %+v, want admitted with %d left", i, old, j, ok, res[j], want)
						}
						if w := res[j].Reset.Sub(req.Now); w <= 0 || w > window {
							t.Errorf("hit %d, limit %d: Reset %v after now, want within (0, %v]", i, j, w, window)
						}
					}
				}
				for j, l := range limits {
					got, err := st.Client().LLen(ctx, st.Prefix()+l.Key+"#mw").Result()
					if err != nil {
						t.Fatal(err)
					}
					// A single expired hit stays (uncounted) until a second
					// joins it, unless the whole key expired first (it lives
					// two windows after its last hit, which a slow sleep may
					// exceed).
					if got != 3 && (old != 1 || got != 4) {
						t.Errorf("limit %d: list holds %d entries after %d expired ones and 3 new hits, want 3", j, got, old)
					}
				}
			})
		}
	}
}

// TestShortPathRefusal: a refused hit on the short paths, for one limit
// and for two, charges nothing (the optimistic INCRBY or LPUSH is undone)
// and reports the state.
func TestShortPathRefusal(t *testing.T) {
	st := open(t, "LIMITGEN_REDIS_URI")
	ctx := context.Background()
	for _, n := range []int{1, 2} {
		for _, s := range backends.Strategies() {
			t.Run(fmt.Sprint(n, "-limits/", s), func(t *testing.T) {
				// the first limit refuses; a second has room to spare
				limits := []backends.Limit{{Key: backends.Key("L", fmt.Sprint("refuse-", n, s), "s", "l"), Amount: 3, Window: time.Hour, Cost: 1}}
				if n == 2 {
					limits = append(limits, backends.Limit{Key: backends.Key("L", fmt.Sprint("refuse-", n, s), "s", "roomy"), Amount: 10, Window: time.Hour, Cost: 1})
				}
				req := &backends.Request{Strategy: s, Now: time.Now(), Limits: limits}
				res := make([]backends.Result, n)
				for i := range 6 {
					ok, err := st.Hit(ctx, req, res)
					if err != nil {
						t.Fatal(err)
					}
					if ok != (i < 3) || res[0].Allowed != ok || res[0].Remaining != max(0, 2-int64(i)) {
						t.Fatalf("hit %d: %v %+v", i, ok, res)
					}
					if n == 2 && (!res[1].Allowed || res[1].Remaining != 10-min(3, int64(i)+1)) {
						t.Fatalf("hit %d: the roomy limit reports %+v, want allowed with %d left", i, res[1], 10-min(3, int64(i)+1))
					}
					// the sliding window counter resets at the end of its
					// bucket, aligned to whole hours here; the others an hour
					// after the first hit
					low := time.Hour - time.Minute
					if s == backends.SlidingWindowCounter {
						low = 0
					}
					if w := res[0].Reset.Sub(req.Now); w <= low || w > time.Hour {
						t.Errorf("hit %d: Reset %v after now, want within (%v, 1h]", i, w, low)
					}
				}
				// a peek (general path) sees exactly the 3 admitted hits
				if ok, err := st.Test(ctx, req, res); err != nil || ok || res[0].Remaining != 0 {
					t.Fatalf("peek: %v %+v %v, want refused with 0 left", ok, res[0], err)
				}
				req.Limits[0].Amount = 4
				if ok, err := st.Test(ctx, req, res); err != nil || !ok || res[0].Remaining != 1 {
					t.Fatalf("peek with amount 4: %v %+v %v, want admitted with 1 left (3 hits counted)", ok, res[0], err)
				}
				if n == 2 && res[1].Remaining != 7 {
					t.Fatalf("peek: the roomy limit has %d left, want 7 (3 hits counted)", res[1].Remaining)
				}
			})
		}
	}
}

// TestShortPathSlidingBuckets: the sliding window counter's short paths
// for one limit and for many carry the current bucket into the previous
// one at a bucket boundary and weight it as the general path does. Four
// keys get the same hits in one bucket (through one request); in the next
// bucket, a hit on one limit, the same hit with a free limit (the general
// path) and a hit on two limits must agree, unless the weighted count
// changed between the calls (then the test tries again in a later bucket).
func TestShortPathSlidingBuckets(t *testing.T) {
	st := open(t, "LIMITGEN_REDIS_URI")
	ctx := context.Background()
	const window = 200 * time.Millisecond
	agreed := 0
	for attempt := range 5 {
		tw := twin{st, fmt.Sprint("buckets-", attempt)}
		waitBucket(t, st.Client(), window, 10*time.Millisecond, false)
		many := []backends.Limit{tw.limit("many-a", 10, window, 1), tw.limit("many-b", 10, window, 1)}
		all := append([]backends.Limit{tw.limit("short", 10, window, 1), tw.limit("general", 10, window, 1)}, many...)
		res := make([]backends.Result, len(all))
		for range 6 {
			if _, err := st.Hit(ctx, &backends.Request{Strategy: backends.SlidingWindowCounter, Now: time.Now(), Limits: all}, res); err != nil {
				t.Fatal(err)
			}
		}
		waitBucket(t, st.Client(), window, 50*time.Millisecond, true)
		a, b, okA, okB := tw.hit(t, backends.SlidingWindowCounter, 10, window, 1)
		okM, err := st.Hit(ctx, &backends.Request{Strategy: backends.SlidingWindowCounter, Now: time.Now(), Limits: many}, res[:2])
		if err != nil {
			t.Fatal(err)
		}
		m := res[0]
		if okA != okB || a.Remaining != b.Remaining || okM != okB || m.Remaining != b.Remaining || res[1].Remaining != b.Remaining {
			t.Logf("attempt %d: short %v %+v, general %v %+v, many %v %+v (the weight may have changed between the calls)", attempt, okA, a, okB, b, okM, res[:2])
			continue
		}
		if d := m.Reset.Sub(b.Reset); d < -20*time.Millisecond || d > 20*time.Millisecond {
			t.Errorf("attempt %d: resets of the many-limit and the general path differ by %v", attempt, d)
		}
		// 6 hits in the previous bucket, 150 ms of 200 still overlapping:
		// weighted floor(6 * ~0.75) = 4, plus the new hit.
		if a.Remaining < 3 || a.Remaining > 5 {
			t.Errorf("attempt %d: %d remaining after 6 hits in the previous bucket, want about 10-4-1", attempt, a.Remaining)
		}
		if d := a.Reset.Sub(b.Reset); d < -20*time.Millisecond || d > 20*time.Millisecond {
			t.Errorf("attempt %d: resets differ by %v", attempt, d)
		}
		agreed++
	}
	if agreed < 3 {
		t.Errorf("short and general path agreed in %d of 5 buckets", agreed)
	}
}

// waitBucket sleeps until the server's clock is offset into a bucket of
// window (buckets are aligned to multiples of window since the epoch): the
// next one if next is set, else the first that is still that far ahead.
func waitBucket(t *testing.T, c goredis.UniversalClient, window, offset time.Duration, next bool) {
	t.Helper()
	now, err := c.Time(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	into := time.Duration(now.UnixNano() % int64(window))
	wait := offset - into
	if wait < 0 || next {
		wait += window
	}
	time.Sleep(wait)
}
