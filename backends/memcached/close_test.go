package memcached_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/memcached"
)

// slowConn delays every read, so that calls are still in flight when the
// test closes the storage, counts itself out of open when closed and, when
// reading is set, counts the reads under way.
type slowConn struct {
	net.Conn
	delay   time.Duration
	open    *atomic.Int64
	reading *atomic.Int64
	once    sync.Once
}

func (c *slowConn) Read(b []byte) (int, error) {
	if c.reading != nil {
		c.reading.Add(1)
		defer c.reading.Add(-1)
	}
	time.Sleep(c.delay)
	return c.Conn.Read(b)
}

func (c *slowConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}

// TestCloseWaitsForCalls: Close returns only once the calls in flight have
// ended, those whose caller's context already gave up included, so that
// no round trip of the storage outlives it and no connection such a call
// puts back into the client's pool after Close stays open.
func TestCloseWaitsForCalls(t *testing.T) {
	hosts := strings.Split(strings.TrimPrefix(serverURI(t), "memcached://"), ",")
	var open, reading atomic.Int64
	client := memcache.New(hosts...)
	client.Timeout = 2 * time.Second
	client.MaxIdleConns = 8
	client.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		open.Add(1)
		return &slowConn{Conn: c, delay: 100 * time.Millisecond, open: &open, reading: &reading}, nil
	}
	st, err := memcached.New(client, memcached.Options{Prefix: uniquePrefix(t), CloseClient: true})
	if err != nil {
		t.Fatal(err)
	}
	const calls = 4
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() {
			ctx := context.Background()
			if i%2 == 1 { // detached: the call goes on after its caller gave up
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 20*time.Millisecond)
				defer cancel()
			}
			res := make([]backends.Result, 1)
			st.Hit(ctx, &backends.Request{Now: t0, Limits: []backends.Limit{limit("close", "1", 10, time.Minute)}}, res)
		})
	}
	// Every call is in its first round trip: each has dialled a connection
	// of its own and is reading from it.
	for deadline := time.Now().Add(5 * time.Second); reading.Load() < calls; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d calls reading after 5s", reading.Load(), calls)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if n := reading.Load(); n != 0 {
		t.Errorf("%d round trips still under way after Close returned", n)
	}
	wg.Wait()
	time.Sleep(400 * time.Millisecond) // what Close did not wait for ends now
	if n := open.Load(); n != 0 {
		t.Errorf("%d connections open after Close and the end of every call, want 0", n)
	}
}

// TestTimeoutBoundsSeveralClients: the timeout bounds a call over several
// clients as a whole, not each client's round trips: on a slow server
// the call stops once it has run out of time (and takes back what it
// charged) instead of taking a round trip pair per client.
func TestTimeoutBoundsSeveralClients(t *testing.T) {
	hosts := strings.Split(strings.TrimPrefix(serverURI(t), "memcached://"), ",")
	var open atomic.Int64
	client := memcache.New(hosts...)
	client.Timeout = time.Second
	client.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		open.Add(1)
		return &slowConn{Conn: c, delay: 100 * time.Millisecond, open: &open}, nil
	}
	prefix := uniquePrefix(t)
	st, err := memcached.New(client, memcached.Options{Prefix: prefix, Timeout: 250 * time.Millisecond, CloseClient: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var limits []backends.Limit
	// 12 clients take at least 2.4 s of round trips (200 ms each) when the
	// timeout bounds each client's alone; a bound on the whole call ends it
	// in about 0.5 s. The limit of 1.6 s leaves room for a loaded machine.
	for i := range 12 {
		limits = append(limits, limit(fmt.Sprintf("slow-%d", i), "1", 10, time.Minute))
	}
	res := make([]backends.Result, len(limits))
	start := time.Now()
	ok, err := st.Hit(context.Background(), &backends.Request{Now: t0, Limits: limits}, res)
	if d := time.Since(start); d > 1600*time.Millisecond {
		t.Errorf("Hit over %d clients with a 250ms timeout took %v (ok %v, err %v)", len(limits), d, ok, err)
	}
	if err == nil {
		t.Fatalf("Hit over %d clients, 200ms each, with a 250ms timeout: %v, want an error", len(limits), ok)
	}
	// What the call charged before it gave up was taken back.
	fast := open2(t, prefix)
	if _, res := peek(t, fast, backends.FixedWindow, t0, limits...); res[0].Remaining != 10 {
		t.Errorf("after a failed Hit, remaining %d, want 10", res[0].Remaining)
	}
}

// open2 opens a second storage on the test servers with the given prefix.
func open2(t *testing.T, prefix string) backends.Storage {
	st, err := backends.Open(serverURI(t) + "?prefix=" + prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
