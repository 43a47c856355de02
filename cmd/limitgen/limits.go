package main

import (
	"context"
	"fmt"

	// The storages the CLI can inspect and clear.
	_ "github.com/limitgen/limitgen/backends/memory"
	_ "github.com/limitgen/limitgen/backends/redis"
	"github.com/limitgen/limitgen/runtime"

	"github.com/limitgen/limitgen/cmd/limitgen/internal/generate"
)

// limits prints the route tree, with live state when -key and -storage
// are given.
func (c *command) limits() error {
	if (c.key == "") != (c.storage == "") {
		return usageError("limitgen limits: -key and -storage go together")
	}
	results, err := c.load()
	if err != nil {
		return err
	}
	var opts []runtime.Option
	if c.storage != "" {
		opts = append(opts, runtime.WithStorageURI(c.storage))
	}
	l, err := generate.NewLimiter(results, opts...)
	if err != nil {
		return fmt.Errorf("limitgen: %v", err)
	}
	defer l.Close()
	f := c.filter
	f.Key = c.key
	if err := l.WriteLimits(c.stdout, f); err != nil {
		return fmt.Errorf("limitgen: %v", err)
	}
	return nil
}

// clear resets every counter of one client key in the storage.
func (c *command) clear() error {
	if c.key == "" || c.storage == "" {
		return usageError("limitgen clear: -key and -storage are required")
	}
	results, err := c.load()
	if err != nil {
		return err
	}
	l, err := generate.NewLimiter(results, runtime.WithStorageURI(c.storage))
	if err != nil {
		return fmt.Errorf("limitgen: %v", err)
	}
	defer l.Close()
	if err := l.Clear(context.Background(), c.key); err != nil {
		return fmt.Errorf("limitgen: clearing %q: %v", c.key, err)
	}
	fmt.Fprintf(c.stdout, "cleared the limits of key %q\n", c.key)
	return nil
}
