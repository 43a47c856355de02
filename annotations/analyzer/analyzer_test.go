package analyzer_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/limitgen/limitgen/annotations/analyzer"
)

// TestAnalyzer checks the diagnostics against the `// want` comments of
// testdata/src/a (every kind of problem) and testdata/src/b (a clean
// package: no diagnostics at all).
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), analyzer.Analyzer, "a", "b")
}

// TestSuggestedFixes applies every suggested fix in testdata/src/fix and
// compares the result with a.go.golden.
func TestSuggestedFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), analyzer.Analyzer, "fix")
}
