package annotations

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// keywords are the words that may follow `//limit:`.
var keywords = []string{"dynamic", "exempt", "route", "shared"}

// ParseFile finds every //limit: annotation of f (both spellings,
// `//limit:"…"` and gofmt's `// limit:"…"`) and attaches each to its
// declaration: the package clause, a func, a method or a type. It checks
// syntax only: misplaced annotations (not in the doc comment of one of
// those declarations), look-alike typos (`//limits:`, `//limit: exempt`,
// `//Limit:`, unknown keywords) and malformed quoting are returned as
// diagnostics, in source order. Targets come in source order; a
// declaration without annotations has no Target. fset must hold f; it is
// used only to tell whether a blank line separates a comment from a
// declaration.
func ParseFile(fset *token.FileSet, f *ast.File) ([]*Target, []Diagnostic) {
	p := &fileParser{fset: fset, owners: map[*ast.CommentGroup]owner{}}
	p.collectOwners(f)
	var targets []*Target
	seen := map[*Target]bool{}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			a := p.parseComment(c)
			if a == nil {
				continue
			}
			o, ok := p.owners[cg]
			switch {
			case ok && o.target != nil:
				o.target.Annotations = append(o.target.Annotations, a)
				if !seen[o.target] {
					seen[o.target] = true
					targets = append(targets, o.target)
				}
			case ok:
				p.errorf(a.Pos, a.End, "//limit: annotation on %s; annotations belong on a handler func or method, a type, or the package clause", o.misplaced)
			default:
				p.errorf(a.Pos, a.End, "%s", p.floating(f, cg))
			}
		}
	}
	// Targets in source order of their declarations.
	sortTargets(targets)
	return targets, p.diags
}

// owner is what a doc comment group belongs to: a target, or a
// declaration that cannot carry annotations (described by misplaced).
type owner struct {
	target    *Target
	misplaced string
}

type fileParser struct {
	fset   *token.FileSet
	owners map[*ast.CommentGroup]owner
	diags  []Diagnostic
}

func (p *fileParser) errorf(pos, end token.Pos, format string, args ...any) {
	p.diags = append(p.diags, Diagnostic{Pos: pos, End: end, Message: fmt.Sprintf(format, args...)})
}

// collectOwners maps every doc comment of f to its declaration.
func (p *fileParser) collectOwners(f *ast.File) {
	if f.Doc != nil {
		p.owners[f.Doc] = owner{target: &Target{Kind: PackageTarget, Name: f.Name.Name, Pos: f.Name.Pos(), Decl: f}}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Doc == nil {
				continue
			}
			t := &Target{Kind: FuncTarget, Name: d.Name.Name, Pos: d.Name.Pos(), Decl: d}
			if d.Recv != nil && len(d.Recv.List) == 1 {
				t.Kind = MethodTarget
				t.Recv, t.PtrRecv = recvName(d.Recv.List[0].Type)
			}
			p.owners[d.Doc] = owner{target: t}
		case *ast.GenDecl:
			if d.Tok == token.TYPE {
				if d.Doc != nil {
					if !d.Lparen.IsValid() && len(d.Specs) == 1 {
						ts := d.Specs[0].(*ast.TypeSpec)
						p.owners[d.Doc] = owner{target: &Target{Kind: TypeTarget, Name: ts.Name.Name, Pos: ts.Name.Pos(), Decl: ts}}
					} else {
						p.owners[d.Doc] = owner{misplaced: "a type ( … ) group (annotate each type spec inside it)"}
					}
				}
				for _, s := range d.Specs {
					ts := s.(*ast.TypeSpec)
					if ts.Doc != nil {
						p.owners[ts.Doc] = owner{target: &Target{Kind: TypeTarget, Name: ts.Name.Name, Pos: ts.Name.Pos(), Decl: ts}}
					}
					if ts.Comment != nil {
						p.owners[ts.Comment] = owner{misplaced: "the line comment of type " + ts.Name.Name + " (move it to the doc comment above)"}
					}
					p.fieldOwners(ts.Type)
				}
				continue
			}
			what := map[token.Token]string{token.VAR: "a var declaration", token.CONST: "a const declaration", token.IMPORT: "an import declaration"}[d.Tok]
			if d.Doc != nil {
				p.owners[d.Doc] = owner{misplaced: what}
			}
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					if s.Doc != nil {
						p.owners[s.Doc] = owner{misplaced: what}
					}
					if s.Comment != nil {
						p.owners[s.Comment] = owner{misplaced: what}
					}
				case *ast.ImportSpec:
					if s.Doc != nil {
						p.owners[s.Doc] = owner{misplaced: what}
					}
					if s.Comment != nil {
						p.owners[s.Comment] = owner{misplaced: what}
					}
				}
			}
		}
	}
}

// fieldOwners marks the doc and line comments of struct fields and
// interface methods as misplaced.
func (p *fileParser) fieldOwners(t ast.Expr) {
	var fl *ast.FieldList
	what := "a struct field"
	switch t := t.(type) {
	case *ast.StructType:
		fl = t.Fields
	case *ast.InterfaceType:
		fl, what = t.Methods, "an interface method"
	}
	if fl == nil {
		return
	}
	for _, fd := range fl.List {
		if fd.Doc != nil {
			p.owners[fd.Doc] = owner{misplaced: what}
		}
		if fd.Comment != nil {
			p.owners[fd.Comment] = owner{misplaced: what}
		}
	}
}

// floating explains why an annotation in cg belongs to no declaration.
func (p *fileParser) floating(f *ast.File, cg *ast.CommentGroup) string {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && fd.Body.Pos() < cg.Pos() && cg.End() <= fd.Body.End() {
			return "//limit: annotation inside the body of func " + fd.Name.Name + "; annotations belong in the doc comment above a declaration"
		}
	}
	if cg.Pos() < f.Package {
		return "//limit: annotation not attached to a declaration (a blank line separates it from the package clause)"
	}
	end := p.fset.Position(cg.End())
	for _, d := range f.Decls {
		if d.Pos() > cg.End() {
			if start := p.fset.Position(d.Pos()); start.Line == end.Line+2 {
				return "//limit: annotation not attached to a declaration (remove the blank line between it and the declaration below)"
			}
			break
		}
	}
	return "//limit: annotation not attached to a declaration; annotations belong in the doc comment of a handler func or method, a type, or the package clause"
}

// recvName returns the receiver's type name and whether it is a pointer.
func recvName(e ast.Expr) (string, bool) {
	ptr := false
	if s, ok := e.(*ast.StarExpr); ok {
		ptr, e = true, s.X
	}
	switch x := e.(type) {
	case *ast.IndexExpr:
		e = x.X
	case *ast.IndexListExpr:
		e = x.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name, ptr
	}
	return "", ptr
}

func sortTargets(ts []*Target) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Pos < ts[j-1].Pos; j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// parseComment recognises one comment line. It returns nil for a comment
// that is not an annotation (a typo is reported and yields nil too).
func (p *fileParser) parseComment(c *ast.Comment) *Annotation {
	text := c.Text
	if strings.HasPrefix(text, "/*") {
		if w := strings.TrimLeft(text[2:], " \t\r\n*"); strings.HasPrefix(w, "limit:") {
			p.errorf(c.Slash, c.End(), "//limit: annotations must be // line comments, not /* */ comments")
		}
		return nil
	}
	body := text[2:]
	trimmed := strings.TrimLeft(body, " \t")
	spaced := len(trimmed) < len(body)
	off := 2 + len(body) - len(trimmed) // offset of the word in text
	word := leadingWord(trimmed)
	if word == "" {
		return nil
	}
	pos := func(o int) token.Pos { return c.Slash + token.Pos(o) }
	end := pos(len(text))
	afterWord := trimmed[len(word):]
	if word != "limit" {
		if !strings.HasPrefix(afterWord, ":") || !looksLikeLimit(word) {
			return nil
		}
		rest := afterWord[1:]
		if spaced && !strings.HasPrefix(rest, `"`) && !strings.HasPrefix(rest, "`") {
			return nil // ordinary doc text such as "// Limits: ..."
		}
		p.errorf(pos(off), end, "misspelled annotation %q; write //limit:", "//"+body[:len(body)-len(trimmed)]+word+":")
		withFix(p.diags, pos(off), pos(off+len(word)), "limit", "Replace "+strconv.Quote(word)+" with \"limit\"")
		return nil
	}
	if !strings.HasPrefix(afterWord, ":") {
		// "//limit "1 per day"" without the colon.
		r := strings.TrimLeft(afterWord, " \t")
		if !spaced && (strings.HasPrefix(r, `"`) || strings.HasPrefix(r, "`") || startsWithKeyword(r)) {
			p.errorf(pos(off), end, "missing ':' in %q; write //limit:%s", text, r)
			withFix(p.diags, pos(off+len(word)), pos(len(text)-len(r)), ":", "Write //limit:")
		}
		return nil
	}
	argOff := off + len(word) + 1
	rest := text[argOff:]
	a := &Annotation{Pos: c.Slash, End: end, Text: text}
	switch {
	case strings.HasPrefix(rest, `"`), strings.HasPrefix(rest, "`"):
		a.Kind = LimitsAnnotation
		toks, ok := p.lex(text, argOff, c.Slash)
		if !ok {
			return nil
		}
		if !p.limitsAndOptions(a, toks, "//limit:\"…\"") {
			return nil
		}
		return a
	case rest == "":
		if !spaced {
			p.errorf(pos(off), end, "empty annotation %q; write //limit:\"N per unit\", //limit:exempt, //limit:route, //limit:shared or //limit:dynamic", text)
		}
		return nil
	case rest[0] == ' ' || rest[0] == '\t':
		r := strings.TrimLeft(rest, " \t")
		if !spaced || strings.HasPrefix(r, `"`) || startsWithKeyword(r) {
			fix := "//limit:" + r
			if len(fix) > 40 {
				fix = fix[:37] + "..."
			}
			p.errorf(pos(argOff), end, "space after \"limit:\" in %q makes it ordinary text; write %s", text, fix)
			withFix(p.diags, pos(argOff), pos(len(text)-len(r)), "", "Remove the space after \"limit:\"")
		}
		return nil
	}
	kw := leadingKeyword(rest)
	next := rest[len(kw):]
	if kw == "" || next != "" && next[0] != ' ' && next[0] != '\t' {
		if !spaced {
			p.errorf(pos(argOff), end, "malformed annotation %q; write //limit:\"N per unit\", //limit:exempt, //limit:route, //limit:shared or //limit:dynamic", text)
		}
		return nil
	}
	kwEnd := argOff + len(kw)
	switch kw {
	case "exempt":
		a.Kind = ExemptAnnotation
		toks, ok := p.lex(text, kwEnd, c.Slash)
		if !ok {
			return nil
		}
		for _, t := range toks {
			if t.quoted {
				p.errorf(pos(t.off), pos(t.off+len(t.raw)), "//limit:exempt takes flags (default, application, meta, route), not a string %s; //limit:exempt cannot be combined with limits", t.raw)
				return nil
			}
			// Flags may be separated by commas as well as spaces.
			o := t.off
			parts := strings.Split(t.raw, ",")
			if len(parts) > 1 && parts[len(parts)-1] == "" {
				parts = parts[:len(parts)-1] // "default, meta"
			}
			for _, part := range parts {
				if part == "" {
					p.errorf(pos(o), pos(o+1), "empty flag in %q", t.raw)
					return nil
				}
				a.Flags = append(a.Flags, Flag{Name: part, Pos: pos(o)})
				o += len(part) + 1
			}
		}
		return a
	case "route":
		a.Kind = RouteAnnotation
		r := text[kwEnd:]
		pat := strings.Trim(r, " \t")
		if pat == "" {
			p.errorf(pos(argOff), end, "//limit:route needs a pattern, e.g. //limit:route GET /items/{id}")
			return nil
		}
		a.Pattern = pat
		a.PatternPos = pos(kwEnd + len(r) - len(strings.TrimLeft(r, " \t")))
		return a
	case "dynamic":
		a.Kind = LimitsAnnotation
		toks, ok := p.lex(text, kwEnd, c.Slash)
		if !ok {
			return nil
		}
		if len(toks) == 0 || toks[0].quoted || strings.Contains(toks[0].raw, "=") {
			p.errorf(pos(argOff), end, "//limit:dynamic needs the name of a func giving the limits per request, e.g. //limit:dynamic planLimits")
			return nil
		}
		a.LimitsFunc, a.LimitsFuncPos = toks[0].raw, pos(toks[0].off)
		if !p.options(a, toks[1:]) {
			return nil
		}
		return a
	case "shared":
		a.Kind = SharedAnnotation
		toks, ok := p.lex(text, kwEnd, c.Slash)
		if !ok {
			return nil
		}
		if len(toks) == 0 || toks[0].quoted || strings.Contains(toks[0].raw, "=") {
			p.errorf(pos(argOff), end, "//limit:shared needs a name before the limits, e.g. //limit:shared search \"100 per hour\"")
			return nil
		}
		a.SharedName, a.SharedNamePos = toks[0].raw, pos(toks[0].off)
		if !p.limitsAndOptions(a, toks[1:], "//limit:shared "+a.SharedName+" \"…\"") {
			return nil
		}
		return a
	}
	if !spaced || suggest(kw, keywords) != "" {
		p.errorf(pos(argOff), pos(kwEnd), "unknown annotation keyword %q%s; want //limit:\"N per unit\", //limit:exempt, //limit:route, //limit:shared or //limit:dynamic", kw, didYouMean(kw, keywords))
		if s := suggest(kw, keywords); s != "" {
			withFix(p.diags, pos(argOff), pos(kwEnd), s, "Replace "+strconv.Quote(kw)+" with "+strconv.Quote(s))
		}
	}
	return nil
}

// limitsAndOptions fills a's limit text and options from toks, which must
// start with the quoted limit string.
func (p *fileParser) limitsAndOptions(a *Annotation, toks []argToken, form string) bool {
	pos := func(o int) token.Pos { return a.Pos + token.Pos(o) }
	if len(toks) == 0 || !toks[0].quoted {
		p.errorf(a.Pos, a.End, "%s needs a quoted limit string, e.g. \"10 per minute\"", form)
		return false
	}
	lt := toks[0]
	a.Limits = lt.value
	a.LimitsPos = pos(lt.off + 1)
	a.LimitsRaw = lt.raw[1:len(lt.raw)-1] == lt.value
	return p.options(a, toks[1:])
}

// options fills a's options from toks, the words after its limits.
func (p *fileParser) options(a *Annotation, toks []argToken) bool {
	pos := func(o int) token.Pos { return a.Pos + token.Pos(o) }
	ok := true
	for _, t := range toks {
		if t.quoted {
			p.errorf(pos(t.off), pos(t.off+len(t.raw)), "unexpected string %s after the limits; write several limits in one string separated by ';'", t.raw)
			ok = false
			continue
		}
		name, val, has := strings.Cut(t.raw, "=")
		o := Option{Name: name, Pos: pos(t.off), HasValue: has}
		if name == "" {
			p.errorf(pos(t.off), pos(t.off+len(t.raw)), "option %q has no name", t.raw)
			ok = false
			continue
		}
		if has {
			voff := t.off + len(name) + 1
			o.ValuePos = pos(voff)
			if val == "" {
				p.errorf(pos(t.off), pos(voff), "option %s= has no value", name)
				ok = false
				continue
			}
			if val[0] == '"' || val[0] == '`' {
				uq, err := unquotePrefix(val)
				if err != nil {
					p.errorf(pos(voff), pos(voff+len(val)), "option %s=%s: %v", name, val, err)
					ok = false
					continue
				}
				o.Value, o.Quoted = uq, true
			} else {
				o.Value = val
			}
		}
		a.Options = append(a.Options, o)
	}
	return ok
}

// looksLikeLimit reports whether word is a likely misspelling of "limit".
func looksLikeLimit(word string) bool {
	w := strings.ToLower(word)
	return word != "limit" && len(w) <= 8 && editDistance(w, "limit") <= 1
}

func leadingWord(s string) string {
	i := 0
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	return s[:i]
}

func leadingKeyword(s string) string {
	i := 0
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9' || s[i] == '-' || s[i] == '_') {
		i++
	}
	return s[:i]
}

func startsWithKeyword(s string) bool {
	kw := leadingKeyword(s)
	return kw != "" && (suggest(kw, keywords) != "")
}
