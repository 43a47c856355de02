package annotations

import (
	"go/ast"
	"go/token"
)

// ParseFile finds every //limit: annotation of f (both spellings,
// `//limit:"…"` and gofmt's `// limit:"…"`) and attaches each to its
// declaration: the package clause, a func, a method or a type. It checks
// syntax only: misplaced annotations (not in the doc comment of one of
// those declarations), look-alike typos (`//limits:`, `//limit: exempt`,
// `//Limit:`, unknown keywords) and malformed quoting are returned as
// diagnostics, in source order. Targets come in source order; a
// declaration without annotations has no Target. fset must hold f.
func ParseFile(fset *token.FileSet, f *ast.File) ([]*Target, []Diagnostic) {
	return nil, nil
}
