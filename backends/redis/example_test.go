package redis_test

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/redis"
)

// Opening a storage from a URI: unknown parameters are errors, and
// passwords never appear in them.
func ExampleOpen() {
	_, err := backends.Open("redis://app:s3cret@127.0.0.1:6379/0?pool_size=64&timeout=250ms&colour=blue")
	fmt.Println(err)
	// Output:
	// backends: storage URI "redis://app:xxxxx@127.0.0.1:6379/0?colour=blue&pool_size=64&timeout=250ms": unknown parameter(s) colour (known for redis://: ca, cert, clock, db, dial_timeout, insecure_skip_verify, key, pipelines, pool_size, prefix, read_timeout, server_name, timeout, write_timeout)
}

// Bringing your own go-redis client: any UniversalClient works (single,
// cluster or failover). ContextTimeoutEnabled lets Options.Timeout cut a
// hung call short.
func ExampleNew() {
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	store, err := redis.New(client, redis.Options{Prefix: "myapp/", Timeout: 200 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	// Two limits of one client, decided in one round trip, all-or-nothing.
	req := &backends.Request{
		Strategy: backends.MovingWindow,
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
