package annotations

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// benchSource is a file of n annotated handlers, each with a route, two
// limit lines with options, in gofmt's spelling.
func benchSource(n int) string {
	var b strings.Builder
	b.WriteString("// limit:\"1000 per hour\"\npackage p\n\nimport \"net/http\"\n\n")
	for i := range n {
		fmt.Fprintf(&b, "// h%d serves /h%d.\n//\n// limit:\"2 per minute; 1 per second\" cost=2 per-method methods=GET,POST error=\"slow down\"\n// limit:\"100/day\" scope=s%d\n//\n//limit:route GET /h%d/{id}\nfunc h%d(w http.ResponseWriter, r *http.Request) {}\n\n", i, i, i, i, i)
	}
	return b.String()
}

func benchFile(b *testing.B, n int) (*token.FileSet, *ast.File) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", benchSource(n), parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		b.Fatal(err)
	}
	return fset, f
}

// BenchmarkParseFile measures ParseFile over a file of 100 annotated
// handlers (the go/parser work is outside the timer).
func BenchmarkParseFile(b *testing.B) {
	fset, f := benchFile(b, 100)
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := ParseFile(fset, f); len(diags) > 0 {
			b.Fatal(diags)
		}
	}
}

// BenchmarkCheck measures ParseFile and Validate (without types) over the
// same file: limit strings, options and 100 route patterns checked
// against a ServeMux.
func BenchmarkCheck(b *testing.B) {
	fset, f := benchFile(b, 100)
	files := []*ast.File{f}
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := Check(fset, files, nil); len(diags) > 0 {
			b.Fatal(diags)
		}
	}
}
