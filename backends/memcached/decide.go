package memcached

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/limitgen/limitgen/backends"
)

// Hit decides req (see backends.Storage): all limits of one client in one
// compare-and-swap of the client's item, clients one after the other (see
// the package documentation).
func (s *Storage) Hit(ctx context.Context, req *backends.Request, results []backends.Result) (bool, error) {
	return s.decide(ctx, req, results, true)
}

// Test answers as Hit would without charging anything: one read per
// client, no write.
func (s *Storage) Test(ctx context.Context, req *backends.Request, results []backends.Result) (bool, error) {
	return s.decide(ctx, req, results, false)
}

// group is the limits of one request that belong to one client, so to one
// item.
type group struct {
	key string // the item key
	tag string // the client (backends.HashTag)
	idx []int  // indices into Request.Limits
}

// mark records a charge of one item, for a refund.
type mark struct {
	g     group
	marks []int64 // per limit of g, what state.charge returned
	pre   []backends.Result
}

func (s *Storage) decide(ctx context.Context, req *backends.Request, results []backends.Result, charge bool) (bool, error) {
	if !s.enter() {
		return false, backends.ErrClosed
	}
	detach := false
	defer func() {
		if !detach {
			s.calls.Done()
		}
	}()
	if err := req.Validate(results); err != nil {
		return false, fmt.Errorf("memcached: %w", err)
	}
	if len(req.Limits) == 0 {
		return true, nil
	}
	if err := ctx.Err(); err != nil {
		return false, wrap("call", err)
	}
	one, many := s.groups(req)
	var deadline time.Time
	deadline, detach = s.bounds(ctx)
	if !detach {
		return s.decideAll(ctx, deadline, req, one, many, results, charge)
	}
	// The call may outlive this function (see run): it must neither write
	// to the caller's results nor read a request the caller may reuse.
	own := make([]backends.Result, len(results))
	rc := *req
	rc.Limits = slices.Clone(req.Limits)
	req = &rc
	type outcome struct {
		ok  bool
		err error
	}
	ch := make(chan outcome, 1)
	go func() {
		defer s.calls.Done()
		ok, err := s.decideAll(ctx, deadline, req, one, many, own, charge)
		ch <- outcome{ok, err}
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			return false, o.err
		}
		copy(results, own)
		return o.ok, nil
	case <-ctx.Done():
		return false, wrap("call", ctx.Err())
	}
}

// decideAll decides the request's one client, or its many.
func (s *Storage) decideAll(ctx context.Context, deadline time.Time, req *backends.Request, one group, many []group, results []backends.Result, charge bool) (bool, error) {
	if many == nil {
		ok, _, err := s.decideItem(ctx, deadline, req, one, results, charge, false)
		return ok, err
	}
	return s.decideGroups(ctx, deadline, req, many, results, charge)
}

// identity holds the indices of the limits of a request of one client, up
// to its length; it is shared and never written.
var identity = func() []int {
	s := make([]int, 64)
	for i := range s {
		s[i] = i
	}
	return s
}()

// groups splits the limits of req by client: one group when they all
// belong to one (the usual request), else many, ordered by item key, so
// that concurrent requests over the same clients charge them in the same
// order.
func (s *Storage) groups(req *backends.Request) (one group, many []group) {
	tag := backends.HashTag(req.Limits[0].Key)
	single := true
	for _, l := range req.Limits[1:] {
		if backends.HashTag(l.Key) != tag {
			single = false
			break
		}
	}
	if single {
		idx := identity
		if len(req.Limits) > len(idx) {
			idx = make([]int, len(req.Limits))
			for i := range idx {
				idx[i] = i
			}
		}
		return group{key: itemKey(s.opts.Prefix, tag), tag: tag, idx: idx[:len(req.Limits)]}, nil
	}
	var gs []group
	for i, l := range req.Limits {
		t := backends.HashTag(l.Key)
		j := slices.IndexFunc(gs, func(g group) bool { return g.tag == t })
		if j < 0 {
			gs = append(gs, group{key: itemKey(s.opts.Prefix, t), tag: t})
			j = len(gs) - 1
		}
		gs[j].idx = append(gs[j].idx, i)
	}
	slices.SortFunc(gs, func(a, b group) int { return strings.Compare(a.key, b.key) })
	return group{}, gs
}

// decideGroups decides a request whose limits belong to several clients:
// client by client in item-key order. When one refuses, the clients
// charged before it are refunded and the rest are only read, for their
// results.
func (s *Storage) decideGroups(ctx context.Context, deadline time.Time, req *backends.Request, groups []group, results []backends.Result, charge bool) (bool, error) {
	var done []mark
	for gi, g := range groups {
		ok, m, err := s.decideItem(ctx, deadline, req, g, results, charge, charge)
		if err == nil && ok {
			if m != nil {
				done = append(done, *m)
			}
			continue
		}
		if err == nil {
			for _, later := range groups[gi+1:] {
				if _, _, err = s.decideItem(ctx, deadline, req, later, results, false, false); err != nil {
					break
				}
			}
		}
		if rerr := s.refundAll(ctx, req, done, results); rerr != nil {
			return false, errors.Join(err, rerr)
		}
		return false, err
	}
	return true, nil
}

// decideItem decides the limits of one client with a read and a
// compare-and-swap of its item, retried on conflict until deadline. With
// wantMark, a charge returns what refund needs to undo it.
func (s *Storage) decideItem(ctx context.Context, deadline time.Time, req *backends.Request, g group, results []backends.Result, charge, wantMark bool) (bool, *mark, error) {
	d := newDecision(req, g, results, charge, s.opts.MaxItemSize)
	defer d.release()
	if wantMark {
		d.m = &mark{g: g, marks: make([]int64, len(g.idx)), pre: make([]backends.Result, len(g.idx))}
	}
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := s.retryAllowed(ctx, deadline, attempt, g.key); err != nil {
				return false, nil, err
			}
		} else if err := timeLeft(deadline, "get "+g.key); err != nil {
			return false, nil, err // a call over several clients ran out of time
		}
		it, err := s.client.Get(g.key)
		var value []byte
		switch {
		case err == nil:
			value = it.Value
		case errors.Is(err, memcache.ErrCacheMiss):
			it = nil
		default:
			return false, nil, wrap("get "+g.key, err)
		}
		write, err := d.compute(value)
		if err != nil {
			return false, nil, err
		}
		if !write {
			return d.ok, nil, nil
		}
		if err := ctx.Err(); err != nil {
			return false, nil, wrap("write "+g.key, err) // nothing charged
		}
		if err := timeLeft(deadline, "write "+g.key); err != nil {
			return false, nil, err // nothing charged
		}
		exp := expiration(d.expires, req.Now.UnixNano(), time.Now())
		if it != nil {
			it.Value, it.Expiration = d.out, exp
			err = s.client.CompareAndSwap(it)
		} else {
			err = s.client.Add(&memcache.Item{Key: g.key, Value: d.out, Expiration: exp})
		}
		switch {
		case err == nil:
			if d.m != nil {
				return true, d.m, nil
			}
			return true, nil, nil
		case lostRace(err):
			s.conflicts.Add(1)
			continue
		default:
			return false, nil, wrap("write "+g.key, err)
		}
	}
}

// lostRace reports whether a write failed because another writer changed
// (or created, or removed) the item since it was read.
func lostRace(err error) bool {
	return errors.Is(err, memcache.ErrCASConflict) || errors.Is(err, memcache.ErrNotStored) || errors.Is(err, memcache.ErrCacheMiss)
}

// retryAllowed waits before another attempt on the item key, or says why
// there is none: the context is done or the deadline has passed.
func (s *Storage) retryAllowed(ctx context.Context, deadline time.Time, attempt int, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memcached: item %q: %d compare-and-swap conflicts: %w", key, attempt, err)
	}
	backoff(attempt, deadline)
	if !time.Now().Before(deadline) {
		return fmt.Errorf("memcached: item %q: %d compare-and-swap conflicts within the timeout: %w", key, attempt, context.DeadlineExceeded)
	}
	return nil
}

// timeLeft returns an error when deadline has passed, so that a call does
// not start another round trip after its timeout: each round trip is
// bounded only by the socket timeout, and a call over several clients
// makes two per client.
func timeLeft(deadline time.Time, op string) error {
	if time.Now().Before(deadline) {
		return nil
	}
	return wrap(op, fmt.Errorf("out of time before the round trip: %w", context.DeadlineExceeded))
}
