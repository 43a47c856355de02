package redis_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
)

// TestClusterSpread: clients spread over every master of the cluster, each
// client's two limits decided in one slot, every limit exact.
func TestClusterSpread(t *testing.T) {
	st := open(t, "LIMITGEN_REDIS_CLUSTER_URI")
	cc, ok := st.Client().(*goredis.ClusterClient)
	if !ok {
		t.Fatalf("client is %T, want a cluster client", st.Client())
	}
	ctx := context.Background()
	masters := map[string]int{}
	for i := range 64 {
		client := fmt.Sprintf("10.0.0.%d", i)
		limits := []backends.Limit{
			{Key: backends.Key("L", client, "s", "2 per 1 hour"), Amount: 2, Window: time.Hour, Cost: 1},
			{Key: backends.Key("L", client, "s", "5 per 1 day"), Amount: 5, Window: 24 * time.Hour, Cost: 1},
		}
		n := 0
		for range 3 {
			res := make([]backends.Result, 2)
			ok, err := st.Hit(ctx, &backends.Request{Now: time.Now(), Limits: limits}, res)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				n++
			}
		}
		if n != 2 {
			t.Errorf("client %s: %d admitted under 2 per hour", client, n)
		}
		m, err := cc.MasterForKey(ctx, limits[0].Key)
		if err != nil {
			t.Fatal(err)
		}
		masters[m.Options().Addr]++
	}
	if len(masters) != 3 {
		t.Errorf("64 clients landed on masters %v, want all 3", masters)
	}
	// The keys really live where the slots say.
	var found atomic.Int64
	err := cc.ForEachMaster(ctx, func(ctx context.Context, c *goredis.Client) error {
		keys, err := c.Keys(ctx, "*"+strings.TrimSuffix(st.Prefix(), "/")+"*").Result()
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			return fmt.Errorf("master %s holds no key of the test", c.Options().Addr)
		}
		found.Add(int64(len(keys)))
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	if found.Load() != 128 {
		t.Errorf("found %d keys on the masters, want 128", found.Load())
	}
}

// TestClusterCrossSlot: one request whose limits belong to two clients
// (two slots) is still all-or-nothing: the slot that had room is refunded
// when the other denies.
func TestClusterCrossSlot(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			st := open(t, mode, "clock=client")
			ctx := context.Background()
			for _, s := range backends.Strategies() {
				a := backends.Limit{Key: backends.Key("L", "alice-"+s.String(), "s", "3 per 1 hour"), Amount: 3, Window: time.Hour, Cost: 1}
				b := backends.Limit{Key: backends.Key("L", "bob-"+s.String(), "s", "1 per 1 hour"), Amount: 1, Window: time.Hour, Cost: 1}
				now := t0
				res := make([]backends.Result, 2)
				if ok, err := st.Hit(ctx, &backends.Request{Strategy: s, Now: now, Limits: []backends.Limit{a, b}}, res); err != nil || !ok {
					t.Fatalf("%v: first Hit = %v, %v", s, ok, err)
				}
				ok, err := st.Hit(ctx, &backends.Request{Strategy: s, Now: now.Add(time.Second), Limits: []backends.Limit{a, b}}, res)
				if err != nil || ok {
					t.Fatalf("%v: second Hit = %v, %v; want denied by bob", s, ok, err)
				}
				if !res[0].Allowed || res[0].Remaining != 2 || res[1].Allowed {
					t.Errorf("%v: results %+v, want alice allowed with 2 left, bob denied", s, res)
				}
				one := make([]backends.Result, 1)
				if ok, err := st.Test(ctx, &backends.Request{Strategy: s, Now: now.Add(2 * time.Second), Limits: []backends.Limit{a}}, one); err != nil || !ok || one[0].Remaining != 2 {
					t.Errorf("%v: alice after the denied request: %v %+v %v, want 2 remaining (refunded)", s, ok, one[0], err)
				}
			}
		})
	}
}
