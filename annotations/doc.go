// Package annotations is the one parser of limitgen's //limit: comments.
// The generator (cmd/limitgen), the vet analyzer (annotations/analyzer) and
// the CLI all call it, so they never disagree.
//
// Work happens in two steps. ParseFile (syntax) finds the annotations of a
// file and attaches each to its declaration; Validate (meaning) checks them
// against the type-checked package and builds a Package, the model the
// generator turns into a runtime.Group literal. Check does both for a whole
// package. Every value carries its token.Pos and every problem is a
// Diagnostic at an exact position; Diagnostic.Format prints it as
// "file:line:col: message".
//
// # Grammar
//
// Annotations are written in the doc comment of a handler func, a handler
// method, a type, or the package clause:
//
//	//limit:"2 per minute; 1 per second"        one rule with one or more limits; lines add up
//	//limit:"10/hour" key=userKey cost=2 per-method methods=GET,POST scope=name error="slow down"
//	//limit:"10/hour" exempt-when=fn deduct-when=fn on-breach=fn override-defaults=false
//	//limit:shared name "100 per hour" [options]  a limit shared by every route naming it
//	//limit:dynamic fn [options]  limits per request: fn(r) returns a limit string
//	//limit:exempt [default,application,meta,route]
//	//limit:route GET /slow                      the http.ServeMux pattern
//
// gofmt rewrites `//limit:"…"` to `// limit:"…"` (a quote after the colon
// makes the line doc text, not a directive, and gofmt also moves directives
// after the text); both spellings, and any order of the lines, mean the
// same. The keyword forms (exempt, route, shared) are directives in the
// sense of go/ast.ParseDirective; `// limit:exempt` is accepted too.
//
// Endpoint names: a func handler's endpoint is the func name ("slow"); a
// handler method's is "Type.Method" ("Users.Get"); a type implementing
// http.Handler is named by its type name.
//
// Options: key=fn (runtime.KeyFunc), cost=N|const|fn (runtime.CostFunc),
// per-method, methods=GET,POST, scope=name, error="…", exempt-when=fn
// (runtime.ExemptFunc), deduct-when=fn (runtime.DeductFunc), on-breach=fn
// (runtime.BreachFunc), override-defaults=false (runtime.Rule.KeepDefaults).
// A fn names a package-level func, or var of that func type, of the
// annotated package. Exempt flags: default, application, meta, route
// (bare //limit:exempt means all of them).
//
// Annotations on a type that does not implement http.Handler cover its
// handler methods (a class-based view); on the package clause they cover
// every route of the package (a blueprint). A route's own rules replace
// those of its view, and a route's or view's rules replace the package's,
// unless the enclosing rule says override-defaults=false
// (runtime.Rule.KeepDefaults), which the runtime honours.
//
// # Diagnostics
//
// Problems are reported like a compiler's, all at once: malformed limit
// strings (the column points at the offending limit inside the string),
// unknown options and exempt flags with "did you mean" suggestions,
// malformed option values, funcs that do not exist or have the wrong
// signature, exempt mixed with limits, malformed, duplicate or conflicting
// route patterns (checked as http.ServeMux checks them), a methods= the
// route's pattern never serves, routes on declarations that are not
// handlers, two routes on one handler, shared limits declared with
// different limits, annotations not attached to a declaration, and
// look-alike typos. Typos with an evident correction carry it in
// Diagnostic.Fix.
package annotations
