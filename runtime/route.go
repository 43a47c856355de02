package runtime

import (
	"net/http"
	"time"
)

// SupportPackageIsVersion1 is referenced by generated code
// (`const _ = limitgenrt.SupportPackageIsVersion1`) so that code generated
// for a newer, incompatible runtime fails to compile instead of misbehaving.
const SupportPackageIsVersion1 = true

// KeyFunc returns the client key a request is counted under, e.g. its
// remote address. It must be safe for concurrent use.
type KeyFunc func(r *http.Request) string

// CostFunc returns how many hits a request costs; it must not be negative.
type CostFunc func(r *http.Request) int64

// ExemptFunc reports whether a request is exempt from a rule
// (Flask-Limiter's exempt_when).
type ExemptFunc func(r *http.Request) bool

// DeductFunc is called after the handler with the status it wrote; the
// rule's limits are charged only when it returns true (Flask-Limiter's
// deduct_when).
type DeductFunc func(r *http.Request, status int) bool

// BreachFunc is called when a request breaches a limit (Flask-Limiter's
// on_breach). It may write its own response and return true; returning
// false lets the limiter write its usual 429.
type BreachFunc func(w http.ResponseWriter, r *http.Request, b *Breach) (handled bool)

// BreachResponseFunc writes the response to a refused request in place of
// the limiter's 429 (WriteTooManyRequests): the whole response, status
// included. The rate-limit headers are set on w before it runs. It must be
// safe for concurrent use.
type BreachResponseFunc func(w http.ResponseWriter, r *http.Request, b *Breach)

// Breach describes the limit a refused request breached.
type Breach struct {
	// Limit is the limit that refused the request.
	Limit Limit
	// Key is the client key the limit was counted under.
	Key string
	// Scope is the limit's scope: the route's qualified name
	// "group.endpoint" (for route and default limits, see Route.Endpoint), a
	// shared limit's name, "global" for application limits or "meta" for
	// meta limits.
	Scope string
	// Endpoint is the matched route's endpoint name, without its group.
	Endpoint string
	// Group is the name of the matched route's group; "" for a route
	// the middleware found on a ServeMux without registration.
	Group string
	// ErrorMessage is the rule's error message (ErrorMessageFunc's for this
	// request, if the rule has one), or "" for the default body.
	ErrorMessage string
	// Remaining is the number of hits the limit had left, after the
	// decision: fewer than the request's cost, often 0.
	Remaining int64
	// Reset is when the limit next frees capacity (Flask-Limiter's
	// reset_at): a client retrying then may be admitted.
	Reset time.Time
	// Shared reports a limit counted across routes: a shared, application
	// or meta limit.
	Shared bool
}

// Exemption selects which levels of limits a route or group is exempt from
// (Flask-Limiter's @limiter.exempt with its flags). The zero value exempts
// from nothing.
type Exemption uint8

const (
	// ExemptDefault exempts from the limiter's default limits.
	ExemptDefault Exemption = 1 << iota
	// ExemptApplication exempts from the application-wide limits.
	ExemptApplication
	// ExemptMeta exempts from the meta limits.
	ExemptMeta
	// ExemptRoute exempts from route, group and view limits: the route is
	// not limited at all by its own rules.
	ExemptRoute
	// ExemptAll is what a bare //limit:exempt means.
	ExemptAll = ExemptDefault | ExemptApplication | ExemptMeta | ExemptRoute
)

// Rule is one set of limits with shared options: what one
// `//limit:"…" options` annotation (or one @limiter.limit decorator)
// declares. The zero value of every option means Flask-Limiter's default.
type Rule struct {
	// Limits are the parsed limits; generated code writes them as literals.
	Limits []Limit
	// LimitsFunc, if set instead of Limits, gives the rule's limits per
	// request as a limit string (Flask-Limiter's callable limit value), e.g.
	// by the client's plan. Each distinct string is parsed once; "" means
	// no limits for the request, and a malformed string is logged and the
	// rule skipped for the request. Such limits are counted like static
	// ones but are not listed: the tree, Inspect and Clear omit them (Reset
	// drops them).
	LimitsFunc func(r *http.Request) string
	// Key overrides the limiter's key function for these limits; nil uses it.
	Key KeyFunc
	// Shared names a shared limit (Flask-Limiter's shared_limit): every rule
	// with the same Shared name counts against one counter. Empty means the
	// limits are counted per endpoint (or per Scope).
	Shared string
	// Scope overrides the counter's scope (the endpoint name by default).
	Scope string
	// ScopeFunc, if set, computes a further scope per request (Flask-
	// Limiter's callable scope): the counters are kept per endpoint (or per
	// shared name) and per value it returns, e.g. per tenant or host. An
	// empty value adds nothing. Such counters are not enumerable, so
	// Limiter.Clear, ClearLimits and Inspect do not see them (Reset does).
	ScopeFunc func(r *http.Request) string
	// PerMethod counts each HTTP method separately.
	PerMethod bool
	// Methods, if not empty, restricts the rule to these HTTP methods
	// (upper case); requests with other methods are not limited by it.
	Methods []string
	// Cost is the constant number of hits a request charges; 0 means 1.
	Cost int64
	// CostFunc, if set, computes the cost per request and wins over Cost.
	CostFunc CostFunc
	// ErrorMessage replaces the limit text in the 429 body.
	ErrorMessage string
	// ErrorMessageFunc, if set, computes the 429 body's message per request
	// and wins over ErrorMessage (Flask-Limiter's callable error_message).
	ErrorMessageFunc func(*http.Request) string
	// ExemptWhen, if set and true for a request, skips this rule.
	ExemptWhen ExemptFunc
	// DeductWhen, if set, defers charging until after the handler and
	// charges only when it returns true.
	DeductWhen DeductFunc
	// OnBreach is called when one of these limits refuses a request.
	OnBreach BreachFunc
	// BreachResponse, if set, writes the response when one of these limits
	// refuses a request (and no OnBreach handled it), in place of the
	// limiter's (WithBreachResponse) or the default 429.
	BreachResponse BreachResponseFunc
	// KeepDefaults is the negation of Flask-Limiter's override_defaults:
	// when false (the default) a route with its own rules is not subject to
	// the limiter's default limits; when true the defaults apply as well.
	// On a view or group rule it also keeps the enclosing level's rules
	// when a route declares its own.
	KeepDefaults bool
}

// Route is one handler the limiter knows: its endpoint name, its pattern,
// and the rules declared on it, on its view type and on its group.
type Route struct {
	// Endpoint names the route uniquely within its group, e.g. "slow" for a
	// func, "Users.Get" for a method of a view type. Two groups may use the
	// same endpoint name. The route's counters are scoped by its qualified
	// name, the group's Name, a dot and the endpoint ("example.slow", as
	// Flask-Limiter names a blueprint's endpoints "blog.index"); the
	// endpoint alone when the group's Name is empty. That name is the scope
	// part of the storage key (backends.Key: "LIMITER/{client}/example.slow/1
	// per 1 day"), of Breach.Scope and LimitResult.Scope. Introspection
	// prints the endpoint under its group's name.
	Endpoint string
	// Pattern is the http.ServeMux pattern, e.g. "GET /slow" or "/fast";
	// empty for a handler that is mounted by hand on another router.
	Pattern string
	// Handler serves the route.
	Handler http.Handler
	// View is the name of the view type (class-based view) whose methods
	// include this handler, or "". Routes of one view share its rules'
	// counters, scoped by the view name qualified by the group
	// ("example.Users"), unless a rule is PerMethod.
	View string
	// ViewRules are the rules declared on the view type.
	ViewRules []Rule
	// Rules are the route's own rules.
	Rules []Rule
	// Exempt lists the levels of limits this route is exempt from.
	Exempt Exemption
}

// Group is a set of routes that share rules: a Go package or a route
// prefix, limitgen's counterpart of a Flask blueprint. Generated code emits
// one Group per package.
type Group struct {
	// Name identifies the group in introspection and in counter scopes
	// ("example.slow", see Route.Endpoint), e.g. the package name
	// "example". Distinct groups should have distinct names: Register
	// refuses two groups of one name with a common endpoint name.
	Name string
	// Rules apply to every route of the group that has no rules of its own
	// (or whose rules keep the group's, see Rule.KeepDefaults).
	Rules []Rule
	// Exempt lists the levels every route of the group is exempt from.
	Exempt Exemption
	// Routes are the group's routes, in a deterministic order.
	Routes []Route
}

// Mux is what Mount registers routes on: *http.ServeMux, and routers such
// as chi.Router whose Handle accepts ServeMux-style "METHOD /path"
// patterns.
type Mux interface {
	Handle(pattern string, handler http.Handler)
}
