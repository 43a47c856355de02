package annotations_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"

	"github.com/limitgen/limitgen/annotations"
	"github.com/limitgen/limitgen/runtime"
)

// Check parses and validates a package's annotations. Without type
// information (a nil *types.Package) the checks that need types are
// skipped; the generator and the analyzer pass the type-checked package.
func ExampleCheck() {
	const src = `package shop

import "net/http"

// cart shows the cart.
//
// limit:"2 per minute; 1 per second"
//limit:route GET /cart
func cart(w http.ResponseWriter, r *http.Request) {}

//limit:"10 per fortnight" cots=2
//limit:exmept
func checkout(w http.ResponseWriter, r *http.Request) {}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "shop.go", src, parser.ParseComments)
	if err != nil {
		panic(err)
	}
	pkg, diags := annotations.Check(fset, []*ast.File{f}, nil)
	for _, d := range diags {
		fmt.Println(d.Format(fset))
	}
	for _, r := range pkg.Routes {
		for _, rule := range r.Rules {
			fmt.Printf("%s %q: %s\n", r.Endpoint, r.Pattern, runtime.FormatLimits(rule.Limits))
		}
	}
	// Output:
	// shop.go:11:10: invalid limit "10 per fortnight": unknown unit "fortnight" (want second, minute, hour, day, month or year)
	// shop.go:11:28: unknown option "cots" (did you mean cost?); options are key, cost, per-method, methods, scope, error, exempt-when, deduct-when, on-breach, override-defaults
	// shop.go:12:9: unknown annotation keyword "exmept" (did you mean exempt?); want //limit:"N per unit", //limit:exempt, //limit:route, //limit:shared or //limit:dynamic
	// cart "GET /cart": 2 per 1 minute; 1 per 1 second
}
