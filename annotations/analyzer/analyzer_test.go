package analyzer_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/limitgen/limitgen/annotations/analyzer"
)

// TestAnalyzer checks the diagnostics against the `// want` comments of
// testdata/src/a (every kind of problem), testdata/src/b (a clean package:
// no diagnostics at all) and testdata/src/fix (typos), and that applying
// every suggested fix turns a.go into a.go.golden. One call, so the
// packages' dependencies are loaded once.
func TestAnalyzer(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), analyzer.Analyzer, "a", "b", "fix")
}
