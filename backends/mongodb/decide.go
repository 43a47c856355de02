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
// document id, writing results[i]. A Test (charge false) reads the
// document once and writes nothing. A Hit joins the batch of decisions
// for the document (see combine.go). marks, when not nil, receives what
// refunding each limit needs (see state.mark). charged reports whether a
// charge was written.
func (s *Storage) decideDoc(ctx context.Context, id string, req *backends.Request, idx []int, results []backends.Result, charge bool, marks []int64) (allowed, charged bool, err error) {
	p := &pending{ctx: ctx, req: req, idx: idx, charge: charge, marks: marks, results: make([]backends.Result, len(idx))}
	if !charge {
		s.runBatch(ctx, id, []*pending{p})
	} else if err := s.queues.join(s, id, p); err != nil {
		return false, false, err
	}
	for j, i := range idx {
		results[i] = p.results[j]
	}
	return p.allowed, p.charged, p.err
}

// slot is the state of one limit key under one strategy during a batch,
// shared by the batch's decisions that name it.
type slot struct {
	key    string
	tag    byte
	window int64
	st     backends.WindowState
}

// runBatch decides batch, every member's limits in document id, in order,
// each on the states the earlier ones left: it reads the document, applies
// the window model at each member's Request.Now, and, when some member
// charged, writes the new states back if the document's version is still
// the one read; otherwise it reads and decides again, until ctx ends.
// Members refused, Tests and hits of cost 0 write nothing; a batch
// without a charge rests on its one consistent read. Each member's
// outcome lands in its allowed, charged, results, marks and err.
func (s *Storage) runBatch(ctx context.Context, id string, batch []*pending) {
	var doc document
	var slots []*slot
	find := func(key string, strategy backends.Strategy, window int64) (*slot, error) {
		tag := backends.StateTag(strategy)
		for _, sl := range slots {
			if sl.key == key && sl.tag == tag {
				sl.window = window
				return sl, nil
			}
		}
		sl := &slot{key: key, tag: tag, window: window}
		var b []byte
		if p := doc.find(key, tag); p >= 0 {
			b = doc.S[p].B
		}
		if err := sl.st.Load(strategy, b); err != nil {
			return nil, fmt.Errorf("document %q, limit %q: %w", id, key, err)
		}
		slots = append(slots, sl)
		return sl, nil
	}
	fail := func(err error) {
		for _, m := range batch {
			m.allowed, m.charged, m.err = false, false, err
		}
	}
	var mine []*slot
	for attempt := 0; ; attempt++ {
		found, err := s.load(ctx, id, &doc)
		if err != nil {
			fail(err)
			return
		}
		slots = slots[:0]
		write := false
		latest := int64(-1 << 63)
		for _, m := range batch {
			now := m.req.Now.UnixNano()
			latest = max(latest, now)
			mine = mine[:0]
			all, costs := true, false
			for j, i := range m.idx {
				l := &m.req.Limits[i]
				w := int64(l.Window)
				sl, err := find(l.Key, m.req.Strategy, w)
				if err != nil {
					fail(err)
					return
				}
				mine = append(mine, sl)
				sl.st.Current(now, w)
				m.results[j].Allowed = sl.st.Allows(now, w, l.Amount, l.Cost)
				all = all && m.results[j].Allowed
				costs = costs || l.Cost > 0
			}
			m.allowed, m.charged, m.err = all, m.charge && all && costs, nil
			write = write || m.charged
			for j, i := range m.idx {
				l, sl := &m.req.Limits[i], mine[j]
				w := int64(l.Window)
				if m.charged {
					mark := sl.st.Charge(now, l.Cost)
					if m.marks != nil {
						m.marks[j] = mark
					}
				}
				rem, reset := sl.st.Stats(now, w, l.Amount)
				m.results[j].Remaining, m.results[j].Reset = rem, time.Unix(0, reset)
			}
		}
		if !write {
			return
		}
		entries := make([]entry, 0, len(doc.S)+len(slots))
		for _, e := range doc.S {
			if live(e, latest) && !touched(e, slots) {
				entries = append(entries, e)
			}
		}
		for _, sl := range slots {
			if x := sl.st.Expires(sl.window); x != -1<<63 {
				entries = append(entries, entry{K: sl.key, X: x, B: encode(&sl.st)})
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
			fail(err)
			return
		}
		if ok {
			s.writes.Add(1)
			s.ensureExpiry(ctx)
			return
		}
		if err := s.conflict(ctx, attempt); err != nil {
			fail(err)
			return
		}
	}
}

// live reports whether an entry the batch did not touch is worth keeping
// at now: it still holds hits, or held them less than ExpirySlack ago (for
// callers whose clocks lag this one).
func live(e entry, now int64) bool {
	return e.X > now-int64(ExpirySlack)
}

// touched reports whether e is the state of one of slots.
func touched(e entry, slots []*slot) bool {
	if len(e.B) == 0 {
		return false
	}
	for _, sl := range slots {
		if sl.key == e.K && sl.tag == e.B[0] {
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
