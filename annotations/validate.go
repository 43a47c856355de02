package annotations

import (
	"go/token"
	"go/types"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/limitgen/limitgen/runtime"
)

// exemptFlags maps //limit:exempt flags to runtime exemptions.
var exemptFlags = map[string]runtime.Exemption{
	"default":     runtime.ExemptDefault,
	"application": runtime.ExemptApplication,
	"meta":        runtime.ExemptMeta,
	"route":       runtime.ExemptRoute,
}

var exemptFlagNames = []string{"default", "application", "meta", "route"}

// Validate checks the meaning of the targets of one package (all its files'
// ParseFile results together) and builds the model the generator emits.
// It reports every problem at once, in the order found (SortDiagnostics
// orders them): limit strings that do not parse (pointing into the string
// at the offending limit), unknown options with suggestions, malformed
// option values, option funcs that do not exist or have the wrong
// signature, exempt mixed with limits, unknown exempt flags, malformed or
// duplicate route patterns, routes on non-handlers, several routes or
// exempts on one declaration, a shared limit declared with different limits.
//
// pkg is the type-checked package; with a nil pkg the checks that need
// types (funcs named by options, handler signatures, view methods) are
// skipped, every annotated func or method is taken to be a handler,
// every annotated type a view of its annotated methods, and a name given to
// cost= a CostFunc.
// The returned Package is never nil; with diagnostics it may be partial.
// Validate does not modify targets.
func Validate(pkg *types.Package, targets []*Target) (*Package, []Diagnostic) {
	v := &validator{pkg: pkg}
	out := &Package{}
	if pkg != nil {
		out.Name, out.Path = pkg.Name(), pkg.Path()
	}
	var funcs []*summary
	typesByName := map[string]*summary{}
	var typeOrder []string
	methods := map[string][]*summary{}
	for _, t := range targets {
		s := v.summarize(t)
		switch t.Kind {
		case PackageTarget:
			if out.Name == "" {
				out.Name = t.Name
			}
			out.Rules = append(out.Rules, s.rules...)
			if s.exemptPos.IsValid() {
				if out.ExemptPos.IsValid() {
					v.errorf(s.exemptPos, s.exemptPos, "package %s is already exempt by another file's //limit:exempt", t.Name)
				} else {
					out.Exempt, out.ExemptPos = s.exempt, s.exemptPos
				}
			}
			if s.route != nil {
				v.errorf(s.route.Pos, s.route.End, "//limit:route on the package clause; put it on a handler func, method or type")
			}
		case FuncTarget:
			funcs = append(funcs, s)
		case MethodTarget:
			methods[t.Recv] = append(methods[t.Recv], s)
		case TypeTarget:
			typesByName[t.Name] = s
			typeOrder = append(typeOrder, t.Name)
		}
	}

	for _, s := range funcs {
		if r := v.funcRoute(s); r != nil {
			out.Routes = append(out.Routes, r)
		}
	}
	done := map[string]bool{} // receivers whose methods are handled
	for _, name := range typeOrder {
		out.Routes = append(out.Routes, v.typeRoutes(typesByName[name], methods[name])...)
		done[name] = true
	}
	recvs := make([]string, 0, len(methods))
	for recv := range methods {
		if !done[recv] {
			recvs = append(recvs, recv)
		}
	}
	slices.Sort(recvs)
	for _, recv := range recvs {
		out.Routes = append(out.Routes, v.typeRoutes(nil, methods[recv])...)
	}
	v.checkPatterns(out.Routes)
	v.checkMethods(out.Routes)
	v.checkShared(out)
	slices.SortFunc(out.Routes, func(a, b *Route) int { return strings.Compare(a.Endpoint, b.Endpoint) })
	return out, v.diags
}

// summary is one target's annotations, validated one by one.
type summary struct {
	t         *Target
	rules     []Rule
	exempt    runtime.Exemption
	exemptPos token.Pos
	exemptEnd token.Pos
	route     *Annotation
	pattern   parsedPattern
	patternOK bool
}

// own reports whether the target declares rules or an exemption itself.
func (s *summary) own() bool { return len(s.rules) > 0 || s.exemptPos.IsValid() }

func (v *validator) summarize(t *Target) *summary {
	s := &summary{t: t}
	var firstLimits *Annotation
	for _, a := range t.Annotations {
		switch a.Kind {
		case LimitsAnnotation, SharedAnnotation:
			if firstLimits == nil {
				firstLimits = a
			}
			if r, ok := v.rule(a); ok {
				s.rules = append(s.rules, r)
			}
		case ExemptAnnotation:
			if s.exemptPos.IsValid() {
				v.errorf(a.Pos, a.End, "second //limit:exempt on %s; write its flags on one line", targetName(t))
				continue
			}
			s.exempt, s.exemptPos, s.exemptEnd = v.exemption(a), a.Pos, a.End
		case RouteAnnotation:
			if s.route != nil {
				v.errorf(a.Pos, a.End, "second //limit:route on %s (it already has %q); one handler has one pattern", targetName(t), s.route.Pattern)
				continue
			}
			s.route = a
			p, perr := parsePattern(a.Pattern)
			if perr != nil {
				pos := a.PatternPos + token.Pos(perr.off)
				v.errorf(pos, a.PatternPos+token.Pos(len(a.Pattern)), "invalid route pattern %q: %s", a.Pattern, perr.msg)
				continue
			}
			s.pattern, s.patternOK = p, true
		}
	}
	if firstLimits != nil && s.exempt&runtime.ExemptRoute != 0 {
		v.errorf(s.exemptPos, s.exemptEnd, "//limit:exempt together with limits on %s: an exempt handler has no limits of its own; drop one, or write //limit:exempt default to skip only the default limits", targetName(t))
	}
	return s
}

// exemption parses //limit:exempt flags.
func (v *validator) exemption(a *Annotation) runtime.Exemption {
	if len(a.Flags) == 0 {
		return runtime.ExemptAll
	}
	var e runtime.Exemption
	for _, f := range a.Flags {
		bit, ok := exemptFlags[f.Name]
		if !ok {
			v.errorf(f.Pos, f.Pos+token.Pos(len(f.Name)), "unknown exempt flag %q%s; flags are default, application, meta, route", f.Name, didYouMean(strings.ToLower(f.Name), exemptFlagNames))
			if s := suggest(strings.ToLower(f.Name), exemptFlagNames); s != "" {
				withFix(v.diags, f.Pos, f.Pos+token.Pos(len(f.Name)), s, "Replace "+strconv.Quote(f.Name)+" with "+strconv.Quote(s))
			}
			continue
		}
		if e&bit != 0 {
			v.errorf(f.Pos, f.Pos+token.Pos(len(f.Name)), "exempt flag %q given twice", f.Name)
		}
		e |= bit
	}
	if e == 0 {
		// Every flag was wrong; keep the route exempt from something so
		// no limits-mixed error piles onto the flag errors.
		return runtime.ExemptDefault
	}
	return e
}

func targetName(t *Target) string {
	switch t.Kind {
	case PackageTarget:
		return "package " + t.Name
	case MethodTarget:
		return "method " + t.Recv + "." + t.Name
	}
	return t.Kind.String() + " " + t.Name
}

// newRoute makes a route from a summary's own annotations.
func newRoute(s *summary, endpoint string) *Route {
	r := &Route{Endpoint: endpoint, Pos: s.t.Pos, Rules: s.rules, Exempt: s.exempt, ExemptPos: s.exemptPos}
	if s.route != nil && s.patternOK {
		r.Pattern, r.PatternPos = s.pattern.canonical, s.route.PatternPos
		r.Method, r.Host, r.Path = s.pattern.method, s.pattern.host, s.pattern.path
	}
	return r
}

// funcRoute checks that a func target is a handler and makes its route.
func (v *validator) funcRoute(s *summary) *Route {
	t := s.t
	if v.pkg != nil {
		fn, _ := v.pkg.Scope().Lookup(t.Name).(*types.Func)
		if fn == nil {
			// init and _ funcs are not in the package scope.
			v.errorf(t.Pos, t.Pos+token.Pos(len(t.Name)), "func %s cannot be referenced, so it cannot be a handler; annotate a named handler func", t.Name)
			return nil
		}
		if sig := fn.Type().(*types.Signature); !isHandlerFunc(sig) {
			v.notHandler(s, "func "+t.Name+" has type "+types.TypeString(sig, qualifier(v.pkg)))
			return nil
		}
	}
	r := newRoute(s, t.Name)
	r.Kind, r.Func = FuncHandler, t.Name
	return r
}

// notHandler reports annotations on a declaration that is not a handler.
func (v *validator) notHandler(s *summary, what string) {
	if s.route != nil {
		v.errorf(s.route.Pos, s.route.End, "//limit:route on %s, which is not an HTTP handler: %s, want %s or a type implementing http.Handler", targetName(s.t), what, handlerShape.text)
		return
	}
	v.errorf(s.t.Pos, s.t.Pos+token.Pos(len(s.t.Name)), "%s has //limit: annotations but is not an HTTP handler: %s, want %s", targetName(s.t), what, handlerShape.text)
}

// typeRoutes makes the routes of a type: the type itself if it implements
// http.Handler, else its handler methods (a view). ts is the type's own
// summary (nil if the type is not annotated); ms are its annotated methods.
func (v *validator) typeRoutes(ts *summary, ms []*summary) []*Route {
	recv := ""
	if ts != nil {
		recv = ts.t.Name
	} else {
		recv = ms[0].t.Recv
	}
	byName := map[string]*summary{}
	for _, m := range ms {
		byName[m.t.Name] = m
	}
	var named *types.Named
	if v.pkg != nil {
		tn, _ := v.pkg.Scope().Lookup(recv).(*types.TypeName)
		if tn != nil {
			named, _ = types.Unalias(tn.Type()).(*types.Named)
		}
		if named == nil {
			return nil // the type checker reports it
		}
		if named.TypeParams().Len() > 0 {
			var pos token.Pos
			if ts != nil {
				pos = ts.t.Pos
			} else {
				pos = ms[0].t.Pos
			}
			v.errorf(pos, pos+token.Pos(len(recv)), "generic type %s cannot be a handler or a view: generated code cannot name its methods without type arguments", recv)
			return nil
		}
	}
	var routes []*Route
	// A type implementing http.Handler is itself the handler.
	if ts != nil && named != nil {
		if ptr, ok := implementsHandler(named); ok {
			r := newRoute(ts, recv)
			r.Kind, r.Recv, r.PtrRecv = TypeHandler, recv, ptr
			routes = append(routes, r)
			for _, m := range ms {
				routes = append(routes, v.methodRoute(nil, m, named))
			}
			return compact(routes)
		}
	}
	if ts != nil && ts.route != nil {
		v.errorf(ts.route.Pos, ts.route.End, "//limit:route on type %s, which does not implement http.Handler; put //limit:route on each handler method of the view", recv)
	}
	// A view: every handler method (all of them if the type is annotated,
	// else the annotated ones).
	var names []string
	if named != nil && ts != nil {
		for i := range named.NumMethods() {
			if sig := named.Method(i).Type().(*types.Signature); isHandlerFunc(sig) {
				names = append(names, named.Method(i).Name())
			}
		}
		if len(names) == 0 && len(ms) == 0 && ts.own() {
			v.errorf(ts.t.Pos, ts.t.Pos+token.Pos(len(recv)), "type %s has //limit: annotations but neither implements http.Handler nor has handler methods (%s)", recv, handlerShape.text)
		}
	}
	for _, m := range ms {
		if !slices.Contains(names, m.t.Name) {
			names = append(names, m.t.Name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		m := byName[name]
		if m == nil {
			m = &summary{t: &Target{Kind: MethodTarget, Name: name, Recv: recv}}
			if named != nil {
				for i := range named.NumMethods() {
					if fn := named.Method(i); fn.Name() == name {
						m.t.Pos = fn.Pos()
						_, m.t.PtrRecv = fn.Type().(*types.Signature).Recv().Type().(*types.Pointer)
					}
				}
			}
		}
		routes = append(routes, v.methodRoute(ts, m, named))
	}
	return compact(routes)
}

// methodRoute makes the route of a handler method, with its view's rules.
func (v *validator) methodRoute(view *summary, m *summary, named *types.Named) *Route {
	t := m.t
	if named != nil {
		var fn *types.Func
		for i := range named.NumMethods() {
			if named.Method(i).Name() == t.Name {
				fn = named.Method(i)
			}
		}
		if fn == nil {
			return nil
		}
		if sig := fn.Type().(*types.Signature); !isHandlerFunc(sig) {
			v.notHandler(m, "its type is "+types.TypeString(types.NewSignatureType(nil, nil, nil, sig.Params(), sig.Results(), sig.Variadic()), qualifier(v.pkg)))
			return nil
		}
	}
	r := newRoute(m, t.Recv+"."+t.Name)
	r.Kind, r.Func, r.Recv, r.PtrRecv, r.View = MethodHandler, t.Name, t.Recv, t.PtrRecv, t.Recv
	if view != nil {
		r.ViewRules = view.rules
		if !m.own() {
			r.Exempt, r.ExemptPos = view.exempt, view.exemptPos
		}
	}
	return r
}

// implementsHandler reports whether T or *T implements http.Handler, and
// whether only *T does.
func implementsHandler(named *types.Named) (ptr, ok bool) {
	has := func(t types.Type) bool {
		sel := types.NewMethodSet(t).Lookup(nil, "ServeHTTP")
		if sel == nil {
			return false
		}
		return isHandlerFunc(sel.Obj().Type().(*types.Signature))
	}
	if has(named) {
		return false, true
	}
	if has(types.NewPointer(named)) {
		return true, true
	}
	return false, false
}

func compact(rs []*Route) []*Route {
	return slices.DeleteFunc(rs, func(r *Route) bool { return r == nil })
}

// checkPatterns reports patterns that are duplicates or that a ServeMux
// would refuse as conflicting, at the later of the two.
func (v *validator) checkPatterns(routes []*Route) {
	var withPattern []*Route
	for _, r := range routes {
		if r.Pattern != "" {
			withPattern = append(withPattern, r)
		}
	}
	slices.SortStableFunc(withPattern, func(a, b *Route) int { return int(a.PatternPos) - int(b.PatternPos) })
	mux := http.NewServeMux()
	var ok []*Route
	for _, r := range withPattern {
		if tryRegister(mux, r.Pattern) == nil {
			ok = append(ok, r)
			continue
		}
		end := r.PatternPos + token.Pos(len(r.Pattern))
		for _, prev := range ok {
			if prev.Pattern == r.Pattern {
				v.errorf(r.PatternPos, end, "duplicate route pattern %q: endpoint %s already has it", r.Pattern, prev.Endpoint)
				break
			}
			m := http.NewServeMux()
			if tryRegister(m, prev.Pattern) == nil && tryRegister(m, r.Pattern) != nil {
				v.errorf(r.PatternPos, end, "route pattern %q conflicts with %q of endpoint %s: a ServeMux cannot tell which one a request matches", r.Pattern, prev.Pattern, prev.Endpoint)
				break
			}
		}
	}
}

// checkShared reports a shared limit declared with different limits in two
// places: every declaration must agree, since they count on one counter.
func (v *validator) checkShared(p *Package) {
	type decl struct {
		text  string
		where string
	}
	first := map[string]decl{}
	check := func(rules []Rule, where string) {
		for _, r := range rules {
			if r.Shared == "" {
				continue
			}
			text := runtime.FormatLimits(r.Limits)
			d, ok := first[r.Shared]
			if !ok {
				first[r.Shared] = decl{text, where}
				continue
			}
			if d.text != text {
				v.errorf(r.TextPos, r.TextPos+token.Pos(len(r.Text)), "shared limit %q is %q here but %q on %s; every use of a shared limit must declare the same limits", r.Shared, text, d.text, d.where)
			}
		}
	}
	check(p.Rules, "package "+p.Name)
	seenView := map[string]bool{}
	for _, r := range p.Routes {
		if r.View != "" && !seenView[r.View] {
			seenView[r.View] = true
			check(r.ViewRules, "type "+r.View)
		}
		check(r.Rules, r.Endpoint)
	}
}

// checkMethods reports a route's own rule whose methods= cannot match any
// request the route's pattern admits (a GET pattern also serves HEAD).
func (v *validator) checkMethods(routes []*Route) {
	for _, r := range routes {
		if r.Method == "" {
			continue
		}
		for _, rule := range r.Rules {
			if len(rule.Methods) == 0 || slices.Contains(rule.Methods, r.Method) || r.Method == "GET" && slices.Contains(rule.Methods, "HEAD") {
				continue
			}
			for _, o := range rule.Options {
				if o.Name == "methods" {
					v.errorf(o.ValuePos, o.ValuePos+token.Pos(len(o.Value)), "methods=%s: endpoint %s only serves %s (pattern %q), so this rule never applies", o.Value, r.Endpoint, r.Method, r.Pattern)
				}
			}
		}
	}
}
