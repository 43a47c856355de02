package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/redis"
)

// TestClockSkew: two application servers whose clocks differ by 90
// seconds share one limit. With the server's clock (the default) they admit
// exactly the limit between them, and each sees the same wait until Reset;
// with their own clocks they would not, which is why server is the default.
func TestClockSkew(t *testing.T) {
	uri := backendtest.ServerURI(t, "LIMITGEN_REDIS_URI")
	prefix := backendtest.UniquePrefix(t)
	const amount = 10
	skew := 90 * time.Second
	pair := func(t *testing.T, params string) (a, b backends.Storage) {
		for _, p := range []*backends.Storage{&a, &b} {
			st, err := backends.Open(backendtest.URIWithParams(uri, "prefix="+prefix, params))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			*p = st
		}
		return a, b
	}
	admitted := func(t *testing.T, a, b backends.Storage, s backends.Strategy, client string, checkReset bool) (int, []backends.Result) {
		ctx := context.Background()
		n := 0
		var last []backends.Result
		for i := range 3 * amount {
			st, now := a, time.Now()
			if i%2 == 1 {
				st, now = b, now.Add(skew) // b's clock runs 90s ahead
			}
			req := &backends.Request{Strategy: s, Now: now, Limits: []backends.Limit{{Key: backends.Key("L", client, "s", "10 per 1 minute"), Amount: amount, Window: time.Minute, Cost: 1}}}
			res := make([]backends.Result, 1)
			ok, err := st.Hit(ctx, req, res)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				n++
			}
			if i >= 3*amount-2 {
				last = append(last, res[0])
				if w := res[0].Reset.Sub(now); checkReset && (w <= 0 || w > time.Minute) {
					t.Errorf("%v: Reset is %v after the caller's now, want within (0, 1m]", s, w)
				}
			}
		}
		return n, last
	}
	for _, s := range backends.Strategies() {
		t.Run(s.String(), func(t *testing.T) {
			a, b := pair(t, "clock=server")
			if n, _ := admitted(t, a, b, s, "server-"+s.String(), true); n != amount {
				t.Errorf("server clock: %d admitted by two skewed callers, want exactly %d", n, amount)
			}
			if !a.(*redis.Storage).UsesServerClock() {
				t.Error("clock=server: UsesServerClock is false")
			}
			a, b = pair(t, "clock=client")
			if n, _ := admitted(t, a, b, s, "client-"+s.String(), false); n <= amount {
				t.Errorf("client clock: %d admitted; the skew should have broken the limit (the test would prove nothing)", n)
			}
		})
	}
}
