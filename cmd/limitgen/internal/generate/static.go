package generate

import (
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/runtime"
)

// RuntimePath is the import path of the runtime package.
const RuntimePath = "github.com/limitgen/limitgen/runtime"

// staticOptions are the runtime options whose constant arguments limitgen
// reads from the source, so that `limitgen limits` shows the limits and
// finds the counters the application uses, and so that a bad limit or
// strategy stops go generate instead of the application's start.
var staticOptions = map[string]struct {
	check func(s string) error
	build func(args []constant.Value) runtime.Option
}{
	"WithDefaultLimits":     {checkLimits, func(a []constant.Value) runtime.Option { return runtime.WithDefaultLimits(strs(a)...) }},
	"WithApplicationLimits": {checkLimits, func(a []constant.Value) runtime.Option { return runtime.WithApplicationLimits(strs(a)...) }},
	"WithMetaLimits":        {checkLimits, func(a []constant.Value) runtime.Option { return runtime.WithMetaLimits(strs(a)...) }},
	"WithStrategy":          {checkStrategy, func(a []constant.Value) runtime.Option { return runtime.WithStrategy(strs(a)[0]) }},
	"WithKeyPrefix":         {nil, func(a []constant.Value) runtime.Option { return runtime.WithKeyPrefix(strs(a)[0]) }},
	"WithDefaultLimitsPerMethod": {nil, func(a []constant.Value) runtime.Option {
		return runtime.WithDefaultLimitsPerMethod(constant.BoolVal(a[0]))
	}},
	"WithApplicationLimitsPerMethod": {nil, func(a []constant.Value) runtime.Option {
		return runtime.WithApplicationLimitsPerMethod(constant.BoolVal(a[0]))
	}},
	// An application that reads the RATELIMIT_* variables is inspected
	// with them too: the CLI reads its own environment, which should be
	// the application's.
	"FromEnv": {nil, func([]constant.Value) runtime.Option { return runtime.FromEnv() }},
}

// takesNoArgs lists the options of staticOptions that are called without
// arguments, or may be (an empty list of limits).
var takesNoArgs = map[string]bool{
	"WithDefaultLimits": true, "WithApplicationLimits": true, "WithMetaLimits": true, "FromEnv": true,
}

func checkLimits(s string) error { _, err := runtime.ParseLimits(s); return err }

func checkStrategy(s string) error { _, err := backends.ParseStrategy(s); return err }

func strs(vs []constant.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = constant.StringVal(v)
	}
	return out
}

// StaticCall is one call of a runtime option with constant arguments.
type StaticCall struct {
	// Name is the option func, e.g. "WithDefaultLimits".
	Name string
	// Args are its constant arguments.
	Args []constant.Value
	// Pos is the call's position.
	Pos token.Pos
}

// String returns the call as Go source with its arguments' values, e.g.
// `WithDefaultLimits("2 per minute", "1 per second")`.
func (c StaticCall) String() string {
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = a.ExactString()
	}
	return c.Name + "(" + strings.Join(args, ", ") + ")"
}

// Option returns the runtime option the call builds.
func (c StaticCall) Option() runtime.Option { return staticOptions[c.Name].build(c.Args) }

// FindStatic walks the package's syntax, with its type information, for
// calls of the runtime options listed above whose arguments are all
// constants (e.g. runtime.WithDefaultLimits("2 per minute", "1 per
// second")), and checks their values like annotations: a bad limit is
// reported at its column inside the string literal. Calls with
// non-constant arguments are skipped: their values exist only at run time.
func FindStatic(p *Package) ([]StaticCall, []Diagnostic) {
	var calls []StaticCall
	var diags []Diagnostic
	for _, f := range p.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || call.Ellipsis.IsValid() {
				return true
			}
			name := runtimeFunc(p.Info, call)
			opt, ok := staticOptions[name]
			if !ok {
				return true
			}
			sc := StaticCall{Name: name, Pos: call.Pos()}
			var bad []Diagnostic
			for _, arg := range call.Args {
				tv, ok := p.Info.Types[arg]
				if !ok || tv.Value == nil {
					return true
				}
				sc.Args = append(sc.Args, tv.Value)
				if opt.check != nil && tv.Value.Kind() == constant.String {
					if err := opt.check(constant.StringVal(tv.Value)); err != nil {
						bad = append(bad, valueDiagnostic(p, arg, err, name))
					}
				}
			}
			if len(sc.Args) == 0 && !takesNoArgs[name] {
				return true
			}
			diags = append(diags, bad...)
			if len(bad) == 0 {
				calls = append(calls, sc)
			}
			return true
		})
	}
	return calls, diags
}

// runtimeFunc returns the name of the runtime package's func that call
// calls, or "".
func runtimeFunc(info *types.Info, call *ast.CallExpr) string {
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		id = fun.Sel
	default:
		return ""
	}
	fn, ok := info.Uses[id].(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != RuntimePath {
		return ""
	}
	return fn.Name()
}

// valueDiagnostic reports a bad constant argument of option fn, pointing
// into a plain string literal at the offending limit when it can, and at
// the constant's name otherwise.
func valueDiagnostic(p *Package, arg ast.Expr, err error, fn string) Diagnostic {
	pos := arg.Pos()
	var le *runtime.LimitError
	if !errors.As(err, &le) {
		return Diagnostic{Pos: p.Fset.Position(pos), Message: fmt.Sprintf("runtime.%s: %v", fn, err)}
	}
	what := fmt.Sprintf("%q", le.Text)
	if le.Text != le.Input {
		what += fmt.Sprintf(" in %q", le.Input)
	}
	if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.STRING && !strings.Contains(lit.Value, `\`) {
		pos = lit.Pos() + 1 + token.Pos(le.Offset)
	} else if id, ok := ast.Unparen(arg).(*ast.Ident); ok {
		what += " (constant " + id.Name + ")"
	}
	return Diagnostic{Pos: p.Fset.Position(pos), Message: fmt.Sprintf("runtime.%s: invalid limit %s: %s", fn, what, le.Msg)}
}
