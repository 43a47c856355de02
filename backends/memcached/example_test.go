package memcached_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/memcached"
)

// Opening a storage from a URI: unknown parameters are errors, and the
// error lists the known ones.
func ExampleOpen() {
	_, err := backends.Open("memcached://127.0.0.1:11211,127.0.0.1:11212?timeout=250ms&colour=blue")
	fmt.Println(err)
	// Output:
	// backends: storage URI "memcached://127.0.0.1:11211,127.0.0.1:11212?colour=blue&timeout=250ms": unknown parameter(s) colour (known for memcached://: max_idle_conns, max_item_size, prefix, timeout)
}

// Memcached has no authentication: credentials in the URI are refused, and
// the error does not repeat the password.
func ExampleOpen_credentials() {
	_, err := backends.Open("memcached://app:s3cret@127.0.0.1:11211")
	fmt.Println(err)
	// Output:
	// memcached: storage URI "memcached://app:xxxxx@127.0.0.1:11211": memcached has no authentication in its text protocol: remove the user and password
}

// Bringing your own gomemcache client: its Timeout bounds each round trip,
// Options.Timeout the whole call, retries included.
func ExampleNew() {
	client := memcache.New("127.0.0.1:11211", "127.0.0.1:11212")
	client.Timeout = 200 * time.Millisecond
	client.MaxIdleConns = 64
	store, err := memcached.New(client, memcached.Options{Prefix: "myapp:", Timeout: 500 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	// Two limits of one client: one item, one gets and one cas, all-or-nothing.
	req := &backends.Request{
		Strategy: backends.SlidingWindowCounter,
		Now:      time.Now(),
		Limits: []backends.Limit{
			{Key: backends.Key("LIMITER", "203.0.113.7", "login", "5 per 1 minute"), Amount: 5, Window: time.Minute, Cost: 1},
			{Key: backends.Key("LIMITER", "203.0.113.7", "login", "100 per 1 day"), Amount: 100, Window: 24 * time.Hour, Cost: 1},
		},
	}
	results := make([]backends.Result, len(req.Limits))
	allowed, err := store.Hit(context.Background(), req, results)
	fmt.Println(allowed, results[0].Remaining, err)
}
