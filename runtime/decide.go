package runtime

import (
	"context"
	"hash/maphash"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// scratch is the pooled per-request working memory of a decision.
type scratch struct {
	req     backends.Request
	limits  []backends.Limit
	results []backends.Result
	idx     []int   // entry index of each limit; -1-k for dyn[k]
	dyn     []entry // the limits of LimitsFunc rules, expanded for this request
	midx    []int   // memo index of each limit
	offs    []int   // key offsets in buf, two per limit, when keys are built
	buf     []byte
	memo    []ruleMemo
	meta    []backends.Limit
	metaRes []backends.Result
	// client is the limiter's key function's answer for this request, when
	// hasClient; rules without a key function of their own reuse it.
	client    string
	hasClient bool
}

// ruleMemo holds what a rule's funcs returned for this request, so that
// each is called once per request however many limits the rule has.
type ruleMemo struct {
	r      *rule
	skip   bool // exempt-when, or no client key
	client string
	cost   int64
	dyn    string // the rule's scope and ScopeFunc's value, escaped; "" for none
}

// maxCachedClients bounds each route's cache of storage keys; the cache
// is emptied when it is full.
const maxCachedClients = 8192

// clientKeys are the storage keys of one client on one route: keys of its
// entries and meta entries, in that order, and, for a simple route, the
// storage request's limits (read only, as storages only read them).
type clientKeys struct {
	client string
	keys   []string
	limits []backends.Limit
}

// hotSlots is the size of a route's direct-mapped cache of recent clients,
// a power of two.
const hotSlots = 256

// keySeed hashes client keys to hot slots.
var keySeed = maphash.MakeSeed()

// keyCache maps a client key to its *clientKeys on a route, in two levels
// that take no lock: hot, a direct-mapped table of recent clients (one
// hash, one atomic load, one string compare), in front of m, every client
// up to maxCachedClients (sync.Map is a concurrent hash trie); n counts the
// entries stored in m since its last clear.
type keyCache struct {
	hot [hotSlots]atomic.Pointer[clientKeys]
	m   sync.Map // string -> *clientKeys
	n   atomic.Int64
}

// serve decides r for route rs and, unless it is refused, calls next.
func (l *Limiter) serve(rs *routeState, next http.Handler, w http.ResponseWriter, r *http.Request) {
	if !l.enabled {
		next.ServeHTTP(w, r)
		return
	}
	// A request the middleware decided carries its state in its context;
	// without context results there is nothing to find.
	if l.cfg.ctxResults {
		if prev, ok := r.Context().Value(stateKey{}).(*requestState); ok && prev.l == l {
			next.ServeHTTP(w, r) // decided already, by the middleware
			return
		}
	}
	for _, f := range l.filters {
		if f(r) {
			next.ServeHTTP(w, r)
			return
		}
	}
	st := l.stateP.Get().(*requestState)
	st.reset(r.Context(), l, rs)
	defer l.stateP.Put(st)
	st.res.Endpoint = rs.route.Endpoint
	st.res.Allowed = true
	st.res.Described = -1
	if !l.decide(st, w, r) {
		return
	}
	if l.cfg.ctxResults {
		rc := &resultsContext{Context: r.Context()}
		rc.st.Store(st)
		defer rc.st.Store(nil) // before the state goes back to the pool
		r = r.WithContext(rc)
	}
	if st.deferred {
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		l.deduct(st, r, sw.statusCode())
		return
	}
	next.ServeHTTP(w, r)
}

// decide decides the request, writes the headers, and answers a refused
// request itself; it returns whether the handler should run.
func (l *Limiter) decide(st *requestState, w http.ResponseWriter, r *http.Request) bool {
	now := l.clock()
	ctx := st.ctx
	sc := st.sc
	if sc == nil {
		sc = new(scratch)
		st.sc = sc
	}
	for attempt := 0; ; attempt++ {
		store, onFallback := l.storage(ctx, now)
		st.store = store
		allowed, err := l.evaluate(ctx, st, sc, store, onFallback, r, now)
		if err == nil {
			if l.headers.on {
				if d := &st.described; d.set {
					l.headers.writeLimit(w.Header(), &st.nums, d.rule, d.amount, d.remaining, d.reset, now)
				} else {
					l.headers.write(w.Header(), &st.nums, &st.res, now)
				}
			}
			if allowed {
				return true
			}
			return l.refuse(st, w, r)
		}
		if attempt == 0 && !onFallback && l.markDead(now, err) {
			continue
		}
		l.log.Error("ratelimit storage error", "endpoint", st.rs.route.Endpoint, "error", err)
		st.res.Limits = st.res.Limits[:0]
		st.res.Described = -1
		st.deferred = false
		if l.cfg.swallow {
			return true
		}
		writeStorageError(w)
		return false
	}
}

// evaluate selects the limits that apply to r, decides them in one storage
// call and fills st.res. It reports whether the request is admitted.
func (l *Limiter) evaluate(ctx context.Context, st *requestState, sc *scratch, store backends.Storage, onFallback bool, r *http.Request, now time.Time) (bool, error) {
	rs := st.rs
	method := r.Method
	sc.memo = sc.memo[:0]
	sc.client, sc.hasClient = "", false
	sc.limits = sc.limits[:0]
	sc.idx = sc.idx[:0]
	sc.midx = sc.midx[:0]
	sc.dyn = sc.dyn[:0]
	st.res.Limits = st.inline[:0]
	st.res.Described = -1
	st.res.Allowed = true
	st.deferred = false
	st.described.set = false

	if rs.simple && !onFallback {
		return l.evaluateSimple(ctx, st, sc, store, r, now)
	}
	var cached []string
	if rs.cacheable && !onFallback {
		// Every rule uses the limiter's key function: call it once.
		sc.client, sc.hasClient = l.keyFunc(r), true
		if ck := l.cachedKeys(rs, sc.client); ck != nil {
			cached = ck.keys
		}
	}

	// Meta limits: a client that exhausted one is refused everything.
	if len(rs.meta) > 0 {
		var metaKeys []string
		if cached != nil {
			metaKeys = cached[len(rs.entries):]
		}
		if refused, err := l.checkMeta(ctx, st, sc, store, r, now, metaKeys); err != nil || refused {
			return false, err
		}
	}

	entries := rs.entries
	if onFallback && rs.fallback != nil && rs.exempt&ExemptDefault == 0 {
		entries = rs.fallback
	}
	withDyn := false
	if rs.hasDyn && !(onFallback && rs.fallback != nil) {
		withDyn = true
		for i := range entries {
			e := &entries[i]
			if e.rule.lv <= levelGroup && e.rule.appliesTo(method) {
				withDyn = false
				break
			}
		}
	}
	sc.buf = sc.buf[:0]
	sc.offs = sc.offs[:0]
	for i := range entries {
		e := &entries[i]
		if e.onlyIfExempt && !withDyn {
			continue
		}
		if !e.rule.appliesTo(method) {
			continue
		}
		mi := sc.memoIndex(e.rule, r, l.keyFunc)
		m := &sc.memo[mi]
		if m.skip {
			continue
		}
		cost := m.cost
		if e.rule.r.DeductWhen != nil {
			cost = 0 // charged after the handler
		}
		if e.dynamic {
			for _, de := range l.dynamicEntries(e.rule, r) {
				de.rule = e.rule
				sc.dyn = append(sc.dyn, de)
				start := len(sc.buf)
				sc.buf = backends.AppendKey(sc.buf, l.prefix, m.client, m.scopeFor(e.rule, method), de.text)
				sc.offs = append(sc.offs, start, len(sc.buf))
				sc.limits = append(sc.limits, backends.Limit{Amount: de.limit.Amount, Window: de.window, Cost: cost})
				sc.idx = append(sc.idx, -len(sc.dyn))
				sc.midx = append(sc.midx, mi)
			}
			continue
		}
		lim := backends.Limit{Amount: e.limit.Amount, Window: e.window, Cost: cost}
		if cached != nil {
			lim.Key = cached[i]
		} else {
			start := len(sc.buf)
			sc.buf = backends.AppendKey(sc.buf, l.prefix, m.client, m.scopeFor(e.rule, method), e.text)
			sc.offs = append(sc.offs, start, len(sc.buf))
		}
		sc.limits = append(sc.limits, lim)
		sc.idx = append(sc.idx, i)
		sc.midx = append(sc.midx, mi)
	}
	n := len(sc.limits)
	if n == 0 {
		return true, nil
	}
	if cached == nil {
		keys := string(sc.buf)
		for j := range sc.limits {
			sc.limits[j].Key = keys[sc.offs[2*j]:sc.offs[2*j+1]]
		}
	}
	results, ok, err := l.hit(ctx, sc, store, now, sc.limits)
	if err != nil {
		return false, err
	}
	if ok && !rs.hasDeduct && l.resultsUnread() {
		return true, nil
	}
	st.fill(entries, results, method, func(j int) (*entry, *ruleMemo) {
		if i := sc.idx[j]; i < 0 {
			return &sc.dyn[-1-i], &sc.memo[sc.midx[j]]
		}
		return &entries[sc.idx[j]], &sc.memo[sc.midx[j]]
	})
	_ = ok // per-limit Allowed carries the decision; deduct-when limits add to it
	return st.res.Allowed, nil
}

// evaluateSimple decides a route whose limits all count under the
// limiter's key with a fixed scope and cost, no exemptions or method
// filters: its storage request is cached per client, ready to send.
func (l *Limiter) evaluateSimple(ctx context.Context, st *requestState, sc *scratch, store backends.Storage, r *http.Request, now time.Time) (bool, error) {
	rs := st.rs
	client := l.keyFunc(r)
	if client == "" {
		return true, nil // as Flask-Limiter, limits without a key are skipped
	}
	ck := l.cachedKeys(rs, client)
	results, ok, err := l.hit(ctx, sc, store, now, ck.limits)
	if err != nil {
		return false, err
	}
	if ok && l.resultsUnread() {
		return true, nil
	}
	if ok && !l.cfg.ctxResults && !l.headers.ietf {
		// Only the X-RateLimit headers read an admitted request's results,
		// and only the described limit's: record that one alone.
		st.describeAdmitted(rs.entries, results)
		return true, nil
	}
	sc.memo = append(sc.memo[:0], ruleMemo{client: client})
	st.fill(rs.entries, results, r.Method, func(j int) (*entry, *ruleMemo) {
		m := &sc.memo[0]
		m.cost = ck.limits[j].Cost
		return &rs.entries[j], m
	})
	return st.res.Allowed, nil
}

// fill records the per-limit results of a decision in st.res; at(j) returns
// the entry and rule memo of the j-th decided limit.
func (st *requestState) fill(entries []entry, results []backends.Result, method string, at func(j int) (*entry, *ruleMemo)) {
	n := len(results)
	if n > len(st.inline) {
		st.res.Limits = make([]LimitResult, 0, n)
	}
	for j := range results {
		e, m := at(j)
		res := &results[j]
		allowed := res.Allowed
		deferred := e.rule.r.DeductWhen != nil
		if deferred {
			allowed = res.Remaining >= m.cost
			st.deferred = true
		}
		st.res.Limits = append(st.res.Limits, LimitResult{
			Limit:     e.limit,
			Scope:     m.scopeFor(e.rule, method),
			Key:       m.client,
			Allowed:   allowed,
			Remaining: res.Remaining,
			Reset:     res.Reset,
			Deferred:  deferred,
			rule:      e.rule,
			cost:      m.cost,
		})
		if !allowed && st.res.Allowed {
			st.res.Allowed = false
			st.res.Described = j
		}
	}
	if st.res.Described < 0 {
		st.res.Described = 0
		for j := range st.res.Limits {
			if !st.res.Limits[j].rule.shared {
				st.res.Described = j
				break
			}
		}
	}
}

// describeAdmitted records the one limit fill would describe for an
// admitted request of a simple route (every limit admitted): the first
// that is not a shared limit, else the first. It keeps only what the
// headers print, in st.described, instead of a LimitResult.
func (st *requestState) describeAdmitted(entries []entry, results []backends.Result) {
	j := 0
	for k := range entries {
		if !entries[k].rule.shared {
			j = k
			break
		}
	}
	st.described = describedLimit{set: true, rule: entries[j].rule, amount: entries[j].limit.Amount, remaining: results[j].Remaining, reset: results[j].Reset}
}

// memoFor returns the memo of rule r for this request, computing it once.
// The pointer is valid until the next memo is added.
func (sc *scratch) memoFor(ru *rule, r *http.Request, def KeyFunc) *ruleMemo {
	return &sc.memo[sc.memoIndex(ru, r, def)]
}

// memoIndex returns the index in sc.memo of rule r's memo, computing it
// once per request.
func (sc *scratch) memoIndex(ru *rule, r *http.Request, def KeyFunc) int {
	for i := range sc.memo {
		if sc.memo[i].r == ru {
			return i
		}
	}
	m := ruleMemo{r: ru, cost: 1}
	if ru.r.ExemptWhen != nil && ru.r.ExemptWhen(r) {
		m.skip = true
	}
	if !m.skip {
		key := def
		if ru.key != nil {
			key = ru.key
		}
		if ru.key == nil && sc.hasClient {
			m.client = sc.client
		} else {
			m.client = key(r)
		}
		if m.client == "" {
			m.skip = true // as Flask-Limiter, a limit without a key is skipped
		}
		if f := ru.r.ScopeFunc; f != nil {
			if v := f(r); v != "" {
				m.dyn = ru.scope + ":" + escapeScope(v)
			}
		}
		switch {
		case ru.r.CostFunc != nil:
			m.cost = ru.r.CostFunc(r)
			if m.cost < 0 {
				m.cost = 0
			}
		case ru.r.Cost > 0:
			m.cost = ru.r.Cost
		}
	}
	sc.memo = append(sc.memo, m)
	return len(sc.memo) - 1
}

// cachedKeys returns the storage keys of rs's entries and meta entries for
// client, building and caching them on the first request of the client.
func (l *Limiter) cachedKeys(rs *routeState, client string) *clientKeys {
	if client == "" {
		return nil
	}
	kc := rs.cache()
	slot := &kc.hot[maphash.String(keySeed, client)&(hotSlots-1)]
	if ck := slot.Load(); ck != nil && ck.client == client {
		return ck
	}
	if v, ok := kc.m.Load(client); ok {
		ck := v.(*clientKeys)
		slot.Store(ck)
		return ck
	}
	keys := make([]string, 0, len(rs.entries)+len(rs.meta))
	var buf []byte
	for _, set := range [][]entry{rs.entries, rs.meta} {
		for i := range set {
			e := &set[i]
			buf = backends.AppendKey(buf[:0], l.prefix, client, e.rule.scope, e.text)
			keys = append(keys, string(buf))
		}
	}
	ck := &clientKeys{client: client, keys: keys}
	if rs.simple {
		ck.limits = make([]backends.Limit, len(rs.entries))
		for i := range rs.entries {
			e := &rs.entries[i]
			cost := e.rule.r.Cost
			if cost <= 0 {
				cost = 1
			}
			ck.limits[i] = backends.Limit{Key: keys[i], Amount: e.limit.Amount, Window: e.window, Cost: cost}
		}
	}
	if kc.n.Add(1) > maxCachedClients {
		kc.m.Clear()
		kc.n.Store(1)
	}
	kc.m.Store(client, ck)
	slot.Store(ck)
	return ck
}

func (rs *routeState) cache() *keyCache {
	if kc := rs.kc.Load(); kc != nil {
		return kc
	}
	rs.kc.CompareAndSwap(nil, new(keyCache))
	return rs.kc.Load()
}

// checkMeta tests the meta limits (without charging) and refuses the
// request when one is exhausted.
//
// keys, if not nil, are the cached storage keys of rs.meta for the client.
func (l *Limiter) checkMeta(ctx context.Context, st *requestState, sc *scratch, store backends.Storage, r *http.Request, now time.Time, keys []string) (bool, error) {
	rs := st.rs
	sc.meta = sc.meta[:0]
	var metaIdx [8]int
	idx := metaIdx[:0]
	for i := range rs.meta {
		e := &rs.meta[i]
		m := sc.memoFor(e.rule, r, l.keyFunc)
		if m.skip {
			continue
		}
		var key string
		if keys != nil {
			key = keys[i]
		} else {
			key = backends.Key(l.prefix, m.client, e.rule.scope, e.text)
		}
		sc.meta = append(sc.meta, backends.Limit{Key: key, Amount: e.limit.Amount, Window: e.window, Cost: 1})
		idx = append(idx, i)
	}
	if len(sc.meta) == 0 {
		return false, nil
	}
	if cap(sc.metaRes) < len(sc.meta) {
		sc.metaRes = make([]backends.Result, len(sc.meta))
	}
	res := sc.metaRes[:len(sc.meta)]
	req := backends.Request{Strategy: l.strategy, Now: now, Limits: sc.meta}
	ok, err := store.Test(ctx, &req, res)
	if err != nil || ok {
		return false, err
	}
	for j := range res {
		if res[j].Allowed {
			continue
		}
		e := &rs.meta[idx[j]]
		st.res.Limits = append(st.res.Limits, LimitResult{
			Limit: e.limit, Scope: e.rule.scope, Key: sc.memoFor(e.rule, r, l.keyFunc).client,
			Remaining: res[j].Remaining, Reset: res[j].Reset, rule: e.rule,
		})
		st.res.Allowed = false
		st.res.Described = 0
		return true, nil
	}
	return false, nil
}

// refuse handles a refused request: logs it, counts it against the meta
// limits, and answers 429 unless a breach callback answered or the limiter
// is in shadow mode. It returns whether the handler should still run.
func (l *Limiter) refuse(st *requestState, w http.ResponseWriter, r *http.Request) bool {
	cur := st.res.Current()
	if l.log.Enabled(st.ctx, slog.LevelInfo) {
		l.log.Info("ratelimit exceeded", "limit", cur.Limit.String(), "key", cur.Key, "scope", cur.Scope, "endpoint", st.res.Endpoint)
	}
	if cur.rule.lv != levelMeta && len(st.rs.meta) > 0 {
		l.hitMeta(st, r)
	}
	if l.shadow {
		return true
	}
	ru := &cur.rule.r
	msg := ru.ErrorMessage
	if f := ru.ErrorMessageFunc; f != nil {
		msg = f(r) // once, for the callbacks and the body alike
	}
	if ru.OnBreach != nil || l.onBreach != nil || ru.BreachResponse != nil || l.breachResp != nil {
		if l.breachCallbacks(st, cur, msg, w, r) {
			return false
		}
	}
	if ru.ErrorMessageFunc != nil {
		writeTooMany(w, r, messageBody(msg, cur.Limit))
		return false
	}
	writeTooMany(w, r, cur.rule.body(cur.Limit))
	return false
}

// messageBody is the 429 body of a message computed for one request: the
// limit's text when the message is empty.
func messageBody(msg string, lim Limit) *body {
	if msg == "" {
		msg = lim.String()
	}
	return newBody(msg)
}

// breachCallbacks runs the on-breach callbacks and breach responses of a
// refused request, rule's first, with the rule's message for it; it
// reports whether one answered it. (Apart
// from refuse, so that the Breach is allocated only when someone gets it.)
func (l *Limiter) breachCallbacks(st *requestState, cur *LimitResult, msg string, w http.ResponseWriter, r *http.Request) bool {
	ru := &cur.rule.r
	b := &Breach{Limit: cur.Limit, Key: cur.Key, Scope: cur.Scope, Endpoint: st.res.Endpoint, Group: st.rs.groupLabel(), ErrorMessage: msg,
		Remaining: cur.Remaining, Reset: cur.Reset, Shared: cur.Shared()}
	if f := ru.OnBreach; f != nil && f(w, r, b) {
		return true
	}
	if l.onBreach != nil && l.onBreach(w, r, b) {
		return true
	}
	if f := ru.BreachResponse; f != nil {
		f(w, r, b)
		return true
	}
	if l.breachResp != nil {
		l.breachResp(w, r, b)
		return true
	}
	return false
}

// hitMeta charges one breach to every meta limit of the request's client.
func (l *Limiter) hitMeta(st *requestState, r *http.Request) {
	now := l.clock()
	for i := range st.rs.meta {
		e := &st.rs.meta[i]
		key := e.rule.key
		if key == nil {
			key = l.keyFunc
		}
		client := key(r)
		if client == "" {
			continue
		}
		req := backends.Request{Strategy: l.strategy, Now: now, Limits: []backends.Limit{{
			Key: backends.Key(l.prefix, client, e.rule.scope, e.text), Amount: e.limit.Amount, Window: e.window, Cost: 1,
		}}}
		var res [1]backends.Result
		if _, err := st.store.Hit(st.ctx, &req, res[:]); err != nil {
			l.log.Error("ratelimit storage error counting a breach against meta limits", "error", err)
		}
	}
}

// deduct charges the deduct-when limits after the handler wrote status.
func (l *Limiter) deduct(st *requestState, r *http.Request, status int) {
	now := l.clock()
	for i := range st.res.Limits {
		lr := &st.res.Limits[i]
		if !lr.Deferred || lr.cost == 0 || !lr.rule.r.DeductWhen(r, status) {
			continue
		}
		req := backends.Request{Strategy: l.strategy, Now: now, Limits: []backends.Limit{{
			Key: backends.Key(l.prefix, lr.Key, lr.Scope, lr.Limit.String()), Amount: lr.Limit.Amount, Window: lr.Limit.Window(), Cost: lr.cost,
		}}}
		var res [1]backends.Result
		if _, err := st.store.Hit(st.ctx, &req, res[:]); err != nil {
			l.log.Error("ratelimit storage error charging a deduct-when limit", "error", err)
		}
	}
}

// hit sends limits to store as one all-or-nothing decision at now, into
// sc's reusable request and results buffer (valid until sc is reused).
func (l *Limiter) hit(ctx context.Context, sc *scratch, store backends.Storage, now time.Time, limits []backends.Limit) ([]backends.Result, bool, error) {
	if cap(sc.results) < len(limits) {
		sc.results = make([]backends.Result, len(limits))
	}
	results := sc.results[:len(limits)]
	sc.req = backends.Request{Strategy: l.strategy, Now: now, Limits: limits}
	ok, err := store.Hit(ctx, &sc.req, results)
	return results, ok, err
}

// resultsUnread reports whether an admitted request's per-limit results
// have no reader: no headers to write and no context to carry them
// (deduct-when rules, which also read them, are the caller's check).
func (l *Limiter) resultsUnread() bool { return !l.headers.on && !l.cfg.ctxResults }
