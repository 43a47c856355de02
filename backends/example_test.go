package backends_test

import (
	"context"
	"fmt"
	"time"

	"github.com/limitgen/limitgen/backends"
	_ "github.com/limitgen/limitgen/backends/memory" // registers memory://
)

func ExampleOpen() {
	store, err := backends.Open("memory://")
	if err != nil {
		panic(err)
	}
	defer store.Close()

	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	req := &backends.Request{
		Strategy: backends.FixedWindow,
		Now:      now,
		Limits: []backends.Limit{
			{Key: backends.Key("LIMITER", "10.0.0.1", "slow", "1 per 1 day"), Amount: 1, Window: 24 * time.Hour, Cost: 1},
		},
	}
	results := make([]backends.Result, len(req.Limits))
	for range 2 {
		ok, err := store.Hit(context.Background(), req, results)
		if err != nil {
			panic(err)
		}
		fmt.Println(ok, results[0].Remaining, results[0].Reset.Sub(now))
	}

	_, err = backends.Open("redis://127.0.0.1:6379")
	fmt.Println(err)
	// Output:
	// true 0 24h0m0s
	// false 0 24h0m0s
	// backends: no storage registered for scheme "redis" in "redis://127.0.0.1:6379" (forgotten import? add _ "github.com/limitgen/limitgen/backends/redis")
}

func ExampleKey() {
	fmt.Println(backends.Key(backends.DefaultPrefix, "127.0.0.1", "fast", "2 per 1 minute"))
	fmt.Println(backends.Key(backends.DefaultPrefix, "{evil}", "fast", "2 per 1 minute"))
	fmt.Println(backends.HashTag(backends.Key(backends.DefaultPrefix, "::1", "slow", "1 per 1 day")))
	// Output:
	// LIMITER/{127.0.0.1}/fast/2 per 1 minute
	// LIMITER/{%7Bevil%7D}/fast/2 per 1 minute
	// ::1
}
