package annotations

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// FuzzParseComment feeds one comment line above a func through ParseFile
// and Validate (without types). Neither may panic; every diagnostic must
// point into the comment; a limit string's position must map back onto its
// text. The seeds run in plain go test.
func FuzzParseComment(f *testing.F) {
	for _, seed := range []string{
		`//limit:"1 per day"`,
		`// limit:"2 per minute; 1 per second" key=k cost=2 per-method methods=GET,POST scope=s error="x y"`,
		"//limit:`1/hour` override-defaults=false exempt-when=e deduct-when=d on-breach=b",
		`//limit:exempt`,
		`//limit:exempt default,application meta route`,
		`//limit:route GET /items/{id}`,
		`//limit:route example.com/x/{rest...}`,
		`//limit:route GET /x/{$}`,
		`//limit:shared search "100 per hour" key=k`,
		`//limits:"1 per day"`,
		`//Limit:"1 per day"`,
		`//limit: exempt`,
		`//limit:exmept`,
		`//limit:`,
		`//limit "1 per day"`,
		`//limit:"1 per day`,
		`//limit:"1 per day" error="a\qb"`,
		`//limit:"1 per \x64ay; 2 per fortnight"`,
		`//limit:"" cost=0 cost=-1 methods=,FETCH`,
		`//limit:route get /a/../b`,
		`//limit:route GET /{a}/{a}`,
		`//limit:shared`,
		`//limit:dynamic plan key=k cost=2`,
		`//limit:dynamic "1/day"`,
		`//limit:dynamic`,
		`// Ordinary text: limit: none.`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\n\r") || !strings.HasPrefix(line, "//") {
			return
		}
		src := "package p\n\n" + line + "\nfunc F() {}\n"
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, "a.go", src, parser.ParseComments)
		if err != nil {
			return
		}
		tf := fset.File(file.Pos())
		lineStart := tf.LineStart(3)
		lineEnd := lineStart + token.Pos(len(line))
		inLine := func(p token.Pos) bool { return p >= lineStart && p <= lineEnd }
		targets, diags := ParseFile(fset, file)
		_, vdiags := Validate(nil, targets)
		for _, d := range append(diags, vdiags...) {
			if !inLine(d.Pos) {
				t.Errorf("diagnostic %q at %v, outside the comment", d.Message, fset.Position(d.Pos))
			}
			if d.Message == "" {
				t.Error("empty diagnostic message")
			}
		}
		for _, tg := range targets {
			for _, a := range tg.Annotations {
				if a.LimitsFunc != "" {
					off := int(a.LimitsFuncPos - lineStart)
					if !inLine(a.LimitsFuncPos) || !strings.HasPrefix(line[off:], a.LimitsFunc) {
						t.Errorf("LimitsFuncPos does not map onto %q", a.LimitsFunc)
					}
				} else if a.Kind == LimitsAnnotation || a.Kind == SharedAnnotation {
					if !inLine(a.LimitsPos) {
						t.Fatalf("LimitsPos outside the line")
					}
					if a.LimitsRaw {
						off := int(a.LimitsPos - lineStart)
						if got := line[off : off+len(a.Limits)]; got != a.Limits {
							t.Errorf("LimitsPos maps to %q, want %q", got, a.Limits)
						}
					}
				}
				for _, o := range a.Options {
					off := int(o.Pos - lineStart)
					if !inLine(o.Pos) || !strings.HasPrefix(line[off:], o.Name) {
						t.Errorf("option %q position does not map onto its name", o.Name)
					}
				}
				for _, fl := range a.Flags {
					off := int(fl.Pos - lineStart)
					if !inLine(fl.Pos) || !strings.HasPrefix(line[off:], fl.Name) {
						t.Errorf("flag %q position does not map onto its name", fl.Name)
					}
				}
				if a.Kind == RouteAnnotation {
					off := int(a.PatternPos - lineStart)
					if !inLine(a.PatternPos) || !strings.HasPrefix(line[off:], a.Pattern) {
						t.Errorf("pattern %q position does not map onto it", a.Pattern)
					}
				}
			}
		}
	})
}
