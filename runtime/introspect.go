package runtime

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// TreeFilter selects what WriteLimits prints and Inspect reports, as the
// options of `flask limiter limits` do. The zero value selects everything.
type TreeFilter struct {
	// Endpoint selects one route by its qualified name ("blog.index") or
	// by its endpoint name alone ("index") when only one group has it; an
	// endpoint name several groups share is an error naming them.
	Endpoint string
	// Path selects the route a request for this path would reach.
	Path string
	// Method is the request method for Path and for per-method limits;
	// "" means GET.
	Method string
	// Key, if set, makes WriteLimits print each limit's live state for
	// this client key: ": Pass (1 out of 2 remaining)".
	Key string
}

// LimitState is one limit's live state for a client key.
type LimitState struct {
	// Group and Endpoint name the route; both are "" for application limits.
	Group, Endpoint string
	// Method is set for per-method limits.
	Method string
	// Limit is the limit.
	Limit Limit
	// Level is where it was declared ("route", "default", …).
	Level string
	// Pass reports whether a request of cost 1 would be admitted now.
	Pass bool
	// Remaining is the number of hits left in the current window.
	Remaining int64
	// Reset is when the limit next frees capacity.
	Reset time.Time
}

// treeRoute is a route as introspection lists it.
type treeRoute struct {
	rs      *routeState
	limits  []entry
	methods []string
}

// selected returns the routes the filter selects, per group, sorted by
// path as Flask-Limiter sorts rules; unknown endpoints and paths are
// errors.
func (l *Limiter) selected(f TreeFilter) ([]*Group, [][]treeRoute, error) {
	reg := l.reg.Load()
	var only *routeState
	switch {
	case f.Endpoint != "":
		var err error
		if only, err = reg.endpoint(f.Endpoint); err != nil {
			return nil, nil, err
		}
	case f.Path != "":
		method := f.Method
		if method == "" {
			method = http.MethodGet
		}
		u, err := url.Parse(f.Path)
		if err != nil {
			return nil, nil, errorf("path %q: %v", f.Path, err)
		}
		req := &http.Request{Method: strings.ToUpper(method), URL: u, Host: u.Host, Header: http.Header{}}
		_, pattern := reg.matcher.Handler(req)
		only = reg.byPattern[pattern]
		if only == nil {
			return nil, nil, errorf("%s %s could not be matched to an endpoint", strings.ToUpper(method), f.Path)
		}
	}
	var groups []*Group
	var routes [][]treeRoute
	for gi, g := range reg.groups {
		var list []treeRoute
		for _, rs := range reg.routes[gi] {
			if only != nil && rs != only {
				continue
			}
			list = append(list, treeRoute{rs: rs, limits: listed(rs)})
		}
		if len(list) == 0 {
			continue
		}
		slices.SortStableFunc(list, func(a, b treeRoute) int { return strings.Compare(a.rs.path, b.rs.path) })
		groups = append(groups, g)
		routes = append(routes, list)
	}
	return groups, routes, nil
}

// endpoint finds a route by its qualified name ("blog.index") or, when
// only one group has it, by its bare endpoint name ("index").
func (reg *registry) endpoint(name string) (*routeState, error) {
	if rs := reg.byEndpoint[name]; rs != nil {
		return rs, nil
	}
	var found *routeState
	var groups []string
	for gi, g := range reg.groups {
		for _, rs := range reg.routes[gi] {
			if rs.route.Endpoint == name {
				found = rs
				groups = append(groups, strconv.Quote(g.Name))
			}
		}
	}
	switch len(groups) {
	case 0:
		return nil, errorf("endpoint %q not found", name)
	case 1:
		return found, nil
	}
	return nil, errorf("endpoint %q is in groups %s; name it as group.endpoint", name, strings.Join(groups, ", "))
}

// listed returns a route's limits in declaration order, defaults first,
// without application limits (printed apart) and meta limits.
func listed(rs *routeState) []entry {
	var out []entry
	for _, r := range rs.declared {
		if r.r.LimitsFunc != nil {
			out = append(out, entry{rule: r, dynamic: true, text: "dynamic limits"})
		}
		for _, lim := range r.r.Limits {
			out = append(out, entry{rule: r, limit: lim, text: lim.String(), window: lim.Window(), gran: lim.Unit.Duration()})
		}
	}
	return out
}

// WriteLimits prints the limiter's routes and limits as a tree, in the
// layout of Flask-Limiter's `flask limiter limits`: application limits
// first, then one tree per group named after it, one node per route
// ("endpoint: /path", or "endpoint" alone for a route without a pattern,
// sorted by path) with its limits ("2 per 1 minute",
// "Exempt"). With f.Key set it appends each limit's live state. Routes need
// no handlers, so a tree of statically parsed groups prints too.
func (l *Limiter) WriteLimits(w io.Writer, f TreeFilter) error {
	return l.WriteLimitsContext(context.Background(), w, f)
}

// WriteLimitsContext is WriteLimits with a context for the storage calls
// that f.Key needs.
func (l *Limiter) WriteLimitsContext(ctx context.Context, w io.Writer, f TreeFilter) error {
	groups, routes, err := l.selected(f)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	method := strings.ToUpper(f.Method)
	if method == "" {
		method = http.MethodGet
	}
	state := func(rs *routeState, e *entry, m string) string {
		if f.Key == "" || e.dynamic {
			return "" // a dynamic rule's limits are known only per request
		}
		st, err := l.state(ctx, f.Key, rs, e, m)
		if err != nil {
			return ": Storage not available"
		}
		verdict := "Pass"
		if !st.Pass {
			verdict = "Fail"
		}
		return ": " + verdict + " (" + strconv.FormatInt(st.Remaining, 10) + " out of " + strconv.FormatInt(st.Limit.Amount, 10) + " remaining)"
	}
	if l.application != nil && f.Endpoint == "" && f.Path == "" {
		bw.WriteString("Application Limits\n")
		r, _ := bindRule(levelApplication, &l.application.rule, "global", "")
		r.scope, r.shared = "global", true
		for i, lim := range r.r.Limits {
			e := entry{rule: r, limit: lim, text: lim.String(), window: lim.Window()}
			writeNode(bw, "", i == len(r.r.Limits)-1, renderLimit(&e)+state(nil, &e, method))
		}
	}
	for gi, g := range groups {
		bw.WriteString(g.Name + "\n")
		for ri, tr := range routes[gi] {
			lastRoute := ri == len(routes[gi])-1
			node := tr.rs.route.Endpoint
			if tr.rs.path != "" {
				node += ": " + tr.rs.path
			}
			writeNode(bw, "", lastRoute, node)
			indent := "│   "
			if lastRoute {
				indent = "    "
			}
			var lines []string
			for i := range tr.limits {
				e := &tr.limits[i]
				if e.rule.r.PerMethod {
					for _, m := range routeMethods(tr.rs) {
						lines = append(lines, renderLimit(e)+" ("+m+")"+state(tr.rs, e, m))
					}
					continue
				}
				lines = append(lines, renderLimit(e)+state(tr.rs, e, method))
			}
			if len(lines) == 0 && tr.rs.exempt != 0 {
				lines = append(lines, "Exempt")
			}
			for i, line := range lines {
				writeNode(bw, indent, i == len(lines)-1, line)
			}
		}
	}
	return bw.Flush()
}

func writeNode(w *bufio.Writer, indent string, last bool, text string) {
	w.WriteString(indent)
	if last {
		w.WriteString("└── ")
	} else {
		w.WriteString("├── ")
	}
	w.WriteString(text)
	w.WriteByte('\n')
}

// renderLimit prints a limit with its deduct_when/exempt_when options, as
// Flask-Limiter does: "2 per 1 minute {deduct_when: pkg.fn()}".
func renderLimit(e *entry) string {
	s := e.text
	var opts []string
	if e.rule.r.DeductWhen != nil {
		opts = append(opts, "deduct_when: "+funcName(e.rule.r.DeductWhen)+"()")
	}
	if e.rule.r.ExemptWhen != nil {
		opts = append(opts, "exempt_when: "+funcName(e.rule.r.ExemptWhen)+"()")
	}
	if len(opts) > 0 {
		s += " {" + strings.Join(opts, ", ") + "}"
	}
	return s
}

func funcName(f any) string {
	if fn := goruntime.FuncForPC(reflect.ValueOf(f).Pointer()); fn != nil {
		return fn.Name()
	}
	return "func"
}

// routeMethods are the methods a per-method limit is listed (and cleared)
// for: the pattern's method, or the common ones.
func routeMethods(rs *routeState) []string {
	if m := patternMethod(rs.route.Pattern); m != "" {
		if m == http.MethodGet {
			return []string{http.MethodGet, http.MethodHead}
		}
		return []string{m}
	}
	return commonMethods
}

// state tests one limit for key without charging it.
func (l *Limiter) state(ctx context.Context, key string, rs *routeState, e *entry, method string) (LimitState, error) {
	st := LimitState{Limit: e.limit, Level: e.rule.lv.String()}
	if rs != nil {
		st.Group, st.Endpoint = groupName(rs.group), rs.route.Endpoint
	}
	if e.rule.r.PerMethod {
		st.Method = method
	}
	req := backends.Request{Strategy: l.strategy, Now: l.clock(), Limits: []backends.Limit{{
		Key: backends.Key(l.prefix, key, e.rule.scopeFor(method), e.text), Amount: e.limit.Amount, Window: e.window, Cost: 1,
	}}}
	var res [1]backends.Result
	store, _ := l.storage(ctx, req.Now)
	ok, err := store.Test(ctx, &req, res[:])
	if err != nil {
		return st, err
	}
	st.Pass, st.Remaining, st.Reset = ok, res[0].Remaining, res[0].Reset
	return st, nil
}

// Inspect reports the live state of every limit the filter selects for the
// client key: application limits (unless an endpoint or path is
// selected), then each route's limits in tree order. It charges nothing.
func (l *Limiter) Inspect(ctx context.Context, key string, f TreeFilter) ([]LimitState, error) {
	groups, routes, err := l.selected(f)
	if err != nil {
		return nil, err
	}
	method := strings.ToUpper(f.Method)
	if method == "" {
		method = http.MethodGet
	}
	var out []LimitState
	if l.application != nil && f.Endpoint == "" && f.Path == "" {
		r, _ := bindRule(levelApplication, &l.application.rule, "global", "")
		r.scope, r.shared = "global", true
		for _, lim := range r.r.Limits {
			st, err := l.state(ctx, key, nil, &entry{rule: r, limit: lim, text: lim.String(), window: lim.Window()}, method)
			if err != nil {
				return nil, err
			}
			out = append(out, st)
		}
	}
	for gi := range groups {
		for _, tr := range routes[gi] {
			for i := range tr.limits {
				e := &tr.limits[i]
				if e.dynamic {
					continue // its limits are known only per request
				}
				ms := []string{method}
				if e.rule.r.PerMethod && f.Method == "" {
					ms = routeMethods(tr.rs)
				}
				for _, m := range ms {
					st, err := l.state(ctx, key, tr.rs, e, m)
					if err != nil {
						return nil, err
					}
					out = append(out, st)
				}
			}
		}
	}
	return out, nil
}

// Clear removes every counter of the client key: application, default,
// route, shared, meta and fallback limits of every registered route (and of
// the patterns the middleware found), for every method of per-method
// limits, on the storage and on the in-memory fallback.
func (l *Limiter) Clear(ctx context.Context, key string) error {
	return l.ClearLimits(ctx, key, TreeFilter{})
}

// ClearLimits is Clear narrowed by the filter's Endpoint or Path (and
// Method): it removes the client key's counters of the limits that route
// applies (its own, view and group limits, the defaults and application
// limits it is subject to, and the fallback limits), for the filter's
// method, or every method when Method is "", of per-method limits. A shared
// limit is cleared for every route that shares it. Without Endpoint or
// Path it is Clear. Filter.Key is ignored.
func (l *Limiter) ClearLimits(ctx context.Context, key string, f TreeFilter) error {
	var states []*routeState
	if f.Endpoint == "" && f.Path == "" {
		reg := l.reg.Load()
		for _, list := range reg.routes {
			states = append(states, list...)
		}
		l.dynamic.Range(func(_, v any) bool {
			states = append(states, v.(*routeState))
			return true
		})
	} else {
		_, routes, err := l.selected(f)
		if err != nil {
			return err
		}
		for _, list := range routes {
			for _, tr := range list {
				states = append(states, tr.rs)
			}
		}
	}
	methods := commonMethods
	if f.Method != "" && (f.Endpoint != "" || f.Path != "") {
		methods = []string{strings.ToUpper(f.Method)}
	}
	seen := map[string]bool{}
	var keys []string
	addKey := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, rs := range states {
		sets := [][]entry{rs.entries, rs.fallback}
		if f.Endpoint == "" && f.Path == "" {
			sets = append(sets, rs.meta) // a client's meta limits belong to no one route
		}
		for _, set := range sets {
			for _, e := range set {
				if e.dynamic {
					continue // its limits are known only per request
				}
				if e.rule.r.PerMethod {
					for _, m := range methods {
						addKey(backends.Key(l.prefix, key, e.rule.scopeFor(m), e.text))
					}
					continue
				}
				addKey(backends.Key(l.prefix, key, e.rule.scope, e.text))
			}
		}
	}
	var errs []error
	for _, st := range []backends.Storage{l.store, l.fallback} {
		if st == nil {
			continue
		}
		for _, k := range keys {
			if err := st.Clear(ctx, k); err != nil {
				errs = append(errs, err)
				break
			}
		}
	}
	return errors.Join(errs...)
}

// ErrCannotReset is returned by Reset when the storage has no way to drop
// its counters at once (it does not implement backends.Resetter).
var ErrCannotReset = errors.New("runtime: the storage cannot reset (it does not implement backends.Resetter)")

// Reset removes every counter of this limiter, of every client and route,
// from the storage and from the in-memory fallback: every key under the
// limiter's key prefix (Flask-Limiter's limiter.reset()). Counters of other
// limiters sharing the storage under other prefixes stay. It returns
// ErrCannotReset if the storage does not support it (the fallback is
// reset all the same).
func (l *Limiter) Reset(ctx context.Context) error {
	var errs []error
	for _, st := range []backends.Storage{l.store, l.fallback} {
		if st == nil {
			continue
		}
		r, ok := st.(backends.Resetter)
		if !ok {
			errs = append(errs, ErrCannotReset)
			continue
		}
		if _, err := r.Reset(ctx, l.prefix); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
