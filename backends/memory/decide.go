package memory

import (
	"slices"
	"sync"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// decide is Hit (charge) and Test (!charge).
func (s *Store) decide(req *backends.Request, res []backends.Result, charge bool) (bool, error) {
	if s.closed.Load() {
		return false, backends.ErrClosed
	}
	if req.Now.IsZero() {
		return false, errNoNow
	}
	now := req.Now.UnixNano()
	// The common request, one valid limit, skips the general validation.
	if len(req.Limits) == 1 && len(res) == 1 {
		l := &req.Limits[0]
		if req.Strategy <= backends.SlidingWindowCounter && l.Key != "" && l.Amount >= 0 && l.Window > 0 && l.Cost >= 0 {
			return s.decideOne(req.Strategy, l, &res[0], now, charge)
		}
	}
	return s.decideMany(req, res, now, charge)
}

// decideOne is the fast path for a request with one limit: the key's entry
// found through the memo and decided without a lock if it is open (see
// hitOpen), else in place under its shard's lock.
func (s *Store) decideOne(strategy backends.Strategy, l *backends.Limit, r *backends.Result, now int64, charge bool) (bool, error) {
	if e := s.memo.Load().lookup(l.Key); e != nil {
		if strategy == backends.FixedWindow {
			if ok, done := s.hitOpen(e, l, r, now, charge); done {
				return ok, nil
			}
		}
		sh := &s.shards[e.shard()]
		sh.mu.Lock()
		if !sh.closed {
			if w := e.held(); w&ctlRemoved == 0 && backends.Strategy(w&ctlKindMask) == strategy {
				sh.noteNow(now)
				ok := e.check(strategy, now, l)
				e.settle(strategy, now, l, charge && ok && l.Cost > 0, r)
				r.Allowed = ok
				e.release(l.Amount)
				sh.mu.Unlock()
				return ok, nil
			}
		}
		sh.mu.Unlock()
	}
	return s.decideOneHashed(strategy, l, r, now, charge)
}

// decideOneHashed is decideOne for a key the memo does not hold: it hashes
// the key, finds or creates its entry, and remembers it in the memo.
func (s *Store) decideOneHashed(strategy backends.Strategy, l *backends.Limit, r *backends.Result, now int64, charge bool) (bool, error) {
	h, i := s.locate(l.Key)
	sh := &s.shards[i]
	sh.mu.Lock()
	if sh.closed {
		sh.mu.Unlock()
		return false, backends.ErrClosed
	}
	sh.noteNow(now)
	var ok bool
	e := sh.t.get(h, l.Key)
	if e != nil && e.kind() == strategy { // kind holds e
		ok = e.check(strategy, now, l)
		e.settle(strategy, now, l, charge && ok && l.Cost > 0, r)
	} else {
		had := e != nil
		ok, e = sh.decideFresh(strategy, h, l, e, r, now, charge)
		if e != nil && !had {
			s.fitMemo(sh.t.n)
		}
	}
	r.Allowed = ok
	if e != nil {
		e.release(l.Amount)
		s.memo.Load().remember(l.Key, e)
	}
	sh.mu.Unlock()
	return ok, nil
}

// decideFresh decides l for a key that holds no state of strategy yet
// (old is nil or of another strategy) on a fresh state, stored if charged.
// It returns the decision and the key's entry: the one stored, or old
// (possibly nil) when nothing was charged.
// It is a function of its own so that the steady state does not pay for
// clearing the fresh state.
//
//go:noinline
func (sh *shard) decideFresh(strategy backends.Strategy, h uint64, l *backends.Limit, old *entry, r *backends.Result, now int64, charge bool) (bool, *entry) {
	buf := getScratch()
	defer buf.put(1)
	tmp := &buf[0]
	tmp.scratch(strategy)
	ok := tmp.check(strategy, now, l)
	charge = charge && ok && l.Cost > 0
	tmp.settle(strategy, now, l, charge, r)
	if charge {
		return ok, sh.store(h, l.Key, tmp, old, now, nil)
	}
	return ok, old
}

// scratchBuf holds the copies a decision works out fresh state on. They
// are pooled rather than declared on the stack: a copy's side is
// atomic, and the atomic accesses would move a stack copy to the heap at
// every fresh decision.
type scratchBuf [maxBuf]entry

var scratchPool = sync.Pool{New: func() any { return new(scratchBuf) }}

// getScratch returns a scratchBuf from the pool; its entries are made
// ready by scratch.
func getScratch() *scratchBuf { return scratchPool.Get().(*scratchBuf) }

// put returns b to the pool, its first n copies let go of their sides:
// the entries stored from them own the logs now, or no one needs them.
func (b *scratchBuf) put(n int) {
	for i := range n {
		b[i].side.Store(nil)
	}
	scratchPool.Put(b)
}

// store keeps the state of fresh for key and returns key's entry: old (an
// entry of another strategy) takes fresh's state, or a new entry is
// inserted, making room first if the shard is due for a sweep or full.
// spare lists the keys eviction must not pick.
func (sh *shard) store(h uint64, key string, fresh, old *entry, now int64, spare []backends.Limit) *entry {
	if old != nil {
		old.setState(fresh)
		return old
	}
	sh.makeRoom(now, spare)
	e := newEntry(key, sh.index)
	e.setState(fresh)
	sh.t.put(h, e)
	return e
}

// setState copies the state of src, a scratch entry, to e, held, which
// keeps its key, shard and pin.
func (e *entry) setState(src *entry) {
	e.setHeld(src.kind(), e.held()&ctlPinned)
	e.setWindow(src.window.Load())
	e.setStart(src.start.Load())
	e.prev, e.cur = src.prev, src.cur
	e.adoptLog(src)
}

// check brings e's state up to now and reports whether it has room for
// l.Cost. e is held, as for settle.
func (e *entry) check(strategy backends.Strategy, now int64, l *backends.Limit) bool {
	w := int64(l.Window)
	switch strategy {
	case backends.FixedWindow:
		f := e.fixed().Current(now, w)
		e.setFixed(f)
		return f.Allows(l.Amount, l.Cost)
	case backends.MovingWindow:
		log := e.log()
		if log == nil {
			return l.Cost <= l.Amount
		}
		log.Current(now, w)
		return log.Allows(l.Amount, l.Cost)
	default:
		sl := e.sliding().Current(now, w)
		e.setSliding(sl)
		return sl.Allows(now, w, l.Amount, l.Cost)
	}
}

// settle charges l.Cost when charge is set and writes the limit's state to
// r (all but Allowed).
func (e *entry) settle(strategy backends.Strategy, now int64, l *backends.Limit, charge bool, r *backends.Result) {
	w := int64(l.Window)
	if charge {
		e.setWindow(w)
	}
	var rem, reset int64
	switch strategy {
	case backends.FixedWindow:
		f := e.fixed()
		if charge {
			f.Charge(now, l.Cost)
			e.setFixed(f)
		}
		rem, reset = f.Stats(now, w, l.Amount)
	case backends.MovingWindow:
		log := e.log()
		if charge {
			if log == nil {
				log = e.newLog()
			}
			log.Charge(now, l.Cost)
		}
		if log == nil {
			rem, reset = l.Amount, now
		} else {
			rem, reset = log.Stats(now, w, l.Amount)
		}
	default:
		sl := e.sliding()
		if charge {
			sl.Charge(l.Cost)
			e.setSliding(sl)
		}
		rem, reset = sl.Stats(now, w, l.Amount)
	}
	r.Remaining = rem
	r.Reset = time.Unix(0, reset)
}

// maxBuf is the number of limits a request may carry before decideMany's
// buffers move from the stack to the heap.
const maxBuf = 8

// decideMany decides a request of several limits under the locks of every
// shard involved: one lock, taken without sorting, when every key falls in
// one shard (always so when the keys share a hash tag, as the runtime's
// requests of one client do), else the shards' locks in index order. It
// checks the request as it locates the keys (through the memo, else by
// hashing them), walking the limits once.
func (s *Store) decideMany(req *backends.Request, res []backends.Result, now int64, charge bool) (bool, error) {
	n := len(req.Limits)
	if req.Strategy > backends.SlidingWindowCounter || len(res) != n || n == 0 {
		return n == 0, req.Validate(res) // nil for a valid request of no limits
	}
	var (
		hBuf   [maxBuf]uint64
		idxBuf [maxBuf]uint64
		oldBuf [maxBuf]*entry
	)
	hs, idx, old := hBuf[:n:n], idxBuf[:n:n], oldBuf[:n:n]
	if n > maxBuf {
		hs, idx, old = make([]uint64, n), make([]uint64, n), make([]*entry, n)
	}
	one := true // every key in the shard of the first
	for i := range req.Limits {
		l := &req.Limits[i]
		if l.Key == "" || l.Amount < 0 || l.Window <= 0 || l.Cost < 0 {
			return false, req.Validate(res)
		}
		if e := s.memo.Load().lookup(l.Key); e != nil {
			old[i], idx[i] = e, uint64(e.shard()) // a candidate, checked under the lock
		} else {
			hs[i], idx[i] = s.locate(l.Key)
		}
		one = one && idx[i] == idx[0]
	}
	if one {
		sh := &s.shards[idx[0]]
		sh.mu.Lock()
		ok, err := s.decideLocked(req, res, now, charge, hs, idx, old, idx[:1])
		sh.mu.Unlock()
		return ok, err
	}
	var locksBuf [maxBuf]uint64
	locks := append(locksBuf[:0], idx...) // sorted, deduplicated: the lock order
	slices.Sort(locks)
	locks = slices.Compact(locks)
	for _, i := range locks {
		s.shards[i].mu.Lock()
	}
	ok, err := s.decideLocked(req, res, now, charge, hs, idx, old, locks)
	for _, i := range locks {
		s.shards[i].mu.Unlock()
	}
	return ok, err
}

// decideLocked is decideMany's work once the shards are locked. old[i] is
// the memo's candidate entry of limit i, or nil when the key was hashed
// into hs[i]. When every key already holds state of the request's strategy
// (the steady state) it decides in place; otherwise decideManyFresh works
// on copies.
func (s *Store) decideLocked(req *backends.Request, res []backends.Result, now int64, charge bool,
	hs, idx []uint64, old []*entry, locks []uint64) (bool, error) {
	n := len(req.Limits)
	for _, i := range locks {
		sh := &s.shards[i]
		if sh.closed {
			return false, backends.ErrClosed
		}
		sh.noteNow(now)
		if sh.t.n+n > sh.sweepAt {
			sh.sweep(now)
		}
	}
	fresh := false
	for i := range req.Limits {
		e := old[i]
		if e == nil || e.removed() { // not in the memo, or no longer in its table
			key := req.Limits[i].Key
			if e != nil {
				hs[i] = s.hash(key)
			}
			e = s.shards[idx[i]].t.get(hs[i], key)
			old[i] = e
			if e != nil {
				s.memo.Load().remember(key, e)
			}
		}
		// Pin every entry, also once a fresh one is found: an entry held but
		// not pinned would be opened again by the next request of one limit.
		fresh = e == nil || backends.Strategy(e.pin()&ctlKindMask) != req.Strategy || fresh
	}
	if fresh {
		return s.decideManyFresh(req, res, now, charge, hs, idx, old), nil
	}
	all := true
	for i := range req.Limits {
		res[i].Allowed = old[i].check(req.Strategy, now, &req.Limits[i])
		all = all && res[i].Allowed
	}
	charge = charge && all
	for i := range req.Limits {
		old[i].settle(req.Strategy, now, &req.Limits[i], charge && req.Limits[i].Cost > 0, &res[i])
	}
	return all, nil
}

// decideManyFresh is decideLocked for a request with a key that holds no
// state of its strategy yet (old[i] is nil or of another strategy): such a
// limit is decided on a fresh copy, stored once every limit is settled. A
// key the request carries twice (a route limited twice by one limit, say)
// is one counter: its later limits share the copy of its first, as they
// would share its entry. It is a function of its own so that the steady
// state does not pay for clearing the copies' buffer.
//
//go:noinline
func (s *Store) decideManyFresh(req *backends.Request, res []backends.Result, now int64, charge bool,
	hs, idx []uint64, old []*entry) bool {
	n := len(req.Limits)
	var ofBuf [maxBuf]int
	of := ofBuf[:n:n]
	var tmp []entry
	if n > maxBuf {
		tmp, of = make([]entry, n), make([]int, n)
	} else {
		buf := getScratch()
		defer buf.put(n)
		tmp = buf[:n:n]
	}
	// of[i] is the first limit with limit i's key, whose copy a fresh limit
	// i decides on: cur returns old[i] or &tmp[of[i]].
	isFresh := func(i int) bool { return old[i] == nil || old[i].kind() != req.Strategy }
	for i := range req.Limits {
		of[i] = i
		if isFresh(i) {
			for k := range i {
				if req.Limits[k].Key == req.Limits[i].Key {
					of[i] = k
					break
				}
			}
			tmp[of[i]].scratch(req.Strategy)
		}
	}
	cur := func(i int) *entry {
		if isFresh(i) {
			return &tmp[of[i]]
		}
		return old[i]
	}
	all := true
	for i := range req.Limits {
		res[i].Allowed = cur(i).check(req.Strategy, now, &req.Limits[i])
		all = all && res[i].Allowed
	}
	charge = charge && all
	for i := range req.Limits {
		cur(i).settle(req.Strategy, now, &req.Limits[i], charge && req.Limits[i].Cost > 0, &res[i])
	}
	if !charge {
		return all
	}
	// Store fresh entries only once every limit is settled: making room may
	// sweep the shard, which must not drop an entry still to be charged.
	for i := range req.Limits {
		l := &req.Limits[i]
		if !isFresh(i) || of[i] != i || !paidFor(req.Limits, of, i) {
			continue
		}
		if old[i] != nil && old[i].removed() { // swept while storing an earlier limit
			old[i] = nil
			hs[i] = s.hash(l.Key)
		}
		sh := &s.shards[idx[i]]
		e := sh.store(hs[i], l.Key, &tmp[i], old[i], now, req.Limits)
		e.pin()
		if old[i] == nil {
			s.fitMemo(sh.t.n)
		}
		s.memo.Load().remember(l.Key, e)
	}
	return all
}

// paidFor reports whether a limit deciding on the copy of limit i (of[j]
// == i) has a cost, so that the copy holds a charge worth storing.
func paidFor(ls []backends.Limit, of []int, i int) bool {
	for j := i; j < len(ls); j++ {
		if of[j] == i && ls[j].Cost > 0 {
			return true
		}
	}
	return false
}
