package annotations

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/limitgen/limitgen/runtime"
)

var (
	importerOnce sync.Once
	sharedImp    types.Importer
	importerErr  error
	impMu        sync.Mutex
)

// exportImporter imports net/http and the runtime package (and their
// dependencies) from compiler export data that `go list -export` finds or
// builds, once per test binary. It is not safe for concurrent use, hence
// impMu.
func exportImporter(t testing.TB) types.Importer {
	importerOnce.Do(func() {
		out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}={{.Export}}",
			"net/http", "github.com/limitgen/limitgen/runtime").Output()
		if err != nil {
			importerErr = fmt.Errorf("go list -export: %v", err)
			return
		}
		exports := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if path, file, ok := strings.Cut(line, "="); ok && file != "" {
				exports[path] = file
			}
		}
		sharedImp = importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
			file, ok := exports[path]
			if !ok {
				return nil, fmt.Errorf("no export data for %q", path)
			}
			return os.Open(file)
		})
	})
	if importerErr != nil {
		t.Fatal(importerErr)
	}
	return sharedImp
}

// checkSource parses and type-checks files (name → source) as one package
// and runs Check over them.
func checkSource(t testing.TB, files map[string]string) (*token.FileSet, *Package, []Diagnostic) {
	t.Helper()
	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, name := range sortedKeys(files) {
		f, err := parser.ParseFile(fset, name, files[name], parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	impMu.Lock()
	defer impMu.Unlock()
	conf := types.Config{Importer: exportImporter(t)}
	pkg, err := conf.Check("example.com/p", fset, parsed, nil)
	if err != nil {
		t.Fatalf("type-checking: %v", err)
	}
	p, diags := Check(fset, parsed, pkg)
	return fset, p, diags
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// formatDiags formats diagnostics as "file:line:col: message" lines.
func formatDiags(fset *token.FileSet, ds []Diagnostic) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Format(fset)
	}
	return out
}

// render prints a model without positions, one line per fact, so models
// of differently laid out sources compare equal.
func render(p *Package) string {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s exempt=%d\n", p.Name, p.Exempt)
	for _, r := range p.Rules {
		fmt.Fprintf(&b, "  rule %s\n", renderRule(r))
	}
	for _, r := range p.Routes {
		fmt.Fprintf(&b, "route %s kind=%s func=%s recv=%s ptr=%v pattern=%q view=%s exempt=%d\n", r.Endpoint, r.Kind, r.Func, r.Recv, r.PtrRecv, r.Pattern, r.View, r.Exempt)
		for _, x := range r.ViewRules {
			fmt.Fprintf(&b, "  view %s\n", renderRule(x))
		}
		for _, x := range r.Rules {
			fmt.Fprintf(&b, "  rule %s\n", renderRule(x))
		}
	}
	return b.String()
}

func renderRule(r Rule) string {
	name := func(f *FuncRef) string {
		if f == nil {
			return "-"
		}
		return f.Name
	}
	return fmt.Sprintf("[%s] shared=%s key=%s scope=%s per-method=%v methods=%v cost=%d/%s/%s error=%q/%s exempt-when=%s deduct-when=%s on-breach=%s keep=%v",
		runtime.FormatLimits(r.Limits), r.Shared, name(r.Key), r.Scope, r.PerMethod, r.Methods, r.Cost, r.CostConst, name(r.CostFunc),
		r.ErrorMessage, name(r.ErrorMessageFunc), name(r.ExemptWhen), name(r.DeductWhen), name(r.OnBreach), r.KeepDefaults)
}
