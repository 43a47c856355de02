package etcd_test

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/etcd"
)

// Opening a storage from a URI: unknown parameters are errors, and
// passwords never appear in them.
func ExampleOpen() {
	_, err := backends.Open("etcd://app:s3cret@10.0.0.1:2379,10.0.0.2:2379?prefix=limits/&timeout=250ms&colour=blue")
	fmt.Println(err)
	// Output:
	// backends: storage URI "etcd://app:xxxxx@10.0.0.1:2379,10.0.0.2:2379?colour=blue&prefix=limits%2F&timeout=250ms": unknown parameter(s) colour (known for etcd://: ca, cert, dial_timeout, insecure_skip_verify, key, prefix, server_name, timeout, tls)
}

// Bringing your own etcd client: New uses its KV and Lease services.
func ExampleNew() {
	client, err := clientv3.New(clientv3.Config{Endpoints: []string{"http://127.0.0.1:2379"}})
	if err != nil {
		panic(err)
	}
	defer client.Close()
	store, err := etcd.New(client, etcd.Options{Prefix: "myapp/", Timeout: 500 * time.Millisecond})
	if err != nil {
		panic(err)
	}

	// Two limits of one client, decided together, all-or-nothing.
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
