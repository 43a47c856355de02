package generate

import (
	"path/filepath"
	"testing"

	"github.com/limitgen/limitgen/cmd/limitgen/internal/gentest"
)

// BenchmarkGenerateExample measures what `go generate` costs for the
// quickstart once the tool is built: loading ./example with go/packages
// (which runs go list), checking its annotations and rendering the file.
func BenchmarkGenerateExample(b *testing.B) {
	dir := filepath.Join(gentest.Root(b), "example")
	for b.Loop() {
		results, diags, err := Generate(dir)
		if err != nil || len(diags) > 0 || len(results) != 1 || results[0].Content == nil {
			b.Fatalf("Generate: %v %v", err, diags)
		}
	}
}

// BenchmarkEmitOptions measures rendering alone (jennifer and gofmt) for
// the options case, the largest route table of the golden cases.
func BenchmarkEmitOptions(b *testing.B) {
	results, diags, err := Generate(filepath.Join(casesDir, "options"))
	if err != nil || len(diags) > 0 || len(results) != 1 {
		b.Fatalf("Generate: %v %v", err, diags)
	}
	r := results[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Emit(r.Package.Path, r.Package.Name, r.Group, r.Model); err != nil {
			b.Fatal(err)
		}
	}
}
