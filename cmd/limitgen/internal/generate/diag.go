package generate

import (
	"cmp"
	"fmt"
	"go/token"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// Diagnostic is one problem found while loading, checking or generating a
// package, at a source position (Pos.Filename is absolute as go/packages
// reports it; Pos may be invalid for problems not tied to a file).
type Diagnostic struct {
	Pos     token.Position
	Message string
}

// String formats d as a compiler does: "file:line:col: message".
func (d Diagnostic) String() string {
	if !d.Pos.IsValid() && d.Pos.Filename == "" {
		return d.Message
	}
	return d.Pos.String() + ": " + d.Message
}

// SortDiagnostics sorts ds by file, line, column and message and removes
// exact duplicates (go/packages may report one error for several packages).
func SortDiagnostics(ds []Diagnostic) []Diagnostic {
	slices.SortFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Filename, b.Pos.Filename),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.CompactFunc(ds, func(a, b Diagnostic) bool { return a == b })
}

// WriteDiagnostics prints ds one per line, sorted, with file names made
// relative to dir when they lie below it (dir "" keeps them as they are).
func WriteDiagnostics(w io.Writer, dir string, ds []Diagnostic) error {
	for _, d := range SortDiagnostics(slices.Clone(ds)) {
		d.Pos.Filename = RelPath(dir, d.Pos.Filename)
		if _, err := fmt.Fprintln(w, d); err != nil {
			return err
		}
	}
	return nil
}

// RelPath returns name relative to dir when name lies inside dir, and name
// unchanged otherwise.
func RelPath(dir, name string) string {
	if dir == "" || name == "" || !filepath.IsAbs(name) {
		return name
	}
	rel, err := filepath.Rel(dir, name)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return name
	}
	return rel
}
