package mongodb

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/limitgen/limitgen/backends"
)

// expiryIndex names the TTL index the storage creates on the documents'
// expiry field.
const expiryIndex = "limitgen_expiry"

// expiry records how expired documents go away: by the server's TTL index
// or by the storage's own sweep.
type expiry struct {
	settled  atomic.Bool // the index exists, or the server refused it
	mu       sync.Mutex
	ttl      bool // the server keeps a TTL index
	sweeping bool // the sweeper runs
	// stop cancels the sweeper's context, so that Close does not wait for
	// a sweep on a server that hangs.
	stop context.CancelFunc
}

// ensureExpiry creates the TTL index at the storage's first write. A
// server that refuses it (FerretDB: NotImplemented; a user without the
// right) gets the storage's own sweep instead (Options.Sweep). A failure to
// reach the server is tried again at the next write; the decision that
// wrote is kept either way.
func (s *Storage) ensureExpiry(ctx context.Context) {
	if s.expiry.settled.Load() {
		return
	}
	s.expiry.mu.Lock()
	defer s.expiry.mu.Unlock()
	if s.expiry.settled.Load() {
		return
	}
	_, err := s.coll.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "e", Value: 1}},
		Options: options.Index().SetName(expiryIndex).SetExpireAfterSeconds(0),
	})
	if err == nil {
		s.expiry.ttl = true
		s.expiry.settled.Store(true)
		return
	}
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return
	}
	s.expiry.settled.Store(true)
	if s.opts.Sweep >= 0 && !s.closing() {
		s.expiry.sweeping = true
		every := s.opts.Sweep
		if every == 0 {
			every = DefaultSweep
		}
		sctx, stop := context.WithCancel(context.Background())
		s.expiry.stop = stop
		s.wg.Add(1)
		go s.sweepEvery(sctx, every)
	}
}

// sweepEvery deletes expired documents every interval until Close, which
// cancels sctx.
func (s *Storage) sweepEvery(sctx context.Context, interval time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-sctx.Done():
			return
		case <-t.C:
			ctx, cancel := s.bound(sctx)
			_, _ = s.Sweep(ctx)
			cancel()
		}
	}
}

// Sweep deletes the documents whose expiry (the end of their last live
// counter, plus ExpirySlack) lies before the local clock's now, and
// returns how many it deleted. The storage calls it every Options.Sweep
// when the server has no TTL index; call it yourself to sweep on your own
// schedule. It is never needed for correct decisions, which ignore expired
// states whether or not their documents remain.
func (s *Storage) Sweep(ctx context.Context) (int, error) {
	if s.closed.Load() {
		return 0, backends.ErrClosed
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	now := bson.NewDateTimeFromTime(time.Now())
	r, err := s.coll.DeleteMany(ctx, bson.D{{Key: "e", Value: bson.D{{Key: "$lt", Value: now}}}})
	if err != nil {
		return 0, s.wrap("sweep", err)
	}
	return int(r.DeletedCount), nil
}

// closing reports whether Close has begun.
func (s *Storage) closing() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
