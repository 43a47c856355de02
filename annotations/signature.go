package annotations

import (
	"go/types"
)

// Paths of the packages whose types handler and option signatures use.
const (
	httpPath    = "net/http"
	runtimePath = "github.com/limitgen/limitgen/runtime"
)

// param describes one parameter or result type of a wanted signature.
type param func(types.Type) bool

func named(path, name string) param {
	return func(t types.Type) bool {
		n, ok := types.Unalias(t).(*types.Named)
		return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == path && n.Obj().Name() == name
	}
}

func pointerTo(p param) param {
	return func(t types.Type) bool {
		ptr, ok := types.Unalias(t).(*types.Pointer)
		return ok && p(ptr.Elem())
	}
}

func basic(k types.BasicKind) param {
	return func(t types.Type) bool {
		b, ok := types.Unalias(t).(*types.Basic)
		return ok && b.Kind() == k
	}
}

// funcShape is a wanted func signature, e.g. runtime.KeyFunc's.
type funcShape struct {
	params, results []param
	// text is the signature as users write it, for messages.
	text string
	// runtimeName names the runtime type with this signature, or "".
	runtimeName string
}

var (
	responseWriter = named(httpPath, "ResponseWriter")
	request        = pointerTo(named(httpPath, "Request"))

	handlerShape = funcShape{params: []param{responseWriter, request}, text: "func(http.ResponseWriter, *http.Request)"}
	keyShape     = funcShape{params: []param{request}, results: []param{basic(types.String)}, text: "func(*http.Request) string", runtimeName: "runtime.KeyFunc"}
	messageShape = funcShape{params: []param{request}, results: []param{basic(types.String)}, text: "func(*http.Request) string"}
	costShape    = funcShape{params: []param{request}, results: []param{basic(types.Int64)}, text: "func(*http.Request) int64", runtimeName: "runtime.CostFunc"}
	exemptShape  = funcShape{params: []param{request}, results: []param{basic(types.Bool)}, text: "func(*http.Request) bool", runtimeName: "runtime.ExemptFunc"}
	deductShape  = funcShape{params: []param{request, basic(types.Int)}, results: []param{basic(types.Bool)}, text: "func(*http.Request, int) bool", runtimeName: "runtime.DeductFunc"}
	breachShape  = funcShape{params: []param{responseWriter, request, pointerTo(named(runtimePath, "Breach"))}, results: []param{basic(types.Bool)}, text: "func(http.ResponseWriter, *http.Request, *runtime.Breach) bool", runtimeName: "runtime.BreachFunc"}
)

// matches reports whether t (a func type, possibly named) has the shape.
func (s funcShape) matches(t types.Type) bool {
	sig, ok := t.Underlying().(*types.Signature)
	if !ok || sig.Variadic() || sig.TypeParams().Len() > 0 || sig.Params().Len() != len(s.params) || sig.Results().Len() != len(s.results) {
		return false
	}
	for i, p := range s.params {
		if !p(sig.Params().At(i).Type()) {
			return false
		}
	}
	for i, p := range s.results {
		if !p(sig.Results().At(i).Type()) {
			return false
		}
	}
	return true
}

// want describes the shape for messages: "func(*http.Request) string
// (runtime.KeyFunc)".
func (s funcShape) want() string {
	if s.runtimeName != "" {
		return s.text + " (" + s.runtimeName + ")"
	}
	return s.text
}

// isHandlerFunc reports whether a method or func signature is a handler's.
func isHandlerFunc(sig *types.Signature) bool {
	return handlerShape.matches(sig)
}

// qualifier prints types of pkg unqualified and others by package name.
func qualifier(pkg *types.Package) types.Qualifier {
	return func(p *types.Package) string {
		if p == pkg {
			return ""
		}
		return p.Name()
	}
}
