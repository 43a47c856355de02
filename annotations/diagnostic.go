package annotations

import (
	"cmp"
	"go/token"
	"slices"
	"strconv"
)

// Diagnostic is one problem found in annotations, at an exact position.
type Diagnostic struct {
	// Pos is where the problem is; for a bad limit string it points into
	// the string at the offending limit.
	Pos token.Pos
	// End is the end of the offending text, or NoPos if unknown.
	End token.Pos
	// Message says what is wrong, quoting the text; it does not repeat the
	// position.
	Message string
	// Fix, if not nil, is the edit that corrects an evident typo (the
	// suggestion of a "did you mean"); the analyzer offers it as a
	// suggested fix. Nil when the right text is not known.
	Fix *Edit
}

// Edit replaces the source text between Pos and End with NewText.
type Edit struct {
	// Pos and End delimit the replaced text; Pos == End inserts.
	Pos, End token.Pos
	// NewText is the replacement.
	NewText string
	// Message describes the edit, e.g. `Replace "limits" with "limit"`.
	Message string
}

// withFix sets the fix of the last diagnostic of ds.
func withFix(ds []Diagnostic, pos, end token.Pos, newText, message string) {
	if len(ds) > 0 {
		ds[len(ds)-1].Fix = &Edit{Pos: pos, End: end, NewText: newText, Message: message}
	}
}

// Format returns the diagnostic as a compiler prints it:
// "file:line:col: message". Columns count bytes from 1, as go/token does.
// A diagnostic without a position prints just its message.
func (d Diagnostic) Format(fset *token.FileSet) string {
	if !d.Pos.IsValid() || fset == nil {
		return d.Message
	}
	p := fset.Position(d.Pos)
	return p.Filename + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column) + ": " + d.Message
}

// SortDiagnostics sorts ds by file name, line and column (then message), so
// output does not depend on the order files were parsed in.
func SortDiagnostics(fset *token.FileSet, ds []Diagnostic) {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		pa, pb := fset.Position(a.Pos), fset.Position(b.Pos)
		if c := cmp.Compare(pa.Filename, pb.Filename); c != 0 {
			return c
		}
		if c := cmp.Compare(pa.Line, pb.Line); c != 0 {
			return c
		}
		if c := cmp.Compare(pa.Column, pb.Column); c != 0 {
			return c
		}
		return cmp.Compare(a.Message, b.Message)
	})
}
