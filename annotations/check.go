package annotations

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Check is ParseFile over every file of one package followed by Validate:
// the single call the generator and the analyzer make. It returns all
// diagnostics sorted by position (SortDiagnostics). pkg may be nil, as for
// Validate. files must all belong to fset and to one package.
func Check(fset *token.FileSet, files []*ast.File, pkg *types.Package) (*Package, []Diagnostic) {
	var all []*Target
	var diags []Diagnostic
	for _, f := range files {
		ts, ds := ParseFile(fset, f)
		all = append(all, ts...)
		diags = append(diags, ds...)
	}
	p, ds := Validate(pkg, all)
	diags = append(diags, ds...)
	if p.Name == "" && len(files) > 0 {
		p.Name = files[0].Name.Name
	}
	SortDiagnostics(fset, diags)
	return p, diags
}
