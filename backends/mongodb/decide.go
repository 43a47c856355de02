package mongodb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// decide runs Hit (charge) or Test.
func (s *Storage) decide(ctx context.Context, req *backends.Request, results []backends.Result, charge bool) (bool, error) {
	if s.closed.Load() {
		return false, backends.ErrClosed
	}
	if err := req.Validate(results); err != nil {
		return false, fmt.Errorf("mongodb: %w", err)
	}
	if len(req.Limits) == 0 {
		return true, nil
	}
	op := "test"
	if charge {
		op = "hit"
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	id := s.docID(req.Limits[0].Key)
	one := true
	for i := 1; i < len(req.Limits) && one; i++ {
		one = s.docID(req.Limits[i].Key) == id
	}
	if one {
		idx := make([]int, len(req.Limits))
		for i := range idx {
			idx[i] = i
		}
		ok, _, err := s.decideDoc(ctx, id, req, idx, results, charge, nil)
		return ok, s.wrap(op, err)
	}
	return s.decideClients(ctx, op, req, results, charge)
}

// decideDoc decides the limits req.Limits[i], i in idx, which all live in
// document id: it reads the document, applies the window model at
// req.Now, and, when charge is set and every limit has room, writes the
// new states back if the document's version is still the one read;
// otherwise it reads again. A refusal, a Test and a request that charges
// nothing write nothing: the decision then rests on one consistent read.
// marks, when not nil, receives what refunding each limit needs (see
// state.mark). charged reports whether anything was written.
func (s *Storage) decideDoc(ctx context.Context, id string, req *backends.Request, idx []int, results []backends.Result, charge bool, marks []int64) (allowed, charged bool, err error) {
	if charge {
		if err := s.locks.lock(ctx, id); err != nil {
			return false, false, err
		}
		defer s.locks.unlock(id)
	}
	now := req.Now.UnixNano()
	tag := tags[req.Strategy]
	states := make([]state, len(idx))
	var doc document
	for attempt := 0; ; attempt++ {
		found, err := s.load(ctx, id, &doc)
		if err != nil {
			return false, false, err
		}
		all, costs := true, false
		for j, i := range idx {
			l, st := &req.Limits[i], &states[j]
			st.reset(req.Strategy)
			if p := doc.find(l.Key, tag); p >= 0 {
				if err := st.decode(doc.S[p].B); err != nil {
					return false, false, fmt.Errorf("document %q, limit %q: %w", id, l.Key, err)
				}
			}
			w := int64(l.Window)
			st.current(now, w)
			results[i].Allowed = st.allows(now, w, l.Amount, l.Cost)
			all = all && results[i].Allowed
			costs = costs || l.Cost > 0
		}
		write := charge && all && costs
		for j, i := range idx {
			l, st := &req.Limits[i], &states[j]
			w := int64(l.Window)
			if write {
				st.charge(now, l.Cost)
				if marks != nil {
					marks[j] = st.mark(w)
				}
			}
			rem, reset := st.stats(now, w, l.Amount)
			results[i].Remaining, results[i].Reset = rem, time.Unix(0, reset)
		}
		if !write {
			return all, false, nil
		}
		entries := make([]entry, 0, len(doc.S)+len(idx))
		for _, e := range doc.S {
			if live(e, now) && !inRequest(e, req, idx, tag) {
				entries = append(entries, e)
			}
		}
		for j, i := range idx {
			l, st := &req.Limits[i], &states[j]
			if x := st.expires(int64(l.Window)); x > now {
				entries = append(entries, entry{K: l.Key, X: x, B: st.encode(nil)})
			}
		}
		if s.beforeWrite != nil {
			s.beforeWrite()
		}
		var old *int64
		if found {
			old = &doc.V
		}
		ok, err := s.store(ctx, id, old, entries)
		if err != nil {
			return false, false, err
		}
		if ok {
			s.ensureExpiry(ctx)
			return true, true, nil
		}
		if err := s.conflict(ctx, attempt); err != nil {
			return false, false, err
		}
	}
}

// live reports whether an entry of another limit is worth keeping at now:
// it still holds hits, or held them less than ExpirySlack ago (for callers
// whose clocks lag this one).
func live(e entry, now int64) bool {
	return e.X > now-int64(ExpirySlack)
}

// inRequest reports whether e is the state of one of the request's limits
// in idx under the request's strategy.
func inRequest(e entry, req *backends.Request, idx []int, tag byte) bool {
	if len(e.B) == 0 || e.B[0] != tag {
		return false
	}
	for _, i := range idx {
		if req.Limits[i].Key == e.K {
			return true
		}
	}
	return false
}

// conflict counts a lost compare-and-swap and waits before the next
// attempt: not at all the first two times, then a random pause that grows
// with the attempts up to 2 ms, so that writers racing for one document
// spread out. It returns ctx's error when ctx ends first.
func (s *Storage) conflict(ctx context.Context, attempt int) error {
	s.conflicts.Add(1)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("gave up after %d conflicting writes: %w", attempt+1, err)
	}
	if attempt < 2 {
		return nil
	}
	d := time.Duration(rand.Int64N(int64(min(attempt, 20)) * int64(100*time.Microsecond)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("gave up after %d conflicting writes: %w", attempt+1, ctx.Err())
	}
}

// decideClients decides a request whose limits belong to several clients
// (several documents): document by document in the order of their
// identifiers. Once one refuses, the later ones are only tested; the
// earlier ones, already charged, are then refunded. Between the charge
// and the refund other requests may see those counters raised, so they
// can be refused spuriously, never admitted beyond a limit.
func (s *Storage) decideClients(ctx context.Context, op string, req *backends.Request, results []backends.Result, charge bool) (bool, error) {
	groups := map[string][]int{}
	for i := range req.Limits {
		id := s.docID(req.Limits[i].Key)
		groups[id] = append(groups[id], i)
	}
	ids := make([]string, 0, len(groups))
	for id := range groups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	type done struct {
		id    string
		idx   []int
		marks []int64
	}
	var charged []done
	all := true
	var firstErr error
	for _, id := range ids {
		idx := groups[id]
		marks := make([]int64, len(idx))
		ok, did, err := s.decideDoc(ctx, id, req, idx, results, charge && all, marks)
		if err != nil {
			firstErr, all = s.wrap(op, err), false
			break
		}
		all = all && ok
		if did {
			charged = append(charged, done{id, idx, marks})
		}
	}
	if !all && len(charged) > 0 {
		// Refund even when the caller's context ended: the charge must not
		// stay.
		t := s.timeout
		if t <= 0 {
			t = DefaultTimeout
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t)
		defer cancel()
		for _, d := range charged {
			if err := s.refundDoc(rctx, d.id, req, d.idx, d.marks); err != nil && firstErr == nil {
				firstErr = s.wrap("refund of a request refused for another client", err)
			}
			for _, i := range d.idx {
				l := &req.Limits[i]
				results[i].Remaining = min(results[i].Remaining+l.Cost, l.Amount)
			}
		}
	}
	if firstErr != nil {
		return false, firstErr
	}
	return all, nil
}
