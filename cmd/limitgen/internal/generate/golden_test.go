package generate

import (
	"bytes"
	"flag"
	"go/format"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/cmd/limitgen/internal/gentest"
	"github.com/limitgen/limitgen/runtime"
)

var update = flag.Bool("update", false, "rewrite the golden files under cmd/limitgen/testdata")

// casesDir holds one folder per golden case: the package's .go files, and
// the wanted output: limits_gen.go.golden (the generated file),
// errors.golden (the diagnostics, one per line, paths relative to the
// case), tree.golden (what `limitgen limits` prints). A case with neither
// limits_gen.go.golden nor errors.golden wants no file and no error.
const casesDir = "../../testdata"

// golden compares got with the file name in the case directory, or
// rewrites it under -update (removing it when got is nil).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	if *update {
		if got == nil {
			if err := os.Remove(name); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			return
		}
		if err := os.WriteFile(name, got, 0o666); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(name)
	if os.IsNotExist(err) {
		if got != nil {
			t.Errorf("%s does not exist; got:\n%s", name, got)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if got == nil {
		t.Errorf("got nothing; %s wants:\n%s", name, want)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update to accept)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// caseNames lists the golden cases.
func caseNames(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatal("no golden cases")
	}
	return names
}

// generateCases copies every case into one module (a package per case,
// with its .go inputs passed through transform) and generates them all in
// one load. It returns the module dir, each case's result and its
// diagnostics with paths relative to the case.
func generateCases(t *testing.T, names []string, transform func([]byte) ([]byte, error)) (string, map[string]*Result, map[string][]string) {
	t.Helper()
	root := gentest.Root(t)
	mod := gentest.Module(t, root, "example.com/golden")
	for _, name := range names {
		files, _ := filepath.Glob(filepath.Join(casesDir, name, "*.go"))
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if src, err = transform(src); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			gentest.WriteFile(t, filepath.Join(mod, name, filepath.Base(f)), string(src))
		}
	}
	results, diags, err := Generate(mod, "./...")
	if err != nil {
		t.Fatal(err)
	}
	byCase := map[string]*Result{}
	for _, r := range results {
		byCase[filepath.Base(r.Package.Dir)] = r
	}
	errs := map[string][]string{}
	for _, d := range diags {
		rel := RelPath(mod, d.Pos.Filename)
		name, file, ok := strings.Cut(filepath.ToSlash(rel), "/")
		if !ok {
			t.Fatalf("diagnostic outside any case: %v", d)
		}
		d.Pos.Filename = file
		errs[name] = append(errs[name], d.String())
	}
	return mod, byCase, errs
}

func identity(b []byte) ([]byte, error) { return b, nil }

// TestGolden generates every case and compares the output with its golden
// files, then builds and vets every generated package.
func TestGolden(t *testing.T) {
	names := caseNames(t)
	mod, results, errs := generateCases(t, names, identity)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(casesDir, name)
			r := results[name]
			if r == nil {
				t.Fatalf("case %s was not loaded", name)
			}
			var errText []byte
			if e := errs[name]; len(e) > 0 {
				errText = []byte(strings.Join(e, "\n") + "\n")
			}
			golden(t, filepath.Join(dir, "errors.golden"), errText)
			golden(t, filepath.Join(dir, "limits_gen.go.golden"), r.Content)
			if errText != nil {
				// A case with errors is not built; it must not be left in the module.
				if err := os.RemoveAll(filepath.Join(mod, name)); err != nil {
					t.Fatal(err)
				}
				return
			}
			if r.Content != nil {
				if _, err := r.Write(); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "tree.golden")); err == nil || *update && r.Content != nil {
				l, err := NewLimiter([]*Result{r})
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
				var tree bytes.Buffer
				if err := l.WriteLimits(&tree, runtime.TreeFilter{}); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join(dir, "tree.golden"), tree.Bytes())
			}
		})
	}
	// Every golden output compiles and passes vet.
	gentest.Go(t, mod, "build", "./...")
	gentest.Go(t, mod, "vet", "./...")
}

// TestGofmtKeepsOutput proves that running gofmt over the inputs, which
// rewrites //limit:"…" to // limit:"…", changes nothing in the output.
func TestGofmtKeepsOutput(t *testing.T) {
	names := caseNames(t)
	_, plain, plainErrs := generateCases(t, names, identity)
	_, formatted, fmtErrs := generateCases(t, names, format.Source)
	changed := 0
	for _, name := range names {
		if len(plainErrs[name]) > 0 {
			continue
		}
		if !bytes.Equal(plain[name].Content, formatted[name].Content) {
			t.Errorf("%s: gofmt over the inputs changed the output:\nbefore:\n%s\nafter:\n%s", name, plain[name].Content, formatted[name].Content)
		}
		if len(fmtErrs[name]) > 0 {
			t.Errorf("%s: errors after gofmt: %v", name, fmtErrs[name])
		}
		files, _ := filepath.Glob(filepath.Join(casesDir, name, "*.go"))
		for _, f := range files {
			src, _ := os.ReadFile(f)
			if out, err := format.Source(src); err == nil && !bytes.Equal(out, src) {
				changed++
			}
		}
	}
	if changed == 0 {
		t.Error("gofmt changed no input: the cases do not exercise the //limit:\"…\" rewrite")
	}
}
