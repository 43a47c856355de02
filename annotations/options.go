package annotations

import (
	"errors"
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"math"
	"strconv"
	"strings"

	"github.com/limitgen/limitgen/runtime"
)

// optionNames are the options a limit annotation accepts.
var optionNames = []string{"key", "cost", "per-method", "methods", "scope", "error", "exempt-when", "deduct-when", "on-breach", "override-defaults"}

// flaskOptions maps Flask-Limiter's keyword arguments to limitgen's
// options, for suggestions.
var flaskOptions = map[string]string{
	"key_func":          "key",
	"error_message":     "error",
	"per_method":        "per-method",
	"exempt_when":       "exempt-when",
	"deduct_when":       "deduct-when",
	"on_breach":         "on-breach",
	"override_defaults": "override-defaults",
}

// validator holds the state of one Validate call.
type validator struct {
	pkg   *types.Package
	diags []Diagnostic
}

func (v *validator) errorf(pos, end token.Pos, format string, args ...any) {
	v.diags = append(v.diags, Diagnostic{Pos: pos, End: end, Message: fmt.Sprintf(format, args...)})
}

// rule validates one limits or shared annotation. ok is false if it has
// errors (the rule is still returned with what could be understood).
func (v *validator) rule(a *Annotation) (Rule, bool) {
	r := Rule{Pos: a.Pos, Text: a.Limits, TextPos: a.LimitsPos, Options: a.Options}
	ok := true
	if a.Kind == SharedAnnotation {
		r.Shared = a.SharedName
		if !validName(a.SharedName) {
			v.errorf(a.SharedNamePos, a.SharedNamePos+token.Pos(len(a.SharedName)), "shared limit name %q: use letters, digits, '_', '-' and '.'", a.SharedName)
			ok = false
		}
	}
	if a.LimitsFunc != "" {
		o := Option{Name: dynamicLabel, Value: a.LimitsFunc, ValuePos: a.LimitsFuncPos, HasValue: true}
		if ref, found := v.funcRef(o, a.LimitsFuncPos+token.Pos(len(a.LimitsFunc)), messageShape); found {
			r.LimitsFunc = ref
		} else {
			ok = false
		}
		r.Text, r.TextPos = a.LimitsFunc, a.LimitsFuncPos
		return v.options(r, a, ok)
	}
	limits, err := runtime.ParseLimits(a.Limits)
	if err != nil {
		ok = false
		var le *runtime.LimitError
		if errors.As(err, &le) {
			pos := a.LimitsPos
			if a.LimitsRaw {
				pos += token.Pos(le.Offset)
			}
			end := pos + token.Pos(len(le.Text))
			if strings.TrimSpace(le.Input) == le.Text {
				v.errorf(pos, end, "invalid limit %q: %s", le.Text, le.Msg)
			} else {
				v.errorf(pos, end, "invalid limit %q in %q: %s", le.Text, le.Input, le.Msg)
			}
		} else {
			v.errorf(a.LimitsPos, a.LimitsPos, "invalid limits %q: %v", a.Limits, err)
		}
	}
	r.Limits = limits
	return v.options(r, a, ok)
}

// dynamicLabel names //limit:dynamic's func in messages about it, in place
// of an option's name.
const dynamicLabel = "//limit:dynamic"

// label is how messages quote the option: "name=value", or
// "//limit:dynamic fn" for the func of //limit:dynamic.
func label(o Option) string {
	if o.Name == dynamicLabel {
		return dynamicLabel + " " + o.Value
	}
	return o.Name + "=" + shown(o)
}

// options validates a's options into r; ok carries the result so far.
func (v *validator) options(r Rule, a *Annotation, ok bool) (Rule, bool) {
	seen := map[string]token.Pos{}
	for _, o := range a.Options {
		if !v.option(&r, o, seen, a.Kind) {
			ok = false
		}
	}
	return r, ok
}

// option validates one option into r.
func (v *validator) option(r *Rule, o Option, seen map[string]token.Pos, kind AnnotationKind) bool {
	nameEnd := o.Pos + token.Pos(len(o.Name))
	known := false
	for _, n := range optionNames {
		known = known || n == o.Name
	}
	if !known {
		alt := suggest(o.Name, optionNames)
		if a, ok := flaskOptions[strings.ToLower(o.Name)]; ok {
			alt = a
		}
		hint := ""
		if alt != "" {
			hint = " (did you mean " + alt + "?)"
		}
		v.errorf(o.Pos, nameEnd, "unknown option %q%s; options are %s", o.Name, hint, strings.Join(optionNames, ", "))
		if alt != "" {
			withFix(v.diags, o.Pos, nameEnd, alt, "Replace "+strconv.Quote(o.Name)+" with "+strconv.Quote(alt))
		}
		return false
	}
	if _, dup := seen[o.Name]; dup {
		v.errorf(o.Pos, nameEnd, "option %s given twice", o.Name)
		return false
	}
	seen[o.Name] = o.Pos
	valEnd := o.ValuePos + token.Pos(len(o.Value))
	if o.Quoted {
		valEnd = o.ValuePos + token.Pos(len(strconv.Quote(o.Value)))
	}
	bad := func(format string, args ...any) bool {
		v.errorf(o.ValuePos, valEnd, "%s=%s: %s", o.Name, shown(o), fmt.Sprintf(format, args...))
		return false
	}
	switch o.Name {
	case "per-method", "override-defaults":
		b := true
		if o.HasValue {
			var err error
			if b, err = strconv.ParseBool(o.Value); err != nil || o.Quoted {
				return bad("want true or false")
			}
		}
		if o.Name == "per-method" {
			r.PerMethod = b
		} else {
			r.KeepDefaults = !b
		}
		return true
	}
	if !o.HasValue {
		example := map[string]string{"key": "key=clientKey", "cost": "cost=2", "methods": "methods=GET,POST", "scope": "scope=search", "error": `error="too many requests"`, "exempt-when": "exempt-when=isAdmin", "deduct-when": "deduct-when=failed", "on-breach": "on-breach=logBreach"}[o.Name]
		v.errorf(o.Pos, nameEnd, "option %s needs a value, e.g. %s", o.Name, example)
		return false
	}
	switch o.Name {
	case "error":
		if !o.Quoted {
			if !token.IsIdentifier(o.Value) {
				return bad("want a quoted string, e.g. error=%q, or the name of a func %s", o.Value, messageShape.want())
			}
			if v.pkg != nil && v.pkg.Scope().Lookup(o.Value) == nil {
				return bad("no func %s in package %s; a message is quoted: error=%q", o.Value, v.pkg.Name(), o.Value)
			}
			ref, ok := v.funcRef(o, valEnd, messageShape)
			if !ok {
				return false
			}
			r.ErrorMessageFunc = ref
			return true
		}
		if o.Value == "" {
			return bad("the message is empty")
		}
		r.ErrorMessage = o.Value
	case "scope":
		if kind == SharedAnnotation {
			return bad("a shared limit's name is its scope; drop scope=")
		}
		if !validName(o.Value) {
			return bad("use letters, digits, '_', '-' and '.'")
		}
		r.Scope = o.Value
	case "methods":
		if o.Quoted {
			return bad("want unquoted methods, e.g. methods=GET,POST")
		}
		off := 0
		for _, m := range strings.Split(o.Value, ",") {
			mpos := o.ValuePos + token.Pos(off)
			off += len(m) + 1
			up := strings.ToUpper(m)
			if !isMethod(up) {
				if m == "" {
					v.errorf(mpos, mpos, "%s=%s: empty method", o.Name, o.Value)
				} else {
					v.errorf(mpos, mpos+token.Pos(len(m)), "%s=%s: %q is not an HTTP method%s", o.Name, o.Value, m, didYouMean(up, httpMethods))
				}
				return false
			}
			for _, prev := range r.Methods {
				if prev == up {
					v.errorf(mpos, mpos+token.Pos(len(m)), "%s=%s: %s listed twice", o.Name, o.Value, up)
					return false
				}
			}
			r.Methods = append(r.Methods, up)
		}
	case "cost":
		if o.Quoted {
			return bad("want a positive whole number, an int constant or a func; not a string")
		}
		if c := o.Value[0]; c >= '0' && c <= '9' || c == '-' || c == '+' {
			n, err := strconv.ParseInt(o.Value, 10, 64)
			if err != nil || n <= 0 {
				return bad("want a positive whole number, an int constant or a %s", costShape.want())
			}
			r.Cost = n
			return true
		}
		return v.costRef(r, o, valEnd)
	case "key", "exempt-when", "deduct-when", "on-breach":
		shape := map[string]funcShape{"key": keyShape, "exempt-when": exemptShape, "deduct-when": deductShape, "on-breach": breachShape}[o.Name]
		ref, ok := v.funcRef(o, valEnd, shape)
		if !ok {
			return false
		}
		switch o.Name {
		case "key":
			r.Key = ref
		case "exempt-when":
			r.ExemptWhen = ref
		case "deduct-when":
			r.DeductWhen = ref
		case "on-breach":
			r.OnBreach = ref
		}
	}
	return true
}

// shown is the option's value as written.
func shown(o Option) string {
	if o.Quoted {
		return strconv.Quote(o.Value)
	}
	return o.Value
}

// funcRef checks that o's value names a func of the package with the shape.
func (v *validator) funcRef(o Option, valEnd token.Pos, shape funcShape) (*FuncRef, bool) {
	if o.Quoted || !token.IsIdentifier(o.Value) {
		why := "want the name of a func of this package"
		if strings.Contains(o.Value, ".") && !o.Quoted {
			why = "name a func of this package (wrap funcs of other packages in one)"
		}
		v.errorf(o.ValuePos, valEnd, "%s: %s with signature %s", label(o), why, shape.want())
		return nil, false
	}
	ref := &FuncRef{Name: o.Value, Pos: o.ValuePos}
	if v.pkg == nil {
		return ref, true
	}
	obj := v.pkg.Scope().Lookup(o.Value)
	if obj == nil {
		v.errorf(o.ValuePos, valEnd, "%s: no func %s in package %s%s", label(o), o.Value, v.pkg.Name(), didYouMean(o.Value, v.funcNames()))
		return nil, false
	}
	return ref, v.checkFuncObj(o, valEnd, obj, shape)
}

// checkFuncObj checks that obj is a func (or var of func type) of shape.
func (v *validator) checkFuncObj(o Option, valEnd token.Pos, obj types.Object, shape funcShape) bool {
	switch obj.(type) {
	case *types.Func, *types.Var:
	default:
		v.errorf(o.ValuePos, valEnd, "%s: %s is %s, want a func with signature %s", label(o), o.Value, describe(obj), shape.want())
		return false
	}
	if !shape.matches(obj.Type()) {
		v.errorf(o.ValuePos, valEnd, "%s: %s has type %s, want %s", label(o), o.Value, types.TypeString(obj.Type(), qualifier(v.pkg)), shape.want())
		return false
	}
	return true
}

// costRef resolves cost=name: an int constant or a CostFunc.
func (v *validator) costRef(r *Rule, o Option, valEnd token.Pos) bool {
	if !token.IsIdentifier(o.Value) {
		v.errorf(o.ValuePos, valEnd, "%s=%s: want a positive whole number, an int constant or a %s", o.Name, o.Value, costShape.want())
		return false
	}
	if v.pkg == nil {
		r.CostFunc = &FuncRef{Name: o.Value, Pos: o.ValuePos}
		return true
	}
	obj := v.pkg.Scope().Lookup(o.Value)
	if obj == nil {
		v.errorf(o.ValuePos, valEnd, "%s=%s: no func or constant %s in package %s%s", o.Name, o.Value, o.Value, v.pkg.Name(), didYouMean(o.Value, v.funcNames()))
		return false
	}
	if c, ok := obj.(*types.Const); ok {
		val := constant.ToInt(c.Val())
		n, exact := constant.Int64Val(val)
		if val.Kind() != constant.Int || !exact || n <= 0 || n > math.MaxInt64 {
			v.errorf(o.ValuePos, valEnd, "%s=%s: constant %s = %s is not a positive whole number", o.Name, o.Value, o.Value, c.Val())
			return false
		}
		if b, ok := c.Type().Underlying().(*types.Basic); !ok || b.Info()&types.IsInteger == 0 {
			v.errorf(o.ValuePos, valEnd, "%s=%s: constant %s has type %s, want an integer type", o.Name, o.Value, o.Value, types.TypeString(c.Type(), qualifier(v.pkg)))
			return false
		}
		r.Cost, r.CostConst = n, o.Value
		return true
	}
	if !v.checkFuncObj(o, valEnd, obj, costShape) {
		return false
	}
	r.CostFunc = &FuncRef{Name: o.Value, Pos: o.ValuePos}
	return true
}

// funcNames lists the package's funcs and vars, for suggestions.
func (v *validator) funcNames() []string {
	var names []string
	for _, n := range v.pkg.Scope().Names() {
		switch v.pkg.Scope().Lookup(n).(type) {
		case *types.Func, *types.Var, *types.Const:
			names = append(names, n)
		}
	}
	return names
}

// describe says what kind of object obj is: "a type", "a constant", ….
func describe(obj types.Object) string {
	switch obj.(type) {
	case *types.TypeName:
		return "a type"
	case *types.Const:
		return "a constant"
	case *types.Var:
		return "a variable"
	case *types.PkgName:
		return "an imported package"
	}
	return "not a func"
}

// validName reports whether s is a usable scope or shared-limit name.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
