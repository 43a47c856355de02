package annotations

import (
	"go/token"

	"github.com/limitgen/limitgen/runtime"
)

// Package is the validated model of one Go package's annotations: what the
// generator needs to emit a runtime.Group literal. It mirrors runtime.Group,
// runtime.Route and runtime.Rule, with Go funcs named instead of referenced
// and positions kept for error reporting.
type Package struct {
	// Name is the package name, e.g. "example"; the group's name.
	Name string
	// Path is the package's import path ("" if unknown).
	Path string
	// Rules are the rules of the package clause (blueprint limits), in
	// source order (files in the order given to Validate).
	Rules []Rule
	// Exempt is the exemption declared on the package clause.
	Exempt runtime.Exemption
	// ExemptPos is the position of the package's //limit:exempt, or NoPos.
	ExemptPos token.Pos
	// Routes are every handler that is annotated, is a handler method of an
	// annotated view type, or belongs to an annotated view; sorted by
	// Endpoint.
	Routes []*Route
}

// HandlerKind says how a route's handler is referenced in Go code.
type HandlerKind uint8

const (
	// FuncHandler is a package-level func of type
	// func(http.ResponseWriter, *http.Request): Route.Func names it.
	FuncHandler HandlerKind = iota + 1
	// MethodHandler is a method with that signature: Route.Recv and
	// Route.Func name it (Recv.Func), Route.PtrRecv tells whether the
	// method needs a pointer receiver.
	MethodHandler
	// TypeHandler is a named type implementing http.Handler: Route.Recv
	// names it and Route.PtrRecv tells whether only *Recv implements it.
	TypeHandler
)

// String returns "func", "method" or "type".
func (k HandlerKind) String() string {
	switch k {
	case FuncHandler:
		return "func"
	case MethodHandler:
		return "method"
	case TypeHandler:
		return "type"
	}
	return "handler(?)"
}

// Route is one handler with its pattern and rules.
type Route struct {
	// Endpoint names the route within the package: the func name for a
	// func ("slow"), "Type.Method" for a method ("Users.Get"), the type
	// name for a type implementing http.Handler.
	Endpoint string
	// Pos is the position of the handler's name.
	Pos token.Pos

	// Kind says how the handler is referenced; see Func, Recv, PtrRecv.
	Kind HandlerKind
	// Func is the func or method name ("" for TypeHandler).
	Func string
	// Recv is the receiver (MethodHandler) or handler type (TypeHandler)
	// name, without '*'.
	Recv string
	// PtrRecv reports whether a pointer to Recv is needed: the method has a
	// pointer receiver, or only *Recv implements http.Handler.
	PtrRecv bool

	// Pattern is the http.ServeMux pattern from //limit:route, normalised
	// to "METHOD host/path" with single spaces ("GET /slow", "/fast"), or
	// "" when the route has no //limit:route (the generator then emits only
	// a wrapper for other routers).
	Pattern string
	// PatternPos is the position of the pattern text, or NoPos.
	PatternPos token.Pos
	// Method is the pattern's method ("" for any method).
	Method string
	// Host is the pattern's host ("" for any host).
	Host string
	// Path is the pattern's path, starting with '/'.
	Path string

	// View is the receiver type's name for MethodHandler routes (the
	// class-based view whose counters the route shares), "" otherwise.
	View string
	// ViewRules are the rules declared on the view type, passed through
	// as declared: the runtime decides whether the route's own rules
	// replace them (see runtime.Rule.KeepDefaults).
	ViewRules []Rule
	// Rules are the route's own rules, in source order.
	Rules []Rule
	// Exempt is the route's exemption: its own //limit:exempt, or its view
	// type's when the route declares nothing itself.
	Exempt runtime.Exemption
	// ExemptPos is the position of the //limit:exempt that set Exempt.
	ExemptPos token.Pos
}

// Rule is one validated `//limit:"…" options` or `//limit:shared name "…"`
// annotation: runtime.Rule with funcs named rather than referenced. The
// zero value of each field means the runtime's default.
type Rule struct {
	// Pos is the position of the annotation's "//".
	Pos token.Pos
	// Text is the limit text as written inside the quotes.
	Text string
	// TextPos is the position of Text's first byte.
	TextPos token.Pos
	// Limits are the parsed limits; empty only for //limit:dynamic.
	Limits []runtime.Limit
	// LimitsFunc names the //limit:dynamic func (runtime.Rule.LimitsFunc),
	// or is nil.
	LimitsFunc *FuncRef
	// Shared is the shared limit's name for //limit:shared, "" otherwise.
	Shared string

	// Key names the key= func (runtime.KeyFunc), or is nil.
	Key *FuncRef
	// Scope is scope=, "" for the default.
	Scope string
	// PerMethod is per-method.
	PerMethod bool
	// Methods are methods=, upper case, in the order written; nil for all.
	Methods []string
	// Cost is cost= as a number (a literal, or the value of the named
	// constant); 0 means the default of 1.
	Cost int64
	// CostConst names the constant cost= refers to, "" if a literal or
	// unset. The generator may emit the name or the value Cost.
	CostConst string
	// CostFunc names the cost= func (runtime.CostFunc), or is nil.
	CostFunc *FuncRef
	// ErrorMessage is error="…", unquoted.
	ErrorMessage string
	// ErrorMessageFunc names the error= func (runtime.Rule.ErrorMessageFunc),
	// or is nil.
	ErrorMessageFunc *FuncRef
	// ExemptWhen names the exempt-when= func (runtime.ExemptFunc), or nil.
	ExemptWhen *FuncRef
	// DeductWhen names the deduct-when= func (runtime.DeductFunc), or nil.
	DeductWhen *FuncRef
	// OnBreach names the on-breach= func (runtime.BreachFunc), or nil.
	OnBreach *FuncRef
	// KeepDefaults is override-defaults=false (runtime.Rule.KeepDefaults).
	KeepDefaults bool

	// Options are the options as written, for error reporting.
	Options []Option
}

// FuncRef names a package-level func (or var of func type) of the
// annotated package that an option refers to.
type FuncRef struct {
	// Name is the identifier, e.g. "userKey".
	Name string
	// Pos is the position of the name in the annotation.
	Pos token.Pos
}
