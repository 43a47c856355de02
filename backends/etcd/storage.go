package etcd

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/limitgen/limitgen/backends"
)

// Storage is a backends.Storage on an etcd cluster. It is safe for
// concurrent use by multiple goroutines, and several Storages, in one
// process or many, may share the keys of one cluster.
type Storage struct {
	client  *clientv3.Client
	opts    Options
	timeout time.Duration // < 0: none
	leases  *leasePool
	stripes *stripes
	closed  atomic.Bool

	conflicts   atomic.Int64 // Txns that lost a race, for tests
	beforeWrite func()       // test hook: runs between the read and the Txn
}

var (
	_ backends.Storage  = (*Storage)(nil)
	_ backends.Resetter = (*Storage)(nil)
)

// New returns a Storage on client, an etcd v3 client you configured (its
// KV and Lease interfaces are used). Close closes client only if
// opts.CloseClient is set.
func New(client *clientv3.Client, opts Options) (*Storage, error) {
	if client == nil {
		return nil, errors.New("etcd: New with a nil client")
	}
	s := &Storage{client: client, opts: opts, timeout: opts.Timeout, leases: newLeasePool(client.Lease), stripes: newStripes()}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	return s, nil
}

// bound derives the context of one storage call: ctx, cut at the timeout.
func (s *Storage) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout < 0 {
		return ctx, func() {}
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= s.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

// Clear deletes the state stored under key, whatever its strategy. It is
// one Delete, bound by the timeout.
func (s *Storage) Clear(ctx context.Context, key string) error {
	if s.closed.Load() {
		return backends.ErrClosed
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.client.Delete(ctx, s.opts.Prefix+key)
	return s.fail("clear", err)
}

// Ping reads one key (a linearizable read, which needs an elected leader
// and a quorum), bound by the timeout.
func (s *Storage) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return backends.ErrClosed
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.client.Get(ctx, s.opts.Prefix+backends.DefaultPrefix, clientv3.WithCountOnly())
	return s.fail("ping", err)
}

// Close marks the storage closed, so that later calls return
// backends.ErrClosed, and closes the client if Options.CloseClient is set.
// Keys keep their leases: they expire on the server. A second Close
// returns backends.ErrClosed.
func (s *Storage) Close() error {
	if s.closed.Swap(true) {
		return backends.ErrClosed
	}
	if s.opts.CloseClient {
		if err := s.client.Close(); err != nil && !errors.Is(err, context.Canceled) {
			return wrap("close", err)
		}
	}
	return nil
}

// wrap prefixes err with the package name and the operation.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("etcd: %s: %w", op, err)
}

// fail is wrap for a call's error, except that a call cut short by Close
// (which may close the client under it) returns backends.ErrClosed.
func (s *Storage) fail(op string, err error) error {
	if err != nil && s.closed.Load() {
		return backends.ErrClosed
	}
	return wrap(op, err)
}

// timeOf returns the instant of Unix nanoseconds ns.
func timeOf(ns int64) time.Time { return time.Unix(0, ns) }
