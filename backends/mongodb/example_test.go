package mongodb_test

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/mongodb"
)

// Opening a storage from a URI: the driver's own options (authSource,
// maxPoolSize) pass through beside limitgen's (timeout), bad values and
// unknown parameters are errors, and passwords never appear in them.
func ExampleOpen() {
	_, err := backends.Open("mongodb://app:s3cret@127.0.0.1:27017/?authSource=admin&maxPoolSize=20&timeout=soon")
	fmt.Println(err)
	_, err = backends.Open("mongodb://app:s3cret@127.0.0.1:27017/?maxPoolSize=twenty")
	fmt.Println(err)
	// Output:
	// backends: storage URI "mongodb://app:xxxxx@127.0.0.1:27017/?authSource=admin&maxPoolSize=20&timeout=soon": parameter timeout="soon" is not a duration (e.g. 500ms, 2s)
	// mongodb: storage URI "mongodb://app:xxxxx@127.0.0.1:27017/?maxPoolSize=twenty": error parsing uri: invalid value for "maxPoolSize": "twenty"
}

// Bringing your own driver client: the storage uses its database and
// collection, and Close leaves the client to you.
func ExampleNew() {
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:27017/"))
	if err != nil {
		panic(err)
	}
	defer client.Disconnect(context.Background())
	store, err := mongodb.New(client, mongodb.Options{Database: "myapp", Prefix: "myapp/", Timeout: 200 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	defer store.Close()

	// Two limits of one client, one document, decided all-or-nothing.
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
