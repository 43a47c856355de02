package annotations

import (
	"go/ast"
	"go/token"
)

// TargetKind says what kind of declaration an annotation is attached to.
type TargetKind uint8

const (
	// PackageTarget is the package clause: its annotations cover every route
	// of the package (a Flask blueprint's limits).
	PackageTarget TargetKind = iota + 1
	// FuncTarget is a package-level func, normally a handler of type
	// func(http.ResponseWriter, *http.Request).
	FuncTarget
	// MethodTarget is a method, normally a handler method of a view type.
	MethodTarget
	// TypeTarget is a named type: either a type implementing http.Handler
	// (itself a handler) or a view type whose handler methods the
	// annotations cover (a class-based view).
	TypeTarget
)

// String returns "package", "func", "method" or "type".
func (k TargetKind) String() string {
	switch k {
	case PackageTarget:
		return "package"
	case FuncTarget:
		return "func"
	case MethodTarget:
		return "method"
	case TypeTarget:
		return "type"
	}
	return "target(?)"
}

// Target is one declaration with its //limit: annotations, as ParseFile
// finds it. Targets are plain data: safe to read concurrently, not to
// mutate concurrently.
type Target struct {
	// Kind is what is annotated.
	Kind TargetKind
	// Name is the func, method or type name; for PackageTarget the package
	// name.
	Name string
	// Recv is the receiver's type name (without '*' or type parameters) for
	// a MethodTarget, "" otherwise.
	Recv string
	// PtrRecv reports whether a MethodTarget has a pointer receiver.
	PtrRecv bool
	// Pos is the position of the declared name (the package name for
	// PackageTarget).
	Pos token.Pos
	// Decl is the declaration: *ast.File for PackageTarget, *ast.FuncDecl
	// for FuncTarget and MethodTarget, *ast.TypeSpec for TypeTarget.
	Decl ast.Node
	// Annotations are the target's annotations in source order.
	Annotations []*Annotation
}

// AnnotationKind says which form an annotation has.
type AnnotationKind uint8

const (
	// LimitsAnnotation is `//limit:"…" options` (or gofmt's `// limit:"…" options`):
	// one rule with one or more limits.
	LimitsAnnotation AnnotationKind = iota + 1
	// ExemptAnnotation is `//limit:exempt [flags]`.
	ExemptAnnotation
	// RouteAnnotation is `//limit:route [METHOD] [host]/path`.
	RouteAnnotation
	// SharedAnnotation is `//limit:shared name "…" options`: a rule whose
	// limits are counted once for every route naming the same shared limit.
	SharedAnnotation
)

// String returns the annotation's keyword: "limits", "exempt", "route" or
// "shared".
func (k AnnotationKind) String() string {
	switch k {
	case LimitsAnnotation:
		return "limits"
	case ExemptAnnotation:
		return "exempt"
	case RouteAnnotation:
		return "route"
	case SharedAnnotation:
		return "shared"
	}
	return "annotation(?)"
}

// Annotation is one //limit: comment line, split into its parts but not yet
// checked for meaning (that is Validate's job). Every part carries the
// position of its first byte in the source.
type Annotation struct {
	// Kind is the annotation's form.
	Kind AnnotationKind
	// Pos is the position of the comment's "//".
	Pos token.Pos
	// End is the position just after the comment.
	End token.Pos
	// Text is the whole comment line as written, including "//".
	Text string

	// Limits is the limit text inside the quotes for LimitsAnnotation and SharedAnnotation
	// (after Go unquoting), e.g. "2 per minute; 1 per second".
	Limits string
	// LimitsPos is the position of the first byte of Limits inside the
	// quotes.
	LimitsPos token.Pos
	// LimitsRaw reports whether the limit text can be mapped byte for byte
	// onto the source (no escape sequences), so LimitsPos+offset points at
	// the offset's byte.
	LimitsRaw bool

	// Options are the options after the limit text, in source order
	// (LimitsAnnotation and SharedAnnotation only).
	Options []Option

	// Flags are the words after `//limit:exempt`, e.g. "default",
	// "application", "meta"; empty means exempt from everything.
	Flags []Flag

	// Pattern is the text after `//limit:route`, e.g. "GET /slow", with
	// its surrounding space removed but otherwise as written.
	Pattern string
	// PatternPos is the position of the first byte of Pattern.
	PatternPos token.Pos

	// SharedName is the name after `//limit:shared`.
	SharedName string
	// SharedNamePos is the position of SharedName.
	SharedNamePos token.Pos

	// LimitsFunc is the func name after `//limit:dynamic` (a
	// LimitsAnnotation without Limits), whose result gives the limits per
	// request.
	LimitsFunc string
	// LimitsFuncPos is the position of LimitsFunc.
	LimitsFuncPos token.Pos
}

// Option is one `name` or `name=value` word after a limit string.
type Option struct {
	// Name is the option's name as written, e.g. "key".
	Name string
	// Pos is the position of Name.
	Pos token.Pos
	// HasValue reports whether "=value" was written.
	HasValue bool
	// Value is the value after '=', unquoted if it was quoted.
	Value string
	// ValuePos is the position of the value's first byte (its opening
	// quote if quoted); NoPos without a value.
	ValuePos token.Pos
	// Quoted reports whether the value was a Go string literal ("…" or
	// `…`).
	Quoted bool
}

// Flag is one flag word after `//limit:exempt`.
type Flag struct {
	// Name is the flag as written, e.g. "default".
	Name string
	// Pos is the position of Name.
	Pos token.Pos
}
