package runtime

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// LimitResult is the state of one limit after a request was decided.
type LimitResult struct {
	// Limit is the limit, e.g. 2 per 1 minute.
	Limit Limit
	// Scope is the counter's scope: the endpoint (with ":scope" and
	// ":METHOD" suffixes when configured), a shared limit's name, "global"
	// for application limits or "meta".
	Scope string
	// Key is the client key the limit was counted under.
	Key string
	// Allowed reports whether this limit had room for the request.
	Allowed bool
	// Remaining is the number of hits left in the window after the
	// decision.
	Remaining int64
	// Reset is when the limit next frees capacity.
	Reset time.Time
	// Deferred reports a deduct-when limit, charged after the handler.
	Deferred bool

	rule *rule
	cost int64
}

// Level returns where the limit was declared: "route", "view", "group",
// "default", "application", "meta" or "fallback".
func (lr *LimitResult) Level() string { return levelNames[lr.rule.lv] }

// Shared reports a limit counted across routes: a shared, application or
// meta limit.
func (lr *LimitResult) Shared() bool { return lr.rule.shared }

// Results are the decision of one request, as the handler sees it through
// ResultsFromContext. They must not be modified.
type Results struct {
	// Endpoint is the route the request was decided for.
	Endpoint string
	// Allowed is false when a limit refused the request; the handler then
	// only runs in shadow mode.
	Allowed bool
	// Limits are the limits that applied, smallest unit first, as
	// Flask-Limiter evaluates them.
	Limits []LimitResult
	// Described is the index in Limits of the limit the X-RateLimit headers
	// describe (the first breached one, else the first not shared), or -1.
	Described int
}

// Current returns the limit the headers describe, or nil when no limit
// applied (Flask-Limiter's current_limit).
func (r *Results) Current() *LimitResult {
	if r == nil || r.Described < 0 || r.Described >= len(r.Limits) {
		return nil
	}
	return &r.Limits[r.Described]
}

type stateKey struct{}

// requestState is the decision of one request. It is pooled: it lives
// from the decision until the handler returns.
type requestState struct {
	ctx      context.Context
	l        *Limiter
	rs       *routeState
	store    backends.Storage
	deferred bool
	res      Results
	inline   [3]LimitResult
	sc       *scratch // working memory of the decision, kept with the state
	// described is the limit the headers describe when only they read an
	// admitted request's results (see describeAdmitted); res is then empty.
	described describedLimit
	// nums hands out the header values of large numbers, kept with the
	// pooled state so that their blocks serve many requests.
	nums numberValues
}

// describedLimit is what the headers print of one limit.
type describedLimit struct {
	set       bool
	rule      *rule
	amount    int64
	remaining int64
	reset     time.Time
}

// reset readies a pooled state for a request, keeping its scratch memory.
func (st *requestState) reset(ctx context.Context, l *Limiter, rs *routeState) {
	// inline is not cleared: evaluate overwrites what it uses.
	st.ctx, st.l, st.rs, st.store, st.deferred = ctx, l, rs, nil, false
	st.res = Results{}
	st.described.set = false
}

// resultsContext is the handler's request context: the parent plus the
// decision, which it stops returning once the handler has returned.
type resultsContext struct {
	context.Context
	st atomic.Pointer[requestState]
}

// Value returns the decision for its private key and defers to the parent
// otherwise.
func (c *resultsContext) Value(key any) any {
	if _, ok := key.(stateKey); ok {
		if st := c.st.Load(); st != nil {
			return st
		}
		return nil
	}
	return c.Context.Value(key)
}

// ResultsFromContext returns the rate-limit results of the request whose
// context is ctx, and false when no Limiter decided it (no route matched,
// a request filter exempted it, the limiter is disabled or was built
// without WithContextResults(true), the default). The results are valid until the handler
// returns, like the request's body: the limiter reuses their memory for
// later requests, so a handler must copy what it keeps (after it returns,
// ResultsFromContext reports false).
func ResultsFromContext(ctx context.Context) (*Results, bool) {
	s, ok := ctx.Value(stateKey{}).(*requestState)
	if !ok {
		return nil, false
	}
	return &s.res, true
}
