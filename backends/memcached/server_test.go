package memcached_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/memcached"
)

// t0 is a whole hour, as in backendtest.
var t0 = time.Date(2030, time.January, 1, 0, 0, 0, 0, time.UTC)

// hit and peek decide one request, failing the test on error.
var (
	hit  = backendtest.Hit
	peek = backendtest.Peek
)

func limit(client, text string, amount int64, window time.Duration) backends.Limit {
	return backends.Limit{Key: backends.Key("LIMITER", client, "test", text), Amount: amount, Window: window, Cost: 1}
}

// serverTTL asks the server that holds key for the item's remaining
// lifetime in seconds (meta get, memcached ≥ 1.6), -1 for none; ok is
// false when the item does not exist.
func serverTTL(t *testing.T, st *memcached.Storage, key string) (ttl int64, ok bool) {
	t.Helper()
	var addr net.Addr
	for _, h := range strings.Split(strings.TrimPrefix(serverURI(t), "memcached://"), ",") {
		// Find the server gomemcache picks for key by asking each.
		c := memcache.New(h)
		if _, err := c.Get(key); err == nil {
			addr, _ = net.ResolveTCPAddr("tcp", h)
		}
	}
	if addr == nil {
		return 0, false
	}
	conn, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "mg %s t\r\n", key)
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(line)
	if len(f) < 2 || f[0] != "HD" || !strings.HasPrefix(f[1], "t") {
		t.Fatalf("mg %s t: %q", key, line)
	}
	ttl, err = strconv.ParseInt(f[1][1:], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return ttl, true
}

// TestItemLifetime: the item's exptime covers its latest state, rounded up
// to seconds plus one, relative to the request's instant (the tests' 2030
// clock does not matter), and beyond 30 days as an absolute time that
// still means the right lifetime.
func TestItemLifetime(t *testing.T) {
	st := open(t)
	cases := []struct {
		strategy backends.Strategy
		window   time.Duration
		lo, hi   int64 // wanted TTL range, seconds
	}{
		{backends.FixedWindow, time.Minute, 60, 61},
		{backends.FixedWindow, 1500 * time.Millisecond, 2, 3},
		{backends.MovingWindow, time.Hour, 3600, 3601},
		{backends.SlidingWindowCounter, time.Minute, 60, 121}, // two buckets from the bucket's start
		{backends.FixedWindow, 30 * 24 * time.Hour, 30*86400 - 2, 30*86400 + 3},
		{backends.SlidingWindowCounter, 360 * 24 * time.Hour, 360 * 86400, 2 * 360 * 86400},
	}
	for i, c := range cases {
		client := fmt.Sprintf("ttl-%d", i)
		l := limit(client, c.window.String(), 5, c.window)
		if ok, _ := hit(t, st, c.strategy, t0.Add(90*time.Second), l); !ok {
			t.Fatalf("%v %v: refused", c.strategy, c.window)
		}
		ttl, ok := serverTTL(t, st, memcached.ItemKey(st, client))
		if !ok || ttl < c.lo || ttl > c.hi {
			t.Errorf("%v window %v: item TTL %d s (exists %v), want %d..%d", c.strategy, c.window, ttl, ok, c.lo, c.hi)
		}
	}
}

// TestRacingStores: two storages with their own connections (as two
// processes would be) hit one limit from many goroutines at one instant:
// exactly the limit is admitted, and compare-and-swap conflicts did occur
// and were retried.
func TestRacingStores(t *testing.T) {
	a := open(t, "max_idle_conns=16")
	uri := backendtest.URIWithParams(serverURI(t), "prefix="+strings.TrimSuffix(memcached.ItemKey(a, ""), "lg:"), "max_idle_conns=16")
	bs, err := backends.Open(uri)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	b := bs.(*memcached.Storage)
	for _, strategy := range backends.Strategies() {
		client := "race-" + strategy.String()
		limits := []backends.Limit{limit(client, "big", 1000, time.Hour), limit(client, "small", 70, time.Minute)}
		const g, n = 16, 10
		admitted := make(chan bool, g*n)
		errs := make(chan error, g)
		for i := range g {
			st := a
			if i%2 == 1 {
				st = b
			}
			go func() {
				res := make([]backends.Result, 2)
				for range n {
					ok, err := st.Hit(context.Background(), &backends.Request{Strategy: strategy, Now: t0, Limits: limits}, res)
					if err != nil {
						errs <- err
						return
					}
					admitted <- ok
				}
				errs <- nil
			}()
		}
		for range g {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		close(admitted)
		count := 0
		for ok := range admitted {
			if ok {
				count++
			}
		}
		if count != 70 {
			t.Errorf("%v: %d admitted, want 70", strategy, count)
		}
		_, res := peek(t, a, strategy, t0, limits...)
		if res[0].Remaining != 1000-70 || res[1].Remaining != 0 {
			t.Errorf("%v: remaining %d, %d; want 930, 0", strategy, res[0].Remaining, res[1].Remaining)
		}
	}
	if memcached.Conflicts(a)+memcached.Conflicts(b) == 0 {
		t.Error("no compare-and-swap conflict in 3 × 160 racing hits: the retry path went untested")
	}
	t.Logf("conflicts retried: %d + %d", memcached.Conflicts(a), memcached.Conflicts(b))
}

// TestSeveralClients: a request over two clients (two items, maybe on two
// servers) is all-or-nothing: when the client decided second refuses, the
// first one's charge is refunded, for every strategy.
func TestSeveralClients(t *testing.T) {
	st := open(t)
	for _, strategy := range backends.Strategies() {
		first := limit("a-"+strategy.String(), "3", 3, time.Minute) // item keys sort "…lg:a-…" first
		second := limit("z-"+strategy.String(), "1", 1, time.Minute)
		now := t0.Add(10 * time.Second)
		if ok, res := hit(t, st, strategy, now, second, first); !ok || res[0].Remaining != 0 || res[1].Remaining != 2 {
			t.Fatalf("%v: first request: %v %+v", strategy, ok, res)
		}
		// second is exhausted: first is charged, then refunded.
		for i := range 3 {
			ok, res := hit(t, st, strategy, now.Add(time.Duration(i+1)*time.Second), second, first)
			if ok || res[0].Allowed || !res[1].Allowed || res[1].Remaining != 2 {
				t.Fatalf("%v: request %d over the exhausted client: %v %+v; want refused by the second limit only, first remaining 2", strategy, i, ok, res)
			}
		}
		// Test (peek) over both reports both, though the first refuses.
		if ok, res := peek(t, st, strategy, now.Add(5*time.Second), second, first); ok || res[0].Allowed || res[0].Remaining != 0 || !res[1].Allowed || res[1].Remaining != 2 {
			t.Errorf("%v: Test over both clients: %v %+v", strategy, ok, res)
		}
		zero := limit("0-"+strategy.String(), "0", 0, time.Minute) // its item sorts first and refuses
		for _, op := range []func(testing.TB, backends.Storage, backends.Strategy, time.Time, ...backends.Limit) (bool, []backends.Result){peek, hit} {
			if ok, res := op(t, st, strategy, now.Add(5*time.Second), first, zero); ok || !res[0].Allowed || res[0].Remaining != 2 || res[1].Allowed {
				t.Errorf("%v: over a refusing client decided first: %v %+v, want the other's results filled in", strategy, ok, res)
			}
		}
		if ok, res := peek(t, st, strategy, now.Add(5*time.Second), first); !ok || res[0].Remaining != 2 {
			t.Errorf("%v: after refused requests the first client has remaining %d, want 2 (refunded)", strategy, res[0].Remaining)
		}
		// The first client alone still admits exactly its two hits.
		for i, want := range []bool{true, true, false} {
			if ok, _ := hit(t, st, strategy, now.Add(6*time.Second), first); ok != want {
				t.Errorf("%v: hit %d on the first client alone: %v, want %v", strategy, i, ok, want)
			}
		}
	}
}

// TestItemTooLarge: a moving window that outgrows the item size limit is
// an error naming the limit, and charges nothing.
func TestItemTooLarge(t *testing.T) {
	st := open(t, "max_item_size=1024")
	l := limit("big", "1000 per 1 hour", 1000, time.Hour)
	var err error
	n := 0
	for ; n < 1000; n++ {
		res := make([]backends.Result, 1)
		req := &backends.Request{Strategy: backends.MovingWindow, Now: t0.Add(time.Duration(n) * time.Second), Limits: []backends.Limit{l}}
		if _, err = st.Hit(context.Background(), req, res); err != nil {
			break
		}
	}
	if err == nil {
		t.Fatal("1000 hits at distinct instants fit in 1024 bytes")
	}
	if !strings.Contains(err.Error(), l.Key) || !strings.Contains(err.Error(), "max_item_size") || !strings.HasPrefix(err.Error(), "memcached: ") {
		t.Errorf("error %q does not name the limit and the parameter", err)
	}
	if _, res := peek(t, st, backends.MovingWindow, t0.Add(time.Duration(n)*time.Second), l); res[0].Remaining != 1000-int64(n) {
		t.Errorf("after %d stored hits and a failed one: remaining %d, want %d", n, res[0].Remaining, 1000-n)
	}
	// The client's item is full: a charge of its other limits fails too,
	// and the error names the limit that filled it.
	res := make([]backends.Result, 1)
	req := &backends.Request{Now: t0.Add(time.Duration(n) * time.Second), Limits: []backends.Limit{limit("big", "other", 5, time.Hour)}}
	if _, err := st.Hit(context.Background(), req, res); err == nil || !strings.Contains(err.Error(), l.Key) {
		t.Errorf("a fixed-window hit of the full client: %v, want an error naming %q", err, l.Key)
	}
}

// TestForeignItem: a value under an item key that this package did not
// write is an error, never overwritten or misread.
func TestForeignItem(t *testing.T) {
	st := open(t)
	key := memcached.ItemKey(st, "foreign")
	if err := memcached.Client(st).Set(&memcache.Item{Key: key, Value: []byte("hello"), Expiration: 60}); err != nil {
		t.Fatal(err)
	}
	res := make([]backends.Result, 1)
	_, err := st.Hit(context.Background(), &backends.Request{Now: t0, Limits: []backends.Limit{limit("foreign", "1", 1, time.Minute)}}, res)
	if err == nil || !strings.Contains(err.Error(), "not written by limitgen") {
		t.Errorf("Hit over a foreign item: %v", err)
	}
	if it, err := memcached.Client(st).Get(key); err != nil || string(it.Value) != "hello" {
		t.Errorf("the foreign item changed: %v %v", it, err)
	}
}

// TestClearStrategies: Clear drops every strategy's counter of one key,
// keeps the client's other keys, and removes the item with its last
// counter.
func TestClearStrategies(t *testing.T) {
	st := open(t)
	a, b := limit("clear", "a", 1, time.Hour), limit("clear", "b", 1, time.Hour)
	for _, s := range backends.Strategies() {
		hit(t, st, s, t0, a, b)
	}
	key := memcached.ItemKey(st, "clear")
	it, err := memcached.Client(st).Get(key)
	if err != nil {
		t.Fatal(err)
	}
	if keys, _ := memcached.EntryKeys(it.Value); len(keys) != 6 {
		t.Fatalf("entries %q, want 6", keys)
	}
	if err := st.Clear(context.Background(), a.Key); err != nil {
		t.Fatal(err)
	}
	for _, s := range backends.Strategies() {
		if ok, res := peek(t, st, s, t0, a, b); ok || !res[0].Allowed || res[1].Allowed {
			t.Errorf("%v after Clear(a): %v %+v, want a fresh and b exhausted", s, ok, res)
		}
	}
	if err := st.Clear(context.Background(), b.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := memcached.Client(st).Get(key); err != memcache.ErrCacheMiss {
		t.Errorf("item after clearing its last key: %v, want a cache miss", err)
	}
}

// TestExpiredEntriesDropped: a write drops the states of the client that
// hold nothing any more, so an item holds only live counters.
func TestExpiredEntriesDropped(t *testing.T) {
	st := open(t)
	short, long := limit("gc", "short", 5, time.Second), limit("gc", "long", 5, time.Hour)
	hit(t, st, backends.FixedWindow, t0, short, long)
	hit(t, st, backends.FixedWindow, t0.Add(2*time.Second), long)
	it, err := memcached.Client(st).Get(memcached.ItemKey(st, "gc"))
	if err != nil {
		t.Fatal(err)
	}
	if keys, _ := memcached.EntryKeys(it.Value); len(keys) != 1 || !strings.HasPrefix(keys[0], long.Key) {
		t.Errorf("entries %q, want only the long limit's", keys)
	}
}

// TestContextBoundsCall: a server that accepts but never answers costs the
// caller its context's deadline, not the (longer) socket timeout.
func TestContextBoundsCall(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	st, err := backends.Open("memcached://" + ln.Addr().String() + "?timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := make([]backends.Result, 1)
	ok, err := st.Hit(ctx, &backends.Request{Now: t0, Limits: []backends.Limit{limit("hung", "1", 1, time.Minute)}}, res)
	if err == nil || ok {
		t.Fatalf("Hit on a silent server: %v, %v", ok, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Hit returned after %v, want about the context's 100ms", d)
	}
	if !strings.HasPrefix(err.Error(), "memcached: ") {
		t.Errorf("error %q lacks the package name", err)
	}
	// A context cancelled (without a deadline) is seen before any round trip.
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if _, err := st.Hit(cctx, &backends.Request{Now: t0, Limits: []backends.Limit{limit("hung", "1", 1, time.Minute)}}, res); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("Hit with a cancelled context: %v", err)
	}
	if _, err := st.Hit(context.Background(), &backends.Request{Now: t0}, nil); err != nil {
		t.Errorf("a request without limits: %v", err)
	}
}

// TestSeveralClientsConcurrent: concurrent requests over two clients,
// the second of which runs out, admit exactly its limit, and every refused
// request's charge of the first client is taken back.
func TestSeveralClientsConcurrent(t *testing.T) {
	st := open(t)
	for _, strategy := range backends.Strategies() {
		first := limit("a-many-"+strategy.String(), "big", 1000, time.Hour)
		second := limit("z-many-"+strategy.String(), "small", 30, time.Hour)
		const g, n = 8, 10
		admitted := backendtest.CountAdmitted(t, g, n, []backends.Storage{st}, func(int) *backends.Request {
			return &backends.Request{Strategy: strategy, Now: t0, Limits: []backends.Limit{first, second}}
		})
		if admitted != 30 {
			t.Errorf("%v: %d admitted, want 30", strategy, admitted)
		}
		if _, res := peek(t, st, strategy, t0, first, second); res[0].Remaining != 1000-30 || res[1].Remaining != 0 {
			t.Errorf("%v: remaining %d, %d; want 970 (refunds complete), 0", strategy, res[0].Remaining, res[1].Remaining)
		}
	}
}

// TestClearDuringHits: Clear rewrites the client's item with a
// compare-and-swap too, so clearing one key while other goroutines charge
// another key of the same client loses none of their hits.
func TestClearDuringHits(t *testing.T) {
	st := open(t)
	kept, cleared := limit("busy", "kept", 1000, time.Hour), limit("busy", "cleared", 1000, time.Hour)
	const g, n = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, g+1)
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := make([]backends.Result, 2)
			for range n {
				if _, err := st.Hit(context.Background(), &backends.Request{Now: t0, Limits: []backends.Limit{kept, cleared}}, res); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 50 {
			if err := st.Clear(context.Background(), cleared.Key); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if _, res := peek(t, st, backends.FixedWindow, t0, kept); res[0].Remaining != 1000-g*n {
		t.Errorf("kept limit: remaining %d after %d hits and concurrent Clears of another key, want %d", res[0].Remaining, g*n, 1000-g*n)
	}
}

// TestLaggingClock: two application servers whose clocks differ by 3 s
// share one limit exactly, and a request from the lagging one never moves
// a window back.
func TestLaggingClock(t *testing.T) {
	st := open(t)
	for _, strategy := range backends.Strategies() {
		l := limit("skew-"+strategy.String(), "3 per 1 minute", 3, time.Minute)
		base := t0.Add(30 * time.Second)
		admitted := 0
		var last backends.Result
		for i := range 6 {
			now := base.Add(time.Duration(i) * time.Second)
			if i%2 == 1 {
				now = now.Add(-3 * time.Second) // the lagging server
			}
			ok, res := hit(t, st, strategy, now, l)
			if ok {
				admitted++
			}
			if i > 0 && res[0].Reset.Before(last.Reset) && strategy != backends.SlidingWindowCounter {
				t.Errorf("%v: hit %d at t0%+v moved the reset back from %v to %v", strategy, i, now.Sub(t0), last.Reset.Sub(t0), res[0].Reset.Sub(t0))
			}
			last = res[0]
		}
		if admitted != 3 {
			t.Errorf("%v: %d admitted from two skewed clocks, want 3", strategy, admitted)
		}
	}
}

// TestDetachedCallOwnsItsRequest: a call cut short by its context's
// deadline goes on in the background; the caller may reuse its request
// and results at once (the race detector watches).
func TestDetachedCallOwnsItsRequest(t *testing.T) {
	st := open(t)
	req := &backends.Request{Now: t0, Limits: []backends.Limit{limit("reuse", "5", 5, time.Minute)}}
	res := make([]backends.Result, 1)
	for i := range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i)*20*time.Microsecond)
		st.Hit(ctx, req, res)
		cancel()
		req.Limits[0].Key, req.Now = limit("reuse", strconv.Itoa(i), 5, time.Minute).Key, t0.Add(time.Duration(i))
		res[0] = backends.Result{}
	}
}

// TestAwkwardClients: clients that cannot be part of a memcached key
// (spaces, control bytes, 300 bytes) get hashed item keys and work alike,
// each in its own item.
func TestAwkwardClients(t *testing.T) {
	st := open(t)
	for _, client := range []string{"two words", "ctl\x01\x7f", strings.Repeat("é", 150), "{braces}%"} {
		l := limit(client, "1", 1, time.Minute)
		if ok, _ := hit(t, st, backends.FixedWindow, t0, l); !ok {
			t.Errorf("client %q: first hit refused", client)
		}
		if ok, _ := hit(t, st, backends.FixedWindow, t0, l); ok {
			t.Errorf("client %q: second hit admitted", client)
		}
		key := memcached.ItemKey(st, backends.HashTag(l.Key))
		if len(key) > 250 || strings.ContainsAny(key, " \x01\x7f") {
			t.Errorf("client %q: item key %q is not a legal memcached key", client, key)
		}
		if _, err := memcached.Client(st).Get(key); err != nil {
			t.Errorf("client %q: item %q: %v", client, key, err)
		}
	}
}
