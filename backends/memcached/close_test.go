package memcached_test

import (
	"context"
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
// test closes the storage, and counts itself out of open when closed.
type slowConn struct {
	net.Conn
	delay time.Duration
	open  *atomic.Int64
	once  sync.Once
}

func (c *slowConn) Read(b []byte) (int, error) {
	time.Sleep(c.delay)
	return c.Conn.Read(b)
}

func (c *slowConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}

// TestCloseWaitsForCalls: Close returns only once the calls in flight have
// ended, those whose caller's context already gave up included, so that
// no goroutine of the storage outlives it and no connection such a call
// puts back into the client's pool after Close stays open.
func TestCloseWaitsForCalls(t *testing.T) {
	hosts := strings.Split(strings.TrimPrefix(serverURI(t), "memcached://"), ",")
	var open atomic.Int64
	client := memcache.New(hosts...)
	client.Timeout = 2 * time.Second
	client.MaxIdleConns = 8
	client.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		open.Add(1)
		return &slowConn{Conn: c, delay: 100 * time.Millisecond, open: &open}, nil
	}
	st, err := memcached.New(client, memcached.Options{Prefix: uniquePrefix(t), CloseClient: true})
	if err != nil {
		t.Fatal(err)
	}
	var running atomic.Int64
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			running.Add(1)
			defer running.Add(-1)
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
	time.Sleep(50 * time.Millisecond) // every call is in its first round trip
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if n := running.Load(); n != 0 {
		t.Errorf("%d calls still running after Close returned", n)
	}
	wg.Wait()
	time.Sleep(400 * time.Millisecond) // what Close did not wait for ends now
	if n := open.Load(); n != 0 {
		t.Errorf("%d connections open after Close and the end of every call, want 0", n)
	}
}
