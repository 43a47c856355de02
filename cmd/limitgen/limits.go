package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/limitgen/limitgen/runtime"

	"github.com/limitgen/limitgen/cmd/limitgen/internal/generate"
)

// storageURI is the storage the application runs on: -storage, else
// RATELIMIT_STORAGE_URI, which an application calling runtime.FromEnv
// reads.
func (c *command) storageURI() string {
	if c.storage != "" {
		return c.storage
	}
	return strings.TrimSpace(c.getenv(runtime.EnvStorageURI))
}

// limits prints the route tree, with live state when -key is given.
func (c *command) limits() error {
	if c.key == "" && c.storage != "" {
		return usageError("limitgen limits: -storage needs -key")
	}
	if c.watch < 0 || c.watch > 0 && c.key == "" {
		return usageError("limitgen limits: -watch needs -key and a positive interval")
	}
	storage := "memory://" // the tree alone needs no storage
	if c.key != "" {
		if storage = c.storageURI(); storage == "" {
			return usageError("limitgen limits: -key needs -storage or " + runtime.EnvStorageURI)
		}
	}
	if err := storageLinked(storage); err != nil {
		return err
	}
	results, err := c.load()
	if err != nil {
		return err
	}
	l, err := generate.NewLimiter(results, runtime.WithStorageURI(storage))
	if err != nil {
		return fmt.Errorf("limitgen: %v", err)
	}
	defer l.Close()
	f := c.filter
	f.Key = c.key
	if c.watch > 0 {
		return c.watchLimits(l, f)
	}
	if err := l.WriteLimits(c.stdout, f); err != nil {
		return fmt.Errorf("limitgen: %v", err)
	}
	return nil
}

// clearScreen moves an ANSI terminal's cursor home and clears it.
const clearScreen = "\x1b[H\x1b[2J"

// watchLimits prints the tree with the key's live state again every
// c.watch, each frame on a cleared screen, until interrupted (Ctrl-C), as
// Flask-Limiter's limits --watch does.
func (c *command) watchLimits(l *runtime.Limiter, f runtime.TreeFilter) error {
	ctx := c.ctx
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
	}
	tick, stopTicks := c.ticker(c.watch)
	defer stopTicks()
	for {
		// A frame under way is finished (each storage call is bounded by
		// the storage's timeout); the interrupt ends the wait for the next.
		var frame bytes.Buffer
		if err := l.WriteLimitsContext(context.WithoutCancel(ctx), &frame, f); err != nil {
			return fmt.Errorf("limitgen: %v", err)
		}
		fmt.Fprint(c.stdout, clearScreen+frame.String())
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
		}
	}
}

// newTicker is the default command.ticker.
func newTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// clear resets every counter of one client key in the storage.
func (c *command) clear() error {
	storage := c.storageURI()
	if c.key == "" || storage == "" {
		return usageError("limitgen clear: -key is required, and -storage or " + runtime.EnvStorageURI)
	}
	if err := storageLinked(storage); err != nil {
		return err
	}
	results, err := c.load()
	if err != nil {
		return err
	}
	l, err := generate.NewLimiter(results, runtime.WithStorageURI(storage))
	if err != nil {
		return fmt.Errorf("limitgen: %v", err)
	}
	defer l.Close()
	if err := l.ClearLimits(context.Background(), c.key, c.filter); err != nil {
		return fmt.Errorf("limitgen: clearing %q: %v", c.key, err)
	}
	switch {
	case c.filter.Endpoint != "":
		fmt.Fprintf(c.stdout, "cleared the limits of key %q on endpoint %s\n", c.key, c.filter.Endpoint)
	case c.filter.Path != "":
		fmt.Fprintf(c.stdout, "cleared the limits of key %q on path %s\n", c.key, c.filter.Path)
	default:
		fmt.Fprintf(c.stdout, "cleared the limits of key %q\n", c.key)
	}
	return nil
}

// config prints the configuration of the limiter the packages set up: the
// constant runtime options found in them and, when they call
// runtime.FromEnv, the RATELIMIT_* variables of this process.
func (c *command) config() error {
	results, err := c.load()
	if err != nil {
		return err
	}
	l, err := generate.NewLimiter(results)
	if err != nil {
		return fmt.Errorf("limitgen: %v", err)
	}
	defer l.Close()
	if err := l.WriteConfig(c.stdout); err != nil {
		return fmt.Errorf("limitgen: %v", err)
	}
	return nil
}
