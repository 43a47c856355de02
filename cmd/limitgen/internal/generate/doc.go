// Package generate is limitgen's generator as a library; cmd/limitgen is a
// thin command around it.
//
// Generate loads packages with golang.org/x/tools/go/packages at LoadMode;
// for wildcard patterns such as ./... it first lists and parses every
// package and type-checks only those with something for limitgen
// (annotations, typos of them, static runtime options, a limits_gen.go).
// It checks each with
// the annotations package — the only code that understands //limit:
// comments — and with FindStatic, which reads the runtime options an
// application passes as constants (runtime.WithDefaultLimits("2 per
// minute") and a few more) so that bad values stop go generate too. Every
// problem of every package comes back as a Diagnostic, printed like a
// compiler's "file:line:col: message" and sorted.
//
// For a package with annotations, Emit renders limits_gen.go with
// github.com/dave/jennifer: the Header line, the runtime imported under
// RuntimeAlias with a compile-time version guard, the route table GroupVar
// with every limit as a literal and option funcs by name, RegisterFunc to
// mount the routes on a runtime.Mux, and one wrapper per endpoint
// (WrapperName) for other routers. Output is deterministic (routes sorted
// by endpoint) and gofmt-clean. A package without annotations gets no
// file, and Result.Write removes one limitgen wrote earlier.
//
// Result.Stale is what `limitgen check` reports; NewLimiter builds the
// runtime.Limiter that `limitgen limits` and `limitgen clear` print and
// clear through, so there is one tree printer: the runtime's.
package generate
