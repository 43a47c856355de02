// Package gentest builds throwaway Go modules that depend on this
// repository (through a replace directive), so tests can load, generate,
// build and run packages the way a user's module would.
package gentest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// ModulePath is the path of the limitgen module.
const ModulePath = "github.com/limitgen/limitgen"

// Root returns the repository root: the nearest directory above the
// working directory holding a go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("gentest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Module creates a module named path in a new temporary directory that
// requires limitgen, replaced by the repository at root, with the
// repository's own requirements and go.sum so it builds without the
// network. It returns the module's directory.
func Module(t testing.TB, root, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "module %s\n\ngo %s\n\nrequire %s v0.0.0-00010101000000-000000000000\n\n", path, repo.Go.Version, ModulePath)
	for _, r := range repo.Require {
		fmt.Fprintf(&b, "require %s %s // indirect\n", r.Mod.Path, r.Mod.Version)
	}
	fmt.Fprintf(&b, "\nreplace %s => %s\n", ModulePath, root)
	dir := t.TempDir()
	WriteFile(t, filepath.Join(dir, "go.mod"), b.String())
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		WriteFile(t, filepath.Join(dir, "go.sum"), string(sum))
	}
	return dir
}

// WriteFile writes content to name, creating its directory.
func WriteFile(t testing.TB, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o666); err != nil {
		t.Fatal(err)
	}
}

// CopyGoFiles copies the .go files of src (not its subdirectories) to dst.
func CopyGoFiles(t testing.TB, src, dst string) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		WriteFile(t, filepath.Join(dst, filepath.Base(name)), string(data))
	}
}

// Go runs the go command with args in dir and fails the test, quoting its
// output, when it fails. It returns the combined output.
func Go(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out.String())
	}
	return out.String()
}
