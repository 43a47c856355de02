package annotations

import (
	"go/format"
	"testing"
)

// TestGofmtKeepsMeaning proves that gofmt's rewrites of annotated doc
// comments — a space after "//" for limit strings, directives moved after
// the text, code-block indentation — change nothing in the validated model.
func TestGofmtKeepsMeaning(t *testing.T) {
	src := `//limit:"100 per hour"
//limit:exempt meta
package p

import "net/http"

// slow is slow.
//limit:route GET /slow
//limit:"1 per day" cost=2 error="slow down"
// More text after the annotation.
//limit:exempt default
//limit:"2 per hour"
func slow(w http.ResponseWriter, r *http.Request) {}

// A list:
//   - item one
//limit:"3 per second"
//limit:shared s "5/minute"
func list(w http.ResponseWriter, r *http.Request) {}

// Indented block:
//
//     code line
//limit:"4 per second"
type V struct{}

//limit:route POST /v
//limit:"5 per second"
func (V) Post(w http.ResponseWriter, r *http.Request) {}
`
	formatted, err := format.Source([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if string(formatted) == src {
		t.Fatal("gofmt changed nothing; the test no longer covers its rewrites")
	}
	fset1, before, d1 := checkSource(t, map[string]string{"a.go": src})
	fset2, after, d2 := checkSource(t, map[string]string{"a.go": string(formatted)})
	if len(d1) > 0 || len(d2) > 0 {
		t.Fatalf("diagnostics before gofmt: %q\nafter: %q\nformatted source:\n%s", formatDiags(fset1, d1), formatDiags(fset2, d2), formatted)
	}
	if b, a := render(before), render(after); b != a {
		t.Errorf("gofmt changed the model.\nbefore:\n%s\nafter:\n%s\nformatted source:\n%s", b, a, formatted)
	}
	if len(before.Routes) != 3 || len(before.Rules) != 1 {
		t.Errorf("model lost annotations:\n%s", render(before))
	}
	// gofmt is idempotent on the result and the model survives a second run.
	again, err := format.Source(formatted)
	if err != nil || string(again) != string(formatted) {
		t.Errorf("gofmt not idempotent: %v", err)
	}
}
