// Package analyzer provides a go/analysis Analyzer that reports problems in
// limitgen's //limit: annotations: the same diagnostics, at the same
// positions, as `go generate` with limitgen, because both call
// annotations.Check. It makes them visible to `go vet`, gopls and other
// analysis drivers without generating code.
//
// Run it with go vet through cmd/limitgen-vet:
//
//	go build -o /tmp/limitgen-vet github.com/limitgen/limitgen/cmd/limitgen-vet
//	go vet -vettool=/tmp/limitgen-vet ./...
//
// Typos with an evident correction carry it as a suggested fix, which
// gopls offers as a quick fix and `go vet -vettool=… -fix` applies.
package analyzer

import (
	"golang.org/x/tools/go/analysis"

	"github.com/limitgen/limitgen/annotations"
)

// Analyzer checks the //limit: annotations of a package: limit strings,
// options and the funcs they name, exemptions, route patterns, what the
// annotations are attached to, and look-alike typos such as `//limits:`.
// It reports every problem of the package; it has no facts and no result.
// It is safe for concurrent use on different packages.
var Analyzer = &analysis.Analyzer{
	Name: "limitgen",
	Doc: `check limitgen's //limit: annotations

The limitgen analyzer reports malformed limit strings (pointing into the
string), unknown options, funcs named by key=, cost=, exempt-when=,
deduct-when= and on-breach= that are missing or have the wrong signature,
//limit:exempt mixed with limits, malformed, duplicate or conflicting route
patterns, routes on declarations that are not HTTP handlers, annotations
not attached to a declaration, and typos such as //limits: or //limit: exempt.`,
	URL: "https://pkg.go.dev/github.com/limitgen/limitgen/annotations/analyzer",
	Run: run,
}

func run(pass *analysis.Pass) (any, error) {
	_, diags := annotations.Check(pass.Fset, pass.Files, pass.Pkg)
	for _, d := range diags {
		ad := analysis.Diagnostic{Pos: d.Pos, End: d.End, Category: "limitgen", Message: d.Message}
		if d.Fix != nil {
			ad.SuggestedFixes = []analysis.SuggestedFix{{
				Message:   d.Fix.Message,
				TextEdits: []analysis.TextEdit{{Pos: d.Fix.Pos, End: d.Fix.End, NewText: []byte(d.Fix.NewText)}},
			}}
		}
		pass.Report(ad)
	}
	return nil, nil
}
