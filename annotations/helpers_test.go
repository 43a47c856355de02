package annotations

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"sync"
	"testing"
)

var (
	importerOnce sync.Once
	sharedImp    types.Importer
	impMu        sync.Mutex
)

// sourceImporter type-checks imports (net/http, the runtime package) from
// source once per test binary; it is not safe for concurrent use, hence
// impMu.
func sourceImporter() types.Importer {
	importerOnce.Do(func() {
		sharedImp = importer.ForCompiler(token.NewFileSet(), "source", nil)
	})
	return sharedImp
}

// checkSource parses and type-checks files (name → source) as one package
// and runs Check over them.
func checkSource(t testing.TB, files map[string]string) (*token.FileSet, *Package, []Diagnostic) {
	t.Helper()
	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, name := range sortedKeys(files) {
		f, err := parser.ParseFile(fset, name, files[name], parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	impMu.Lock()
	defer impMu.Unlock()
	conf := types.Config{Importer: sourceImporter()}
	pkg, err := conf.Check("example.com/p", fset, parsed, nil)
	if err != nil {
		t.Fatalf("type-checking: %v", err)
	}
	p, diags := Check(fset, parsed, pkg)
	return fset, p, diags
}
