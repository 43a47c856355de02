package etcd_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/etcd"
)

var t0 = time.Date(2030, time.January, 1, 0, 0, 0, 0, time.UTC)

var bg = context.Background()

// hit and peek decide one request, failing the test on error.
var (
	hit  = backendtest.Hit
	peek = backendtest.Peek
)

func limit(client, name string, amount int64, window time.Duration) backends.Limit {
	return backends.Limit{Key: backends.Key("LIMITER", client, "s", name), Amount: amount, Window: window, Cost: 1}
}

// rawGet reads the etcd key of a limit key with the storage's client.
func rawGet(t *testing.T, st *etcd.Storage, prefix, key string) *clientv3.GetResponse {
	t.Helper()
	r, err := st.Client().Get(bg, prefix+key)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestConflictRetry: another store writes the key between a Hit's read and
// its Txn; the Txn fails, the Hit decides again from the values the Txn
// returned and charges on top of the other store's hit: nothing is lost.
func TestConflictRetry(t *testing.T) {
	for _, strategy := range backends.Strategies() {
		t.Run(strategy.String(), func(t *testing.T) {
			prefix := backendtest.UniquePrefix(t)
			a, b := openPrefix(t, prefix), openPrefix(t, prefix)
			l := limit("c", "5 per 1m", 5, time.Minute)
			hit(t, a, strategy, t0, l) // 1
			var once sync.Once
			a.SetBeforeWrite(func() {
				once.Do(func() { hit(t, b, strategy, t0.Add(time.Second), l) }) // 2
			})
			ok, res := hit(t, a, strategy, t0.Add(2*time.Second), l) // 3
			if !ok || res[0].Remaining != 2 {
				t.Errorf("Hit after a racing write: %v, %+v; want admitted, remaining 2", ok, res[0])
			}
			if a.Conflicts() != 1 {
				t.Errorf("%d conflicts, want 1", a.Conflicts())
			}
			if _, res := peek(t, b, strategy, t0.Add(3*time.Second), l); res[0].Remaining != 2 {
				t.Errorf("other store sees remaining %d, want 2", res[0].Remaining)
			}
		})
	}
}

// TestTwoStoresRace: two storages (two clients, as two processes) with G
// goroutines each race on one limit and admit exactly the limit, with
// conflicts resolved by retries.
func TestTwoStoresRace(t *testing.T) {
	prefix := backendtest.UniquePrefix(t)
	stores := []*etcd.Storage{openPrefix(t, prefix, "timeout=20s"), openPrefix(t, prefix, "timeout=20s")}
	const g, n, amount = 4, 15, 70
	l := limit("race", "70 per 1h", amount, time.Hour)
	admitted := backendtest.CountAdmitted(t, 2*g, n, []backends.Storage{stores[0], stores[1]}, func(int) *backends.Request {
		return &backends.Request{Strategy: backends.SlidingWindowCounter, Now: t0, Limits: []backends.Limit{l}}
	})
	if got, want := admitted, int64(min(2*g*n, amount)); got != want {
		t.Errorf("admitted %d, want %d", got, want)
	}
	t.Logf("conflicts: %d and %d", stores[0].Conflicts(), stores[1].Conflicts())
}

// TestLeases: every written key carries a lease whose TTL covers its state
// (the window model's Expires, plus ClockSlack, from Request.Now) and not
// much more; keys with similar lifetimes share one lease.
func TestLeases(t *testing.T) {
	prefix := backendtest.UniquePrefix(t)
	st := openPrefix(t, prefix)
	cases := []struct {
		strategy backends.Strategy
		window   time.Duration
		life     time.Duration // how long the state lasts after one hit at t0+off
	}{
		{backends.FixedWindow, 10 * time.Second, 10 * time.Second},
		{backends.MovingWindow, time.Minute, time.Minute},
		// t0+off lies 20 s into a 1 min bucket: the hit counts until the
		// end of the next bucket, 100 s later.
		{backends.SlidingWindowCounter, time.Minute, 100 * time.Second},
		{backends.FixedWindow, 24 * time.Hour, 24 * time.Hour},
	}
	for i, c := range cases {
		l := limit("lease", c.strategy.String()+c.window.String(), 5, c.window)
		hit(t, st, c.strategy, t0.Add(20*time.Second), l)
		r := rawGet(t, st, prefix, l.Key)
		if len(r.Kvs) != 1 || r.Kvs[0].Lease == 0 {
			t.Fatalf("case %d: key %q stored without a lease: %v", i, l.Key, r.Kvs)
		}
		ttl, err := st.Client().TimeToLive(bg, clientv3.LeaseID(r.Kvs[0].Lease))
		if err != nil {
			t.Fatal(err)
		}
		need := c.life + etcd.ClockSlack
		got := time.Duration(ttl.TTL) * time.Second
		// TTL counts down in whole seconds: it may read one less than the
		// time left.
		if got+time.Second < need || got > need+need/4+3*time.Second {
			t.Errorf("case %d (%v, window %v): lease TTL %v, want between %v and %v", i, c.strategy, c.window, got, need, need+need/4+3*time.Second)
		}
	}
	// Many keys of one lifetime: one Grant.
	before := st.Grants()
	for i := range 20 {
		hit(t, st, backends.FixedWindow, t0, limit("many", string(rune('a'+i)), 5, 3*time.Hour))
	}
	if g := st.Grants() - before; g != 1 {
		t.Errorf("20 writes of one lifetime granted %d leases, want 1", g)
	}
}

// TestBuckets: a bucket ends after the lifetime it serves, by less than its
// length, which is at least a second and at most a quarter of the lifetime
// beyond that.
func TestBuckets(t *testing.T) {
	for _, now := range []time.Duration{0, 123456789, 7*time.Hour + 3} {
		for _, life := range []time.Duration{1, time.Second, 1500 * time.Millisecond, time.Minute, 25 * time.Hour, 7_000_000_000 * time.Second} {
			end, size := etcd.BucketOf(now, life)
			if end <= now+life || end-(now+life) > size || end%size != 0 {
				t.Errorf("BucketOf(%v, %v) = end %v, size %v: does not cover the life by at most a bucket", now, life, end, size)
			}
			if size < time.Second || (size > time.Second && size > life/4) {
				t.Errorf("BucketOf(%v, %v): size %v", now, life, size)
			}
		}
	}
	if d := etcd.LifeOf(1<<63-1, -5); d != 7_000_000_000*time.Second {
		t.Errorf("LifeOf of a saturated expiry = %v, want the longest lease", d)
	}
	if d := etcd.LifeOf(int64(time.Minute), 0); d != time.Minute+etcd.ClockSlack {
		t.Errorf("LifeOf(1m, 0) = %v", d)
	}
}

// TestLeaseRevoked: a lease that ends before its time (revoked) is
// forgotten and replaced; the Hit still succeeds.
func TestLeaseRevoked(t *testing.T) {
	prefix := backendtest.UniquePrefix(t)
	st := openPrefix(t, prefix)
	a, b := limit("rv", "a", 5, time.Hour), limit("rv", "b", 5, time.Hour)
	hit(t, st, backends.FixedWindow, t0, a)
	r := rawGet(t, st, prefix, a.Key)
	if _, err := st.Client().Revoke(bg, clientv3.LeaseID(r.Kvs[0].Lease)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := hit(t, st, backends.FixedWindow, t0, b); !ok {
		t.Fatal("Hit after the lease was revoked: refused")
	}
	if r := rawGet(t, st, prefix, b.Key); len(r.Kvs) != 1 || r.Kvs[0].Lease == 0 {
		t.Errorf("key written after the revocation: %v", r.Kvs)
	}
}

// TestClear: Clear deletes the key, so the limit is full again; clearing
// twice is not an error.
func TestClear(t *testing.T) {
	prefix := backendtest.UniquePrefix(t)
	st := openPrefix(t, prefix)
	l := limit("clr", "2 per 1h", 2, time.Hour)
	hit(t, st, backends.MovingWindow, t0, l)
	hit(t, st, backends.MovingWindow, t0, l)
	if ok, _ := peek(t, st, backends.MovingWindow, t0, l); ok {
		t.Fatal("limit not exhausted")
	}
	for range 2 {
		if err := st.Clear(bg, l.Key); err != nil {
			t.Fatal(err)
		}
	}
	if r := rawGet(t, st, prefix, l.Key); len(r.Kvs) != 0 {
		t.Errorf("key still stored after Clear")
	}
	if ok, res := peek(t, st, backends.MovingWindow, t0, l); !ok || res[0].Remaining != 2 {
		t.Errorf("after Clear: %v, %+v", ok, res[0])
	}
}

// TestReset: Reset removes the keys under one limiter prefix, and only
// those; an empty prefix is refused.
func TestReset(t *testing.T) {
	st := open(t)
	mk := func(p, client string) backends.Limit {
		return backends.Limit{Key: backends.Key(p, client, "s", "1 per 1h"), Amount: 1, Window: time.Hour, Cost: 1}
	}
	for _, c := range []string{"a", "b", "c"} {
		hit(t, st, backends.FixedWindow, t0, mk("APP", c))
	}
	other := mk("APP2", "a") // "APP" is a prefix of "APP2" but not its limiter
	hit(t, st, backends.FixedWindow, t0, other)
	n, err := st.Reset(bg, "APP")
	if err != nil || n != 3 {
		t.Fatalf("Reset = %d, %v; want 3", n, err)
	}
	if ok, _ := peek(t, st, backends.FixedWindow, t0, mk("APP", "a")); !ok {
		t.Error("a reset key still counts")
	}
	if ok, _ := peek(t, st, backends.FixedWindow, t0, other); ok {
		t.Error("Reset removed a key of another prefix")
	}
	if _, err := st.Reset(bg, ""); err == nil {
		t.Error("Reset with an empty prefix: no error")
	}
	st.Close()
	if _, err := st.Reset(bg, "APP"); !errors.Is(err, backends.ErrClosed) {
		t.Errorf("Reset after Close: %v", err)
	}
}

// TestSeveralClients: one request over limits of two clients is decided
// all-or-nothing; requests that take the clients in opposite orders do not
// deadlock and stay exact.
func TestSeveralClients(t *testing.T) {
	st := open(t, "timeout=20s")
	a, b := limit("alice", "3 per 1h", 3, time.Hour), limit("bob", "1 per 1h", 1, time.Hour)
	if ok, _ := hit(t, st, backends.FixedWindow, t0, a, b); !ok {
		t.Fatal("first request refused")
	}
	ok, res := hit(t, st, backends.FixedWindow, t0, a, b)
	if ok || !res[0].Allowed || res[1].Allowed || res[0].Remaining != 2 {
		t.Fatalf("second request: %v %+v; want refused by bob only, alice remaining 2", ok, res)
	}
	if _, res := peek(t, st, backends.FixedWindow, t0, a); res[0].Remaining != 2 {
		t.Fatalf("refused request charged alice: remaining %d", res[0].Remaining)
	}

	x, y := limit("xavier", "40 per 1h", 40, time.Hour), limit("yvonne", "1000 per 1h", 1000, time.Hour)
	admitted := backendtest.CountAdmitted(t, 6, 10, []backends.Storage{st}, func(i int) *backends.Request {
		if i%2 == 1 { // the other order: no deadlock between the clients' locks
			return &backends.Request{Now: t0, Limits: []backends.Limit{y, x}}
		}
		return &backends.Request{Now: t0, Limits: []backends.Limit{x, y}}
	})
	if admitted != 40 {
		t.Errorf("admitted %d, want 40", admitted)
	}
	if _, res := peek(t, st, backends.FixedWindow, t0, y); res[0].Remaining != 960 {
		t.Errorf("yvonne remaining %d, want 960 (charged only with xavier)", res[0].Remaining)
	}
}

// TestForeignValues: a key holding another strategy's state reads as
// empty and is overwritten; a value that is no window state is an error,
// never a decision.
func TestForeignValues(t *testing.T) {
	prefix := backendtest.UniquePrefix(t)
	st := openPrefix(t, prefix)
	l := limit("f", "1 per 1h", 1, time.Hour)
	hit(t, st, backends.FixedWindow, t0, l)
	if ok, _ := hit(t, st, backends.MovingWindow, t0, l); !ok {
		t.Error("a fixed-window state refused a moving-window hit")
	}
	if ok, _ := peek(t, st, backends.MovingWindow, t0, l); ok {
		t.Error("moving-window hit not stored over the fixed-window state")
	}
	if _, err := st.Client().Put(bg, prefix+l.Key, "hello"); err != nil {
		t.Fatal(err)
	}
	res := make([]backends.Result, 1)
	if ok, err := st.Hit(bg, &backends.Request{Now: t0, Limits: []backends.Limit{l}}, res); err == nil {
		t.Errorf("Hit on a foreign value: %v, no error", ok)
	}
}

// TestCloseDuringHit: a Hit cut short by Close returns backends.ErrClosed.
func TestCloseDuringHit(t *testing.T) {
	st := open(t)
	l := limit("cl", "5 per 1h", 5, time.Hour)
	st.SetBeforeWrite(func() { st.Close() })
	res := make([]backends.Result, 1)
	_, err := st.Hit(bg, &backends.Request{Now: t0, Limits: []backends.Limit{l}}, res)
	if !errors.Is(err, backends.ErrClosed) {
		t.Errorf("Hit cut short by Close: %v, want ErrClosed", err)
	}
}
