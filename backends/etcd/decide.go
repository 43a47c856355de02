package etcd

import (
	"context"
	"errors"
	"fmt"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/limitgen/limitgen/backends"
)

// Hit decides req on the client with the window model of package backends
// and writes the charged states in one etcd Txn that succeeds only if no
// key it writes has changed since it was read (see the package
// documentation). It retries on conflict until ctx or the timeout ends.
func (s *Storage) Hit(ctx context.Context, req *backends.Request, results []backends.Result) (bool, error) {
	return s.decide(ctx, req, results, true)
}

// Test answers as Hit would, from one consistent read, writing nothing.
func (s *Storage) Test(ctx context.Context, req *backends.Request, results []backends.Result) (bool, error) {
	return s.decide(ctx, req, results, false)
}

// decide is Hit (charge) or Test.
func (s *Storage) decide(ctx context.Context, req *backends.Request, results []backends.Result, charge bool) (bool, error) {
	if s.closed.Load() {
		return false, backends.ErrClosed
	}
	if err := req.Validate(results); err != nil {
		return false, fmt.Errorf("etcd: %w", err)
	}
	op := "hit"
	if !charge {
		op = "test"
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if charge {
		var scratch [4]int
		held, err := s.stripes.lock(ctx, req.Limits, scratch[:0])
		if err != nil {
			return false, s.fail(op, err)
		}
		defer s.stripes.release(held)
	}
	n := len(req.Limits)
	keys := make([]string, n)
	for i := range req.Limits {
		keys[i] = s.opts.Prefix + req.Limits[i].Key
	}
	kvs := make([]*mvccpb.KeyValue, n)
	if err := s.read(ctx, keys, kvs); err != nil {
		return false, s.fail(op, err)
	}
	states := make([]backends.WindowState, n)
	now := req.Now.UnixNano()
	for {
		all := true
		for i := range req.Limits {
			var v []byte
			if kvs[i] != nil {
				v = kvs[i].Value
			}
			if err := loadState(&states[i], req.Strategy, v); err != nil {
				return false, fmt.Errorf("etcd: %s: key %q: %w", op, keys[i], err)
			}
			results[i].Allowed = decideState(&states[i], now, &req.Limits[i])
			all = all && results[i].Allowed
		}
		if all && charge {
			if s.beforeWrite != nil {
				s.beforeWrite()
			}
			done, err := s.write(ctx, req, keys, kvs, states, now)
			if err != nil {
				return false, s.fail(op, err)
			}
			if !done {
				continue // kvs now hold the fresh values
			}
		}
		for i := range req.Limits {
			result(&states[i], now, &req.Limits[i], results[i].Allowed, &results[i])
		}
		return all, nil
	}
}

// read sets kvs[i] to the etcd key-value of keys[i], nil when absent, from
// one linearizable read at one revision: a Get for one key, a Txn of Gets
// for several.
func (s *Storage) read(ctx context.Context, keys []string, kvs []*mvccpb.KeyValue) error {
	if len(keys) == 1 {
		resp, err := s.client.Get(ctx, keys[0])
		if err != nil {
			return err
		}
		kvs[0] = first(resp.Kvs)
		return nil
	}
	ops := make([]clientv3.Op, len(keys))
	for i, k := range keys {
		ops[i] = clientv3.OpGet(k)
	}
	resp, err := s.client.Txn(ctx).Then(ops...).Commit()
	if err != nil {
		return err
	}
	return fill(resp.Responses, kvs)
}

// write charges every limit of req with a positive cost and puts its new
// state, each with a lease that outlives it, in one Txn guarded by the
// ModRevision each key had when read (0: absent). It reports whether the
// Txn succeeded; when it did not, another writer came first, and kvs hold
// the values the Txn's else branch read, at the revision that failed it,
// so that a retry needs no extra read.
func (s *Storage) write(ctx context.Context, req *backends.Request, keys []string, kvs []*mvccpb.KeyValue, states []backends.WindowState, now int64) (bool, error) {
	var cmps []clientv3.Cmp
	var puts []clientv3.Op
	var leases []clientv3.LeaseID
	var buf []byte
	for i := range req.Limits {
		l := &req.Limits[i]
		if l.Cost == 0 {
			continue // its state does not change: no write, no guard
		}
		states[i].Charge(now, l.Cost)
		id, err := s.leases.get(ctx, lifeOf(states[i].Expires(int64(l.Window)), now))
		if err != nil {
			return false, fmt.Errorf("lease: %w", err)
		}
		var rev int64
		if kvs[i] != nil {
			rev = kvs[i].ModRevision
		}
		buf, _ = states[i].AppendBinary(buf[:0])
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(keys[i]), "=", rev))
		puts = append(puts, clientv3.OpPut(keys[i], string(buf), clientv3.WithLease(id)))
		leases = append(leases, id)
	}
	if len(puts) == 0 {
		return true, nil
	}
	gets := make([]clientv3.Op, len(keys))
	for i, k := range keys {
		gets[i] = clientv3.OpGet(k)
	}
	resp, err := s.client.Txn(ctx).If(cmps...).Then(puts...).Else(gets...).Commit()
	if err != nil {
		if errors.Is(err, rpctypes.ErrLeaseNotFound) {
			// A lease ended before its time (revoked, or the cluster was
			// restored): forget the leases and try again with new ones.
			for _, id := range leases {
				s.leases.forget(id)
			}
			return false, ctx.Err()
		}
		return false, err
	}
	if resp.Succeeded {
		return true, nil
	}
	s.conflicts.Add(1)
	return false, fill(resp.Responses, kvs)
}

// lifeOf returns how long a key whose state ends at the instant expires
// (on the deciding clock) must live from now, with ClockSlack for lagging
// clocks, clamped to what an etcd lease can hold.
func lifeOf(expires, now int64) time.Duration {
	d := expires - now
	if d <= 0 || d > int64(maxLife-ClockSlack) { // overflowed or beyond a lease
		return maxLife
	}
	return time.Duration(d) + ClockSlack
}

// fill sets kvs from the responses of a Txn of Gets, one per key.
func fill(resps []*pb.ResponseOp, kvs []*mvccpb.KeyValue) error {
	if len(resps) != len(kvs) {
		return fmt.Errorf("%d responses to %d reads", len(resps), len(kvs))
	}
	for i, r := range resps {
		rr := r.GetResponseRange()
		if rr == nil {
			return fmt.Errorf("response %d is not a read", i)
		}
		kvs[i] = first(rr.Kvs)
	}
	return nil
}

// first returns the first of kvs, or nil.
func first(kvs []*mvccpb.KeyValue) *mvccpb.KeyValue {
	if len(kvs) == 0 {
		return nil
	}
	return kvs[0]
}
