package etcd

import (
	"context"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// maxLeaseTTL is the longest lease etcd grants, in seconds (its
// MaxLeaseTTL, about 285 years).
const maxLeaseTTL = 9_000_000_000

// maxLife is the longest lifetime a key is given (about 220 years), so
// that its bucket's end fits in a time.Duration and its lease in
// maxLeaseTTL. A state that would live longer (windows of centuries)
// expires with its lease at this bound.
const maxLife = 7_000_000_000 * time.Second

// leasePool shares etcd leases between writes, so that giving every key an
// expiry costs no round trip per write. Leases are kept per bucket: a key
// that must live for d from now takes the lease of the bucket that ends at
// the first multiple of g after now+d, where g is the power of two seconds
// (at least one) nearest above d/8. A key thus lives at least d and at most
// about d + d/4 + 2 s; a pool holds about nine live leases per power of two
// of lifetimes in use, and one Grant per bucket (about every d/8) is the
// whole cost of expiry. A leasePool is safe for concurrent use.
type leasePool struct {
	lease clientv3.Lease
	base  time.Time // monotonic origin of the bucket ends

	mu      sync.Mutex
	buckets map[bucketKey]*grant
	grants  int64 // number of Grant calls made, for tests
}

// bucketKey names a bucket: its end in nanoseconds since base, and its
// length (so buckets of different lengths ending together stay apart).
type bucketKey struct {
	end, size time.Duration
}

// grant is one lease, or the Grant call that is fetching it: ready is
// closed once id or err is set.
type grant struct {
	ready chan struct{}
	id    clientv3.LeaseID
	err   error
}

func newLeasePool(l clientv3.Lease) *leasePool {
	return &leasePool{lease: l, base: time.Now(), buckets: map[bucketKey]*grant{}}
}

// bucketOf returns the bucket a key that must live for life from now
// (measured since base) belongs to.
func bucketOf(now, life time.Duration) bucketKey {
	life = min(life, maxLife)
	size := time.Second
	for size < life/8 && size < 1<<32*time.Second {
		size *= 2
	}
	end := now + life
	end += size - end%size // strictly after now+life: at least a full second ahead of now
	return bucketKey{end: end, size: size}
}

// get returns a lease that lasts at least life from now, granting one if
// its bucket has none yet. Calls for one bucket share one Grant.
func (p *leasePool) get(ctx context.Context, life time.Duration) (clientv3.LeaseID, error) {
	for {
		id, shared, err := p.try(ctx, life)
		if err == nil || !shared || ctx.Err() != nil {
			return id, err
		}
		// Another call's Grant failed (its context may have ended): try
		// again with ours.
	}
}

// try is one attempt of get; shared reports whether it waited for another
// call's Grant.
func (p *leasePool) try(ctx context.Context, life time.Duration) (id clientv3.LeaseID, shared bool, err error) {
	now := time.Since(p.base)
	k := bucketOf(now, life)
	p.mu.Lock()
	g, ok := p.buckets[k]
	if !ok {
		for bk := range p.buckets {
			if bk.end <= now {
				delete(p.buckets, bk) // its lease has expired on the server
			}
		}
		g = &grant{ready: make(chan struct{})}
		p.buckets[k] = g
		p.grants++
	}
	p.mu.Unlock()
	if ok {
		select {
		case <-g.ready:
			return g.id, true, g.err
		case <-ctx.Done():
			return 0, true, ctx.Err()
		}
	}
	// The lease must outlive the bucket's end: count its TTL from now,
	// before the call, and round it up to whole seconds.
	ttl := int64((k.end-time.Since(p.base)+time.Second-1)/time.Second) + 1
	ttl = min(ttl, maxLeaseTTL)
	resp, err := p.lease.Grant(ctx, ttl)
	if err != nil {
		g.err = err
		p.drop(k, g)
	} else {
		g.id = resp.ID
	}
	close(g.ready)
	return g.id, false, g.err
}

// drop forgets the lease of bucket k if it is still g, so that the next
// write to the bucket grants a new one: after a failed Grant, or when etcd
// no longer knows the lease (revoked, or lost with a cluster restored from
// an old snapshot).
func (p *leasePool) drop(k bucketKey, g *grant) {
	p.mu.Lock()
	if p.buckets[k] == g {
		delete(p.buckets, k)
	}
	p.mu.Unlock()
}

// forget drops every bucket whose lease is id.
func (p *leasePool) forget(id clientv3.LeaseID) {
	p.mu.Lock()
	for k, g := range p.buckets {
		select {
		case <-g.ready:
			if g.id == id {
				delete(p.buckets, k)
			}
		default:
		}
	}
	p.mu.Unlock()
}

// live returns the number of buckets with a lease or a Grant in flight.
func (p *leasePool) live() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.buckets)
}
