package runtime

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// level is where a rule was declared.
type level uint8

const (
	levelRoute level = iota
	levelView
	levelGroup
	levelDefault
	levelApplication
	levelMeta
	levelFallback
)

var levelNames = [...]string{"route", "view", "group", "default", "application", "meta", "fallback"}

func (lv level) String() string { return levelNames[lv] }

// rule is a Rule bound to one route: scope and key function resolved.
type rule struct {
	lv      level
	r       Rule
	key     KeyFunc // nil: the limiter's
	scope   string  // counter scope without the method suffix
	shared  bool    // shared, application or meta: not preferred for headers
	methods []string
	// methodScopes caches scope+":"+METHOD for the common methods.
	methodScopes map[string]string
	// amounts are the decimal texts of r.Limits' amounts, for headers.
	amounts []string
	// bodies are the 429 bodies of r.Limits: the error message or the
	// limit's text.
	bodies []*body
}

// body returns the 429 body for lim, one of the rule's limits.
func (r *rule) body(lim Limit) *body {
	for i := range r.r.Limits {
		if r.r.Limits[i] == lim {
			return r.bodies[i]
		}
	}
	desc := r.r.ErrorMessage
	if desc == "" {
		desc = lim.String()
	}
	return newBody(desc)
}

// amountValue returns the decimal text of n as a header value, a shared
// cap-1 slice when n is the amount of one of the rule's limits.
func (r *rule) amountValue(n int64) []string {
	for i, lim := range r.r.Limits {
		if lim.Amount == n {
			return r.amounts[i : i+1 : i+1]
		}
	}
	return headerValue(n)
}

// entry is one limit of one rule, as a route evaluates it.
type entry struct {
	rule *rule
	// dynamic marks the one entry of a rule with LimitsFunc, which a
	// request expands into its limits (Limiter.dynamicEntries); limit,
	// text, window and gran are then unset.
	dynamic bool
	limit   Limit
	text    string // canonical "2 per 1 minute"
	window  time.Duration
	gran    time.Duration // unit length: the sort key, as Flask-Limiter sorts
	// onlyIfExempt marks a default limit that applies only when every
	// route-level rule skips the request's method (Flask-Limiter's
	// explicit_limits_exempt).
	onlyIfExempt bool
}

// routeState is a registered route, compiled.
type routeState struct {
	group    *Group // nil for routes the middleware found on a ServeMux
	route    Route
	name     string // qualify(group, endpoint): the scope of its own counters
	path     string // the pattern without its method, for introspection
	exempt   Exemption
	entries  []entry // default, application and route-level limits, sorted
	meta     []entry
	fallback []entry // replaces entries while on the fallback, if set
	// declared are the default rule (unless it applies only per request)
	// and the route, view and group rules, in declaration order, as
	// introspection lists them.
	declared []*rule
	// routeLevel counts the rules that are route, view or group rules.
	routeLevel int
	hasDyn     bool // some entries are onlyIfExempt
	hasDeduct  bool // some entries or fallback entries are deduct-when
	// cacheable: every key is the limiter's client key with a fixed scope,
	// so the storage keys of a client can be cached.
	cacheable bool
	// simple: cacheable, and every entry applies to every request of a
	// client with a constant cost (no methods, exempt-when, cost func,
	// deduct-when, per-request defaults or meta limits), so the storage
	// request itself is cached per client.
	simple  bool
	kc      atomic.Pointer[keyCache]
	mounted atomic.Bool
}

// registry is the set of registered routes, replaced as a whole on
// Register (copy on write) so requests read it without locks.
type registry struct {
	groups     []*Group
	routes     [][]*routeState        // per group, in the group's order
	byEndpoint map[string]*routeState // by qualified name, "group.endpoint"
	byPattern  map[string]*routeState
	matcher    *http.ServeMux // every Pattern, for routers other than ServeMux
}

// Register makes the routes of groups known to the limiter, for Middleware,
// Handler and introspection, without mounting them anywhere. It checks
// every route (non-empty endpoint, unique within its group; valid, unique
// pattern; valid limits and costs) and registers nothing if one is wrong.
// Groups may use the same endpoint names: a route's counters are scoped by
// "group.endpoint" (see Route.Endpoint), so two distinct groups with the
// same Name must not share an endpoint name. Handlers may be
// nil. Registering a group again is an error.
func (l *Limiter) Register(groups ...*Group) error {
	_, err := l.register(groups)
	return err
}

func (l *Limiter) register(groups []*Group) ([][]*routeState, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.reg.Load()
	next := &registry{
		groups:     slices.Clone(old.groups),
		routes:     slices.Clone(old.routes),
		byEndpoint: make(map[string]*routeState, len(old.byEndpoint)),
		byPattern:  make(map[string]*routeState, len(old.byPattern)),
	}
	for k, v := range old.byEndpoint {
		next.byEndpoint[k] = v
	}
	for k, v := range old.byPattern {
		next.byPattern[k] = v
	}
	var added [][]*routeState
	for _, g := range groups {
		if g == nil {
			return nil, errorf("Register: nil group")
		}
		if slices.Contains(next.groups, g) {
			return nil, errorf("Register: group %q registered twice", g.Name)
		}
		var states []*routeState
		for i := range g.Routes {
			rs, err := l.compile(g, &g.Routes[i])
			if err != nil {
				return nil, err
			}
			if prev := next.byEndpoint[rs.name]; prev != nil {
				if prev.group == g {
					return nil, errorf("Register: group %q has endpoint %q twice (endpoints name counters and must be unique within a group)", g.Name, rs.route.Endpoint)
				}
				return nil, errorf("Register: endpoint %q of group %q and endpoint %q of group %q are both counted under %q", rs.route.Endpoint, g.Name, prev.route.Endpoint, groupName(prev.group), rs.name)
			}
			next.byEndpoint[rs.name] = rs
			if p := rs.route.Pattern; p != "" {
				if prev := next.byPattern[p]; prev != nil {
					return nil, errorf("Register: pattern %q of endpoint %q is also the pattern of %q", p, rs.route.Endpoint, prev.route.Endpoint)
				}
				next.byPattern[p] = rs
			}
			states = append(states, rs)
		}
		next.groups = append(next.groups, g)
		next.routes = append(next.routes, states)
		added = append(added, states)
	}
	m, err := buildMatcher(next)
	if err != nil {
		return nil, err
	}
	next.matcher = m
	l.reg.Store(next)
	return added, nil
}

// qualify returns the name a route of g is known and counted under:
// "group.endpoint" (Flask-Limiter's "blueprint.endpoint"), or the endpoint
// alone when the group has no name or is the middleware's group of
// unregistered ServeMux patterns.
func qualify(g *Group, endpoint string) string {
	if g == nil || g.Name == "" || g == handGroup {
		return endpoint
	}
	return g.Name + "." + endpoint
}

// groupLabel is the name of the route's group as Breach reports it: ""
// for the middleware's unregistered ServeMux patterns.
func (rs *routeState) groupLabel() string {
	if rs.group == handGroup {
		return ""
	}
	return groupName(rs.group)
}

func groupName(g *Group) string {
	if g == nil {
		return ""
	}
	return g.Name
}

// buildMatcher registers every pattern on a fresh ServeMux, turning its
// panics on malformed or conflicting patterns into errors.
func buildMatcher(reg *registry) (m *http.ServeMux, err error) {
	m = http.NewServeMux()
	var current string
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, errorf("Register: pattern %q: %v", current, p)
		}
	}()
	for _, states := range reg.routes {
		for _, rs := range states {
			if rs.route.Pattern == "" {
				continue
			}
			current = rs.route.Pattern
			m.Handle(current, http.NotFoundHandler())
		}
	}
	return m, nil
}

// compile resolves a route's rules into its entries, following
// Flask-Limiter's resolution: the route's own rules; the view's rules if the
// route has none or all of its rules keep defaults; the group's rules on
// the same condition; the default limits if no route-level rule remains or
// all keep defaults (or, per request, when every route-level rule skips the
// method); the application limits; exemptions remove levels.
func (l *Limiter) compile(g *Group, rt *Route) (*routeState, error) {
	if rt.Endpoint == "" {
		return nil, errorf("Register: group %q: route with pattern %q has no endpoint", g.Name, rt.Pattern)
	}
	name := qualify(g, rt.Endpoint)
	rs := &routeState{group: g, route: *rt, name: name, exempt: rt.Exempt | g.Exempt, path: patternPath(rt.Pattern)}
	var routeRules []*rule
	keeps := func(rules []*rule) bool {
		for _, r := range rules {
			if !r.r.KeepDefaults {
				return false
			}
		}
		return true
	}
	if rs.exempt&ExemptRoute == 0 {
		for _, src := range []struct {
			lv    level
			rules []Rule
			base  string
		}{
			{levelRoute, rt.Rules, name},
			{levelView, rt.ViewRules, qualify(g, viewScope(rt))},
			{levelGroup, g.Rules, name},
		} {
			if len(routeRules) > 0 && !keeps(routeRules) {
				break
			}
			for i := range src.rules {
				r, err := bindRule(src.lv, &src.rules[i], src.base, name)
				if err != nil {
					return nil, err
				}
				routeRules = append(routeRules, r)
			}
		}
	}
	rs.routeLevel = len(routeRules)
	var all []entry
	add := func(r *rule, onlyIfExempt bool) {
		if r.r.LimitsFunc != nil {
			all = append(all, entry{rule: r, dynamic: true, onlyIfExempt: onlyIfExempt})
		}
		for _, lim := range r.r.Limits {
			all = append(all, entry{rule: r, limit: lim, text: lim.String(), window: lim.Window(), gran: lim.Unit.Duration(), onlyIfExempt: onlyIfExempt})
		}
	}
	if l.application != nil && rs.exempt&ExemptApplication == 0 {
		r, err := bindRule(levelApplication, &l.application.rule, "global", name)
		if err != nil {
			return nil, err
		}
		r.shared = true
		r.scope = "global"
		add(r, false)
	}
	if l.defaults != nil && rs.exempt&ExemptDefault == 0 {
		r, err := bindRule(levelDefault, &l.defaults.rule, name, name)
		if err != nil {
			return nil, err
		}
		switch {
		case len(routeRules) == 0 || keeps(routeRules):
			add(r, false)
			rs.declared = append(rs.declared, r)
		default:
			add(r, true)
			rs.hasDyn = true
		}
	}
	for _, r := range routeRules {
		add(r, false)
	}
	rs.declared = append(rs.declared, routeRules...)
	// Flask-Limiter sorts by the unit's length only, stably.
	slices.SortStableFunc(all, func(a, b entry) int { return cmpDur(a.gran, b.gran) })
	rs.entries = all
	if l.meta != nil && rs.exempt&ExemptMeta == 0 {
		r, err := bindRule(levelMeta, &l.meta.rule, "meta", name)
		if err != nil {
			return nil, err
		}
		r.shared = true
		r.scope = "meta"
		for _, lim := range r.r.Limits {
			rs.meta = append(rs.meta, entry{rule: r, limit: lim, text: lim.String(), window: lim.Window(), gran: lim.Unit.Duration()})
		}
	}
	if l.fallbackSet != nil {
		r, err := bindRule(levelFallback, &l.fallbackSet.rule, name, name)
		if err != nil {
			return nil, err
		}
		for _, lim := range r.r.Limits {
			rs.fallback = append(rs.fallback, entry{rule: r, limit: lim, text: lim.String(), window: lim.Window(), gran: lim.Unit.Duration()})
		}
		slices.SortStableFunc(rs.fallback, func(a, b entry) int { return cmpDur(a.gran, b.gran) })
	}
	for _, set := range [][]entry{rs.entries, rs.fallback} {
		for _, e := range set {
			if e.rule.r.DeductWhen != nil {
				rs.hasDeduct = true
			}
		}
	}
	rs.cacheable = true
	for _, set := range [][]entry{rs.entries, rs.meta} {
		for _, e := range set {
			if e.rule.key != nil || e.rule.r.PerMethod || e.rule.r.ScopeFunc != nil || e.dynamic {
				rs.cacheable = false
			}
		}
	}
	rs.simple = rs.cacheable && !rs.hasDyn && len(rs.meta) == 0 && len(rs.entries) > 0
	for _, e := range rs.entries {
		r := &e.rule.r
		if len(r.Methods) > 0 || r.ExemptWhen != nil || r.CostFunc != nil || r.DeductWhen != nil {
			rs.simple = false
		}
	}
	return rs, nil
}

func cmpDur(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// viewScope is the counter scope of a view's rules: the view's name, so
// that every method of the view shares them.
func viewScope(rt *Route) string {
	if rt.View != "" {
		return rt.View
	}
	return rt.Endpoint
}

// bindRule checks a Rule and resolves its scope for one route. base is the
// counter scope of a rule without Shared or Scope.
func bindRule(lv level, src *Rule, base, endpoint string) (*rule, error) {
	r := &rule{lv: lv, r: *src, key: src.Key}
	switch {
	case len(src.Limits) == 0 && src.LimitsFunc == nil:
		return nil, errorf("Register: endpoint %q: %s rule without limits", endpoint, lv)
	case len(src.Limits) > 0 && src.LimitsFunc != nil:
		return nil, errorf("Register: endpoint %q: %s rule with both Limits and LimitsFunc", endpoint, lv)
	}
	for _, lim := range src.Limits {
		r.amounts = append(r.amounts, strconv.FormatInt(lim.Amount, 10))
		desc := src.ErrorMessage
		if desc == "" {
			desc = lim.String()
		}
		r.bodies = append(r.bodies, newBody(desc))
		if lim.Multiple < 1 || lim.Unit.Duration() == 0 || lim.Amount < 0 || lim.Window() <= 0 {
			return nil, errorf("Register: endpoint %q: invalid limit %+v", endpoint, lim)
		}
	}
	if src.Cost < 0 {
		return nil, errorf("Register: endpoint %q: negative cost %d", endpoint, src.Cost)
	}
	switch {
	case src.Shared != "":
		r.scope, r.shared = src.Shared, true
	case src.Scope != "":
		r.scope = base + ":" + src.Scope
	default:
		r.scope = base
	}
	for _, m := range src.Methods {
		r.methods = append(r.methods, strings.ToUpper(strings.TrimSpace(m)))
	}
	if src.PerMethod {
		r.methodScopes = make(map[string]string, len(commonMethods))
		for _, m := range commonMethods {
			r.methodScopes[m] = r.scope + ":" + m
		}
	}
	return r, nil
}

var commonMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// appliesTo reports whether the rule limits requests with this method.
func (r *rule) appliesTo(method string) bool {
	if len(r.methods) == 0 {
		return true
	}
	for _, m := range r.methods {
		if m == method {
			return true
		}
	}
	return false
}

// scopeFor returns the counter scope for a request method.
func (r *rule) scopeFor(method string) string {
	if !r.r.PerMethod {
		return r.scope
	}
	if s, ok := r.methodScopes[method]; ok {
		return s
	}
	return r.scope + ":" + method
}

// patternPath strips the method from a ServeMux pattern: "GET /slow" ->
// "/slow".
func patternPath(p string) string {
	if i := strings.IndexAny(p, " \t"); i >= 0 {
		return strings.TrimLeft(p[i:], " \t")
	}
	return p
}

// patternMethod returns the method of a ServeMux pattern, or "".
func patternMethod(p string) string {
	if i := strings.IndexAny(p, " \t"); i >= 0 {
		return p[:i]
	}
	return ""
}

// Mount registers groups (as Register does) and then every route that has
// a Pattern and a Handler on mux, wrapped so that the limiter decides each
// request before the handler runs. On error nothing is registered or
// mounted.
func (l *Limiter) Mount(mux Mux, groups ...*Group) error {
	if mux == nil {
		return errorf("Mount: nil mux")
	}
	added, err := l.register(groups)
	if err != nil {
		return err
	}
	for _, states := range added {
		for _, rs := range states {
			if rs.route.Pattern == "" || rs.route.Handler == nil {
				continue
			}
			rs.mounted.Store(true)
			mux.Handle(rs.route.Pattern, &limited{l: l, rs: rs, next: rs.route.Handler})
		}
	}
	return nil
}

// Handler returns the limited handler of the route named endpoint in g, for
// routers that are not a Mux. It registers g first if it is not registered
// yet. It panics if g has no such endpoint or cannot be registered:
// generated code only asks for endpoints it declared.
func (l *Limiter) Handler(g *Group, endpoint string) http.Handler {
	reg := l.reg.Load()
	if !slices.Contains(reg.groups, g) {
		if _, err := l.register([]*Group{g}); err != nil && !slices.Contains(l.reg.Load().groups, g) {
			panic(err)
		}
		reg = l.reg.Load()
	}
	rs := reg.byEndpoint[qualify(g, endpoint)]
	if rs == nil || rs.group != g {
		panic(fmt.Sprintf("runtime: Handler: group %q has no endpoint %q", groupName(g), endpoint))
	}
	next := rs.route.Handler
	if next == nil {
		next = http.NotFoundHandler()
	}
	rs.mounted.Store(true)
	return &limited{l: l, rs: rs, next: next}
}

// limited is a route's handler wrapped by the limiter.
type limited struct {
	l    *Limiter
	rs   *routeState
	next http.Handler
}

func (h *limited) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.l.serve(h.rs, h.next, w, r)
}
