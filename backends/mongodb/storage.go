package mongodb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/limitgen/limitgen/backends"
)

// Storage is a backends.Storage on MongoDB. It is safe for concurrent use
// by multiple goroutines.
type Storage struct {
	client  *mongo.Client
	coll    *mongo.Collection
	opts    Options
	timeout time.Duration // ≤ 0: no bound beyond the context

	closed atomic.Bool
	done   chan struct{} // closed by Close: no sweeper starts after it
	wg     sync.WaitGroup

	expiry expiry
	queues queues

	// conflicts counts compare-and-swaps that lost a race and were
	// retried, for tests.
	conflicts atomic.Int64
	// writes counts the batches that wrote a document, for tests.
	writes atomic.Int64
	// beforeWrite, when set (by tests), runs between a decision's read
	// and its write.
	beforeWrite func()
}

var (
	_ backends.Storage  = (*Storage)(nil)
	_ backends.Resetter = (*Storage)(nil)
)

// New returns a Storage that keeps its counters in the collection
// Options.Collection of the database Options.Database through client. It
// makes no call to the server. Close disconnects client only if
// Options.CloseClient is set.
func New(client *mongo.Client, opts Options) (*Storage, error) {
	if client == nil {
		return nil, errors.New("mongodb: New with a nil client")
	}
	if opts.Database == "" {
		opts.Database = DefaultDatabase
	}
	if opts.Collection == "" {
		opts.Collection = DefaultCollection
	}
	s := &Storage{
		client: client,
		// Decisions read the primary whatever the client's read preference:
		// a secondary's stale document would make Test answer from the past
		// and every compare-and-swap fail until replication caught up.
		coll:    client.Database(opts.Database).Collection(opts.Collection, options.Collection().SetReadPreference(readpref.Primary())),
		opts:    opts,
		timeout: opts.Timeout,
		done:    make(chan struct{}),
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	return s, nil
}

// Client returns the driver's client the storage uses.
func (s *Storage) Client() *mongo.Client { return s.client }

// Collection returns the collection that holds the counters.
func (s *Storage) Collection() *mongo.Collection { return s.coll }

// Hit decides req: the limits of each client (one document) are read,
// decided with the window model of package backends at req.Now, and
// written back with a compare-and-swap on the document's version, retried
// on conflict until the timeout. Every limit is charged only if all have
// room. See the package documentation for requests spanning several
// clients.
func (s *Storage) Hit(ctx context.Context, req *backends.Request, results []backends.Result) (bool, error) {
	return s.decide(ctx, req, results, true)
}

// Test answers as Hit would without charging anything: one read per
// client, no write.
func (s *Storage) Test(ctx context.Context, req *backends.Request, results []backends.Result) (bool, error) {
	return s.decide(ctx, req, results, false)
}

// Ping reports whether the server answers a ping.
func (s *Storage) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return backends.ErrClosed
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.wrap("ping", s.client.Ping(ctx, nil))
}

// Close marks the storage closed, stops its sweeper and, if
// Options.CloseClient is set, disconnects the client. Later calls return
// backends.ErrClosed.
func (s *Storage) Close() error {
	if s.closed.Swap(true) {
		return backends.ErrClosed
	}
	s.expiry.mu.Lock() // no sweeper starts after this
	close(s.done)
	if s.expiry.stop != nil {
		s.expiry.stop() // cut short a sweep in flight
	}
	s.expiry.mu.Unlock()
	s.wg.Wait()
	if !s.opts.CloseClient {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), max(s.timeout, time.Second))
	defer cancel()
	if err := s.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("mongodb: close: %w", err)
	}
	return nil
}

// bound returns ctx with the storage's timeout as a deadline, unless the
// timeout is off or ctx already ends no later.
func (s *Storage) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout <= 0 {
		return ctx, noCancel
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= s.timeout {
		return ctx, noCancel
	}
	return context.WithTimeout(ctx, s.timeout)
}

func noCancel() {}

// wrap names the package and the operation in err; a call cut short by
// Close returns backends.ErrClosed: once Close has disconnected the client
// (Options.CloseClient), any failure of a call in flight is, whichever
// error the driver reports (ErrClientDisconnected, a closed pool, a
// connection closed mid-read). Driver errors carry no credentials.
func (s *Storage) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if s.closed.Load() && (s.opts.CloseClient || errors.Is(err, mongo.ErrClientDisconnected) || errors.Is(err, context.Canceled)) {
		return backends.ErrClosed
	}
	return fmt.Errorf("mongodb: %s: %w", op, err)
}

// Prefix returns the prefix of every document identifier (Options.Prefix).
func (s *Storage) Prefix() string { return s.opts.Prefix }
