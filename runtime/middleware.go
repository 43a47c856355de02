package runtime

import (
	"net/http"
	"strconv"
	"strings"
)

// Middleware returns a handler that limits the requests next serves, for
// any router:
//
//   - when next is an *http.ServeMux, the pattern the mux matches decides
//     the route: a registered route's limits, or, for a pattern registered
//     on the mux by hand without annotations, the default, application and
//     meta limits counted under the pattern as endpoint;
//   - for other routers, a registered route whose Pattern matches the
//     request, or the request's Pattern if the router set it.
//
// Requests that match no route are never limited. Routes that Mount or
// Handler wrapped are decided by their wrapper, never twice.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	m := &middleware{l: l, next: next}
	m.mux, _ = next.(*http.ServeMux)
	return m
}

type middleware struct {
	l    *Limiter
	next http.Handler
	mux  *http.ServeMux
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l := m.l
	if !l.enabled {
		m.next.ServeHTTP(w, r)
		return
	}
	reg := l.reg.Load()
	var pattern string
	switch {
	case m.mux != nil:
		_, pattern = m.mux.Handler(r)
	case r.Pattern != "":
		pattern = r.Pattern
	default:
		_, pattern = reg.matcher.Handler(r)
	}
	if pattern == "" {
		m.next.ServeHTTP(w, r)
		return
	}
	rs := reg.byPattern[pattern]
	switch {
	case rs != nil && rs.mounted.Load():
		m.next.ServeHTTP(w, r) // its wrapper decides
		return
	case rs == nil:
		var err error
		if rs, err = l.dynamicRoute(pattern); err != nil {
			l.log.Error("ratelimit: cannot limit pattern", "pattern", pattern, "error", err)
			m.next.ServeHTTP(w, r)
			return
		}
	}
	l.serve(rs, m.next, w, r)
}

// handGroup is the group of routes found by the middleware on a ServeMux;
// it is not printed by introspection.
var handGroup = &Group{Name: "unregistered"}

// dynamicRoute returns the route of a ServeMux pattern nobody registered:
// no rules of its own, so the default limits apply, counted per pattern.
func (l *Limiter) dynamicRoute(pattern string) (*routeState, error) {
	if v, ok := l.dynamic.Load(pattern); ok {
		return v.(*routeState), nil
	}
	rs, err := l.compile(handGroup, &Route{Endpoint: pattern, Pattern: pattern})
	if err != nil {
		return nil, err
	}
	v, _ := l.dynamic.LoadOrStore(pattern, rs)
	return v.(*routeState), nil
}

// RuleOption sets an option of a rule built by NewRule or Limit.
type RuleOption func(*ruleOptions)

type ruleOptions struct {
	rule     Rule
	endpoint string
}

// RuleKey counts the rule's limits under f's key instead of the limiter's
// (key_func).
func RuleKey(f KeyFunc) RuleOption { return func(o *ruleOptions) { o.rule.Key = f } }

// RuleCost charges n hits per request (cost); the default is 1.
func RuleCost(n int64) RuleOption { return func(o *ruleOptions) { o.rule.Cost = n } }

// RuleCostFunc computes the cost per request; it wins over RuleCost.
func RuleCostFunc(f CostFunc) RuleOption { return func(o *ruleOptions) { o.rule.CostFunc = f } }

// RulePerMethod counts each HTTP method separately (per_method).
func RulePerMethod() RuleOption { return func(o *ruleOptions) { o.rule.PerMethod = true } }

// RuleMethods limits only requests with these methods (methods).
func RuleMethods(methods ...string) RuleOption {
	return func(o *ruleOptions) { o.rule.Methods = methods }
}

// RuleScope adds a scope to the counter's name (scope).
func RuleScope(scope string) RuleOption { return func(o *ruleOptions) { o.rule.Scope = scope } }

// RuleScopeFunc keeps the counters per value f returns for the request as
// well (Flask-Limiter's callable scope), e.g. per tenant; see
// Rule.ScopeFunc.
// RuleLimitsFunc gives the limits per request, as a limit string (Flask-
// Limiter's callable limit value); pass "" as l.Limit's limits. See
// Rule.LimitsFunc.
func RuleLimitsFunc(f func(*http.Request) string) RuleOption {
	return func(o *ruleOptions) { o.rule.LimitsFunc = f }
}

func RuleScopeFunc(f func(*http.Request) string) RuleOption {
	return func(o *ruleOptions) { o.rule.ScopeFunc = f }
}

// RuleShared counts the limits under name, shared by every rule with that
// name (shared_limit).
func RuleShared(name string) RuleOption { return func(o *ruleOptions) { o.rule.Shared = name } }

// RuleErrorMessage replaces the limit's text in the 429 body
// (error_message).
func RuleErrorMessage(msg string) RuleOption {
	return func(o *ruleOptions) { o.rule.ErrorMessage = msg }
}

// RuleErrorMessageFunc computes the 429 body's message per request, as
// Flask-Limiter's callable error_message; an empty message shows the
// limit's text.
func RuleErrorMessageFunc(f func(*http.Request) string) RuleOption {
	return func(o *ruleOptions) { o.rule.ErrorMessageFunc = f }
}

// RuleExemptWhen skips the rule for requests for which f returns true
// (exempt_when).
func RuleExemptWhen(f ExemptFunc) RuleOption { return func(o *ruleOptions) { o.rule.ExemptWhen = f } }

// RuleDeductWhen charges the rule after the handler, only when f returns
// true for the status it wrote (deduct_when).
func RuleDeductWhen(f DeductFunc) RuleOption { return func(o *ruleOptions) { o.rule.DeductWhen = f } }

// RuleOnBreach calls f when the rule refuses a request (on_breach).
func RuleOnBreach(f BreachFunc) RuleOption { return func(o *ruleOptions) { o.rule.OnBreach = f } }

// RuleBreachResponse writes the response when the rule refuses a request,
// in place of the limiter's 429 (see Rule.BreachResponse).
func RuleBreachResponse(f BreachResponseFunc) RuleOption {
	return func(o *ruleOptions) { o.rule.BreachResponse = f }
}

// RuleKeepDefaults keeps the default limits (and enclosing levels) in force
// next to the rule (override_defaults=False).
func RuleKeepDefaults() RuleOption { return func(o *ruleOptions) { o.rule.KeepDefaults = true } }

// RuleEndpoint names the route a Limit middleware creates; the default is
// "limit-N", numbered in the order of the Limit calls.
func RuleEndpoint(name string) RuleOption { return func(o *ruleOptions) { o.endpoint = name } }

// NewRule parses limits ("2 per minute; 1 per second") and applies opts,
// for routes registered by hand. A malformed limit or a negative cost is an
// error.
func NewRule(limits string, opts ...RuleOption) (Rule, error) {
	o, err := newRuleOptions(limits, opts)
	return o.rule, err
}

func newRuleOptions(limits string, opts []RuleOption) (ruleOptions, error) {
	var o ruleOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.rule.LimitsFunc == nil || limits != "" {
		ls, err := ParseLimits(limits)
		if err != nil {
			return o, err
		}
		o.rule.Limits = ls
	}
	if o.rule.Cost < 0 {
		return o, errorf("rule %q: negative cost %d", limits, o.rule.Cost)
	}
	for i, m := range o.rule.Methods {
		o.rule.Methods[i] = strings.ToUpper(strings.TrimSpace(m))
	}
	return o, nil
}

// Limit returns middleware that limits the handlers it wraps with limits,
// as one route of its own (Flask-Limiter's @limiter.limit on a view), for
// hand-written code and routers such as chi:
//
//	r.With(l.Limit("10 per minute")).Get("/search", search)
//
// Application and meta limits apply as well; default limits do not, unless
// RuleKeepDefaults is given. Limits are usually constants, so a malformed
// limit panics, as regexp.MustCompile does; use NewRule and Register to get
// an error instead.
func (l *Limiter) Limit(limits string, opts ...RuleOption) func(http.Handler) http.Handler {
	o, err := newRuleOptions(limits, opts)
	if err != nil {
		panic(err)
	}
	endpoint := o.endpoint
	if endpoint == "" {
		endpoint = "limit-" + strconv.FormatInt(l.handIDs.Add(1), 10)
	}
	g := &Group{Name: "limit", Routes: []Route{{Endpoint: endpoint, Rules: []Rule{o.rule}}}}
	added, err := l.register([]*Group{g})
	if err != nil {
		panic(err)
	}
	rs := added[0][0]
	rs.mounted.Store(true)
	return func(next http.Handler) http.Handler {
		return &limited{l: l, rs: rs, next: next}
	}
}
