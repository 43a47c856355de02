package redis_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/redis"
)

// countHook counts the commands a client sends, pipelines counted by their
// commands.
type countHook struct{ n atomic.Int64 }

func (h *countHook) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (h *countHook) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h *countHook) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		h.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// TestOneRoundTrip proves that a request with two limits costs one command
// (EVALSHA) for every strategy, counted both by the client and by the
// server's command statistics, and that a flushed script cache costs one
// extra round trip once.
func TestOneRoundTrip(t *testing.T) {
	uri := backendtest.ServerURI(t, "LIMITGEN_REDIS_URI")
	u, err := backends.ParseURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	client := goredis.NewClient(&goredis.Options{Addr: u.Hosts[0], ContextTimeoutEnabled: true, DisableIdentity: true})
	defer client.Close()
	hook := &countHook{}
	client.AddHook(hook)
	st, err := redis.New(client, redis.Options{Prefix: backendtest.UniquePrefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	admin := goredis.NewClient(&goredis.Options{Addr: u.Hosts[0]})
	defer admin.Close()
	evalsha := func() int64 {
		stats, err := admin.InfoMap(ctx, "commandstats").Result()
		if err != nil {
			t.Fatal(err)
		}
		var calls int64
		for _, sec := range stats {
			if v, ok := sec["cmdstat_evalsha"]; ok {
				calls = parseCalls(v)
			}
		}
		return calls
	}
	for _, strategy := range backends.Strategies() {
		req := &backends.Request{Strategy: strategy, Now: time.Now(), Limits: []backends.Limit{
			{Key: backends.Key("L", "rt", "s", "10 per 1 second"), Amount: 10, Window: time.Second, Cost: 1},
			{Key: backends.Key("L", "rt", "s", "100 per 1 hour"), Amount: 100, Window: time.Hour, Cost: 1},
		}}
		res := make([]backends.Result, 2)
		if _, err := st.Hit(ctx, req, res); err != nil { // loads the script if needed
			t.Fatal(err)
		}
		const n = 5
		before, server := hook.n.Load(), evalsha()
		for range n {
			if ok, err := st.Hit(ctx, req, res); err != nil || !ok {
				t.Fatalf("%v: Hit = %v, %v", strategy, ok, err)
			}
		}
		if got := hook.n.Load() - before; got != n {
			t.Errorf("%v: %d requests with two limits sent %d commands, want %d", strategy, n, got, n)
		}
		if got := evalsha() - server; got < n {
			t.Errorf("%v: server counted %d EVALSHA for %d requests", strategy, got, n)
		}
	}
	// After SCRIPT FLUSH the next request reloads the script (EVAL) and
	// still decides correctly.
	if err := admin.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	req := &backends.Request{Now: time.Now(), Limits: []backends.Limit{{Key: backends.Key("L", "rt2", "s", "1 per 1 hour"), Amount: 1, Window: time.Hour, Cost: 1}}}
	res := make([]backends.Result, 1)
	before := hook.n.Load()
	if ok, err := st.Hit(ctx, req, res); err != nil || !ok {
		t.Fatalf("Hit after SCRIPT FLUSH = %v, %v", ok, err)
	}
	if got := hook.n.Load() - before; got != 2 {
		t.Errorf("Hit after SCRIPT FLUSH sent %d commands, want 2 (EVALSHA, EVAL)", got)
	}
	if ok, err := st.Hit(ctx, req, res); err != nil || ok {
		t.Fatalf("second Hit of 1 per hour = %v, %v; want denied", ok, err)
	}
}

// parseCalls reads calls=N from a commandstats line.
func parseCalls(v string) int64 {
	var n int64
	for i := len("calls="); i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		n = n*10 + int64(v[i]-'0')
	}
	return n
}
