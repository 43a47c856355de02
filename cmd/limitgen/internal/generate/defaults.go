package generate

import (
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"github.com/limitgen/limitgen/runtime"
)

// RuntimePath is the import path of the runtime package.
const RuntimePath = "github.com/limitgen/limitgen/runtime"

// Defaults are the default limits a package passes to the runtime as
// constants: every call runtime.WithDefaultLimits("…", …) whose arguments
// are all constant strings.
type Defaults struct {
	// Limits are the parsed limits of the first such call, in order.
	Limits []runtime.Limit
	// Texts are that call's arguments as written.
	Texts []string
	// Pos is the call's position; invalid when no call was found.
	Pos token.Pos
}

// FindDefaults walks the package's syntax for constant calls to
// runtime.WithDefaultLimits and parses their arguments like annotations,
// reporting a bad limit at its column inside the string literal. Calls with
// non-constant arguments are skipped: their values exist only at run time.
func FindDefaults(p *Package) (Defaults, []Diagnostic) {
	var d Defaults
	var diags []Diagnostic
	for _, f := range p.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !isDefaultsCall(p.Info, call) || call.Ellipsis.IsValid() {
				return true
			}
			var limits []runtime.Limit
			var texts []string
			for _, arg := range call.Args {
				tv, ok := p.Info.Types[arg]
				if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
					return true
				}
				s := constant.StringVal(tv.Value)
				ls, err := runtime.ParseLimits(s)
				if err != nil {
					diags = append(diags, limitDiagnostic(p.Fset, arg, err, "default limit"))
					continue
				}
				limits = append(limits, ls...)
				texts = append(texts, s)
			}
			if !d.Pos.IsValid() || call.Pos() < d.Pos {
				d = Defaults{Limits: limits, Texts: texts, Pos: call.Pos()}
			}
			return true
		})
	}
	return d, diags
}

// isDefaultsCall reports whether call calls runtime.WithDefaultLimits.
func isDefaultsCall(info *types.Info, call *ast.CallExpr) bool {
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		id = fun.Sel
	default:
		return false
	}
	fn, ok := info.Uses[id].(*types.Func)
	return ok && fn.Name() == "WithDefaultLimits" && fn.Pkg() != nil && fn.Pkg().Path() == RuntimePath
}

// limitDiagnostic reports a runtime.ParseLimits error for the string
// expression arg, pointing into a plain string literal at the offending
// text when it can.
func limitDiagnostic(fset *token.FileSet, arg ast.Expr, err error, what string) Diagnostic {
	pos := arg.Pos()
	var le *runtime.LimitError
	if !errors.As(err, &le) {
		return Diagnostic{Pos: fset.Position(pos), Message: fmt.Sprintf("invalid %s: %v", what, err)}
	}
	if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.STRING && !strings.Contains(lit.Value, `\`) {
		pos = lit.Pos() + 1 + token.Pos(le.Offset)
	}
	return Diagnostic{Pos: fset.Position(pos), Message: fmt.Sprintf("invalid %s %q: %s", what, le.Text, le.Msg)}
}
