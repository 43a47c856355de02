package annotations

import (
	"fmt"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"
)

// parseSrc runs ParseFile over src (file "a.go") and describes the result.
func parseSrc(t testing.TB, src string) (targets []string, diags []string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "a.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	ts, ds := ParseFile(fset, f)
	for _, tg := range ts {
		var parts []string
		for _, a := range tg.Annotations {
			parts = append(parts, describeAnnotation(fset, a))
		}
		name := tg.Name
		if tg.Recv != "" {
			name = tg.Recv + "." + name
			if tg.PtrRecv {
				name = "*" + name
			}
		}
		targets = append(targets, fmt.Sprintf("%s %s @%s: %s", tg.Kind, name, short(fset, tg.Pos), strings.Join(parts, " | ")))
	}
	return targets, formatDiags(fset, ds)
}

func short(fset *token.FileSet, p token.Pos) string {
	pos := fset.Position(p)
	return fmt.Sprintf("%d:%d", pos.Line, pos.Column)
}

func describeAnnotation(fset *token.FileSet, a *Annotation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s@%s", a.Kind, short(fset, a.Pos))
	switch a.Kind {
	case LimitsAnnotation, SharedAnnotation:
		if a.Kind == SharedAnnotation {
			fmt.Fprintf(&b, " %s@%s", a.SharedName, short(fset, a.SharedNamePos))
		}
		fmt.Fprintf(&b, " %q@%s", a.Limits, short(fset, a.LimitsPos))
		if !a.LimitsRaw {
			b.WriteString("(escaped)")
		}
		for _, o := range a.Options {
			fmt.Fprintf(&b, " %s@%s", o.Name, short(fset, o.Pos))
			if o.HasValue {
				fmt.Fprintf(&b, "=%q@%s", o.Value, short(fset, o.ValuePos))
				if o.Quoted {
					b.WriteString("(quoted)")
				}
			}
		}
	case ExemptAnnotation:
		for _, f := range a.Flags {
			fmt.Fprintf(&b, " %s@%s", f.Name, short(fset, f.Pos))
		}
	case RouteAnnotation:
		fmt.Fprintf(&b, " %q@%s", a.Pattern, short(fset, a.PatternPos))
	}
	return b.String()
}

func TestParseFile(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		targets []string
		diags   []string
	}{
		{
			name: "func with both spellings, options and a route",
			src: `package p

// Slow is slow.
//limit:"1 per day" key=userKey cost=2 per-method methods=GET,POST scope=s error="slow down"
// limit:"2/hour;3 per minute"  override-defaults=false
//limit:route GET /slow
func Slow() {}
`,
			targets: []string{`func Slow @7:6: limits@4:1 "1 per day"@4:10 key@4:21="userKey"@4:25 cost@4:33="2"@4:38 per-method@4:40 methods@4:51="GET,POST"@4:59 scope@4:68="s"@4:74 error@4:76="slow down"@4:82(quoted) | limits@5:1 "2/hour;3 per minute"@5:11 override-defaults@5:33="false"@5:51 | route@6:1 "GET /slow"@6:15`},
		},
		{
			name: "exempt with flags, commas and spaces; package clause; method; type",
			src: `//limit:"10 per second"
package p

//limit:exempt default, meta application
func A() {}

// limit:exempt
func B() {}

//limit:"1/second"
type V struct{}

// Get gets.
//
//limit:route GET /v/{id}
func (v *V) Get() {}

type (
	// W is a view.
	//limit:shared search "5 per minute" key=k
	W struct{}
)
`,
			targets: []string{
				`package p @2:9: limits@1:1 "10 per second"@1:10`,
				`func A @5:6: exempt@4:1 default@4:16 meta@4:25 application@4:30`,
				`func B @8:6: exempt@7:1`,
				`type V @11:6: limits@10:1 "1/second"@10:10`,
				`method *V.Get @16:13: route@15:1 "GET /v/{id}"@15:15`,
				`type W @21:2: shared@20:2 search@20:17 "5 per minute"@20:25 key@20:39="k"@20:43`,
			},
		},
		{
			name:    "raw and escaped limit strings",
			src:     "package p\n\n//limit:`1 per day`\n//limit:\"1 per \\x64ay\"\nfunc F() {}\n",
			targets: []string{`func F @5:6: limits@3:1 "1 per day"@3:10 | limits@4:1 "1 per day"@4:10(escaped)`},
		},
		{
			name: "ordinary comments are not annotations",
			src: `package p

// Limits: how many requests a client may make.
// limit: the number of requests.
// Rate limit: none.
//go:noinline
//lint:ignore X y
func F() {}
`,
		},
		{
			name: "typos",
			src: `package p

//limits:"1 per day"
//Limit:"1 per day"
// Limits:"1 per day"
//limt:exempt
//limit: exempt
//limit: "1 per day"
// limit: "1 per day"
//limit:exmept
//limit:
//limit "1 per day"
//limit:=x
func F() {}
`,
			diags: []string{
				`a.go:3:3: misspelled annotation "//limits:"; write //limit:`,
				`a.go:4:3: misspelled annotation "//Limit:"; write //limit:`,
				`a.go:5:4: misspelled annotation "// Limits:"; write //limit:`,
				`a.go:6:3: misspelled annotation "//limt:"; write //limit:`,
				`a.go:7:9: space after "limit:" in "//limit: exempt" makes it ordinary text; write //limit:exempt`,
				`a.go:8:9: space after "limit:" in "//limit: \"1 per day\"" makes it ordinary text; write //limit:"1 per day"`,
				`a.go:9:10: space after "limit:" in "// limit: \"1 per day\"" makes it ordinary text; write //limit:"1 per day"`,
				`a.go:10:9: unknown annotation keyword "exmept" (did you mean exempt?); want //limit:"N per unit", //limit:exempt, //limit:route, //limit:shared or //limit:dynamic`,
				`a.go:11:3: empty annotation "//limit:"; write //limit:"N per unit", //limit:exempt, //limit:route, //limit:shared or //limit:dynamic`,
				`a.go:12:3: missing ':' in "//limit \"1 per day\""; write //limit:"1 per day"`,
				`a.go:13:9: malformed annotation "//limit:=x"; write //limit:"N per unit", //limit:exempt, //limit:route, //limit:shared or //limit:dynamic`,
			},
		},
		{
			name: "syntax errors in arguments",
			src: `package p

//limit:"1 per day
//limit:"1 per day" error="oops
//limit:"1 per day"x
//limit:"1 per day" "2 per day"
//limit:"1 per day" key=
//limit:"1 per day" =x
//limit:"1 per day" error="a\qb"
//limit:"1 per day" error="a"b
//limit:shared "1 per day"
//limit:shared
//limit:route
//limit:exempt "x"
//limit:exempt default,,meta
//limit:key=x
/* limit:"1 per day" */
func F() {}
`,
			diags: []string{
				`a.go:3:9: unterminated string "1 per day`,
				`a.go:4:27: unterminated string "oops`,
				`a.go:5:20: unexpected "x" right after the string "1 per day"; separate words with a space`,
				`a.go:6:21: unexpected string "2 per day" after the limits; write several limits in one string separated by ';'`,
				`a.go:7:21: option key= has no value`,
				`a.go:8:21: option "=x" has no name`,
				`a.go:9:27: option error="a\qb": invalid escape sequence or newline (strings follow Go syntax)`,
				`a.go:10:27: option error="a"b: unexpected "b" after the closing quote`,
				`a.go:11:9: //limit:shared needs a name before the limits, e.g. //limit:shared search "100 per hour"`,
				`a.go:12:9: //limit:shared needs a name before the limits, e.g. //limit:shared search "100 per hour"`,
				`a.go:13:9: //limit:route needs a pattern, e.g. //limit:route GET /items/{id}`,
				`a.go:14:16: //limit:exempt takes flags (default, application, meta, route), not a string "x"; //limit:exempt cannot be combined with limits`,
				`a.go:15:24: empty flag in "default,,meta"`,
				`a.go:16:9: malformed annotation "//limit:key=x"; write //limit:"N per unit", //limit:exempt, //limit:route, //limit:shared or //limit:dynamic`,
				`a.go:17:1: //limit: annotations must be // line comments, not /* */ comments`,
			},
		},
		{
			name: "misplaced annotations",
			src: `package p

//limit:"10 per day"
import "fmt"

//limit:"1 per day"

//limit:"2 per day"

func F() {
	//limit:"3 per day"
}

//limit:"4 per day"
var V int

const (
	//limit:"5 per day"
	C = 1
)

type S struct {
	//limit:"6 per day"
	X int
	Y int //limit:"7 per day"
}

type T int //limit:"8 per day"

func G() {} //limit:"9 per day"
`,
			diags: []string{
				`a.go:3:1: //limit: annotation on an import declaration; annotations belong on a handler func or method, a type, or the package clause`,
				`a.go:6:1: //limit: annotation not attached to a declaration; annotations belong in the doc comment of a handler func or method, a type, or the package clause`,
				`a.go:8:1: //limit: annotation not attached to a declaration (remove the blank line between it and the declaration below)`,
				`a.go:11:2: //limit: annotation inside the body of func F; annotations belong in the doc comment above a declaration`,
				`a.go:14:1: //limit: annotation on a var declaration; annotations belong on a handler func or method, a type, or the package clause`,
				`a.go:18:2: //limit: annotation on a const declaration; annotations belong on a handler func or method, a type, or the package clause`,
				`a.go:23:2: //limit: annotation on a struct field; annotations belong on a handler func or method, a type, or the package clause`,
				`a.go:25:8: //limit: annotation on a struct field; annotations belong on a handler func or method, a type, or the package clause`,
				`a.go:28:12: //limit: annotation on the line comment of type T (move it to the doc comment above); annotations belong on a handler func or method, a type, or the package clause`,
				`a.go:30:13: //limit: annotation not attached to a declaration; annotations belong in the doc comment of a handler func or method, a type, or the package clause`,
			},
		},
		{
			name: "blank line before package clause",
			src: `//limit:"1 per day"

package p
`,
			diags: []string{`a.go:1:1: //limit: annotation not attached to a declaration (a blank line separates it from the package clause)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			targets, diags := parseSrc(t, tt.src)
			if !slices.Equal(targets, tt.targets) {
				t.Errorf("targets:\n%s\nwant:\n%s", strings.Join(targets, "\n"), strings.Join(tt.targets, "\n"))
			}
			if !slices.Equal(diags, tt.diags) {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(diags, "\n"), strings.Join(tt.diags, "\n"))
			}
		})
	}
}
