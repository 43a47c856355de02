package generate_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"

	"github.com/limitgen/limitgen/annotations"
	"github.com/limitgen/limitgen/cmd/limitgen/internal/generate"
)

// Emit renders the route table of a checked package; here the annotations
// are checked from source alone (no types), as an editor might.
func ExampleEmit() {
	const src = `package shop

import "net/http"

//limit:"10 per minute; 100 per hour"
//limit:route GET /cart
func cart(w http.ResponseWriter, r *http.Request) {}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "shop.go", src, parser.ParseComments)
	if err != nil {
		fmt.Println(err)
		return
	}
	model, diags := annotations.Check(fset, []*ast.File{f}, nil)
	if len(diags) > 0 {
		fmt.Println(diags)
		return
	}
	out, err := generate.Emit("example.com/shop", "shop", "shop", model)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Print the route table only.
	text := string(out)
	start := strings.Index(text, "var LimitGroup")
	end := strings.Index(text[start:], "\n}\n") + start + 3
	fmt.Print(text[start:end])
	// Output:
	// var LimitGroup = limitgenrt.Group{
	// 	Name: "shop",
	// 	Routes: []limitgenrt.Route{
	// 		{Endpoint: "cart", Pattern: "GET /cart", Handler: http.HandlerFunc(cart), Rules: []limitgenrt.Rule{
	// 			{Limits: []limitgenrt.Limit{{Amount: 10, Multiple: 1, Unit: limitgenrt.Minute}, {Amount: 100, Multiple: 1, Unit: limitgenrt.Hour}}},
	// 		}},
	// 	},
	// }
}

// WrapperName names the generated wrapper of an endpoint.
func ExampleWrapperName() {
	fmt.Println(generate.WrapperName("slow"))
	fmt.Println(generate.WrapperName("Users.Get"))
	// Output:
	// LimitedSlow
	// LimitedUsersGet
}
