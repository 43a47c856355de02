package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoVet builds this tool and runs it as `go vet -vettool` over a small
// module, the way users run it: it must print the annotation problems as
// file:line:col: message and make go vet fail; a clean module passes.
func TestGoVet(t *testing.T) {
	goBin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	dir := t.TempDir()
	tool := filepath.Join(dir, "limitgen-vet")
	if out, err := exec.Command(goBin, "build", "-o", tool, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	write := func(mod, name, src string) string {
		root := filepath.Join(dir, mod)
		if err := os.MkdirAll(root, 0o755); err != nil {
			t.Fatal(err)
		}
		for file, text := range map[string]string{"go.mod": "module example.com/" + mod + "\n\ngo 1.22\n", name: src} {
			if err := os.WriteFile(filepath.Join(root, file), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	vet := func(root string, flags ...string) (string, error) {
		args := append(append([]string{"vet", "-vettool=" + tool}, flags...), "./...")
		cmd := exec.Command(goBin, args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		return stderr.String(), err
	}

	bad := write("bad", "app.go", `package app

import "net/http"

//limit:"1 per fortnight"
//limit:route GET /slow
func slow(w http.ResponseWriter, r *http.Request) {}

//limits:"1 per day"
func fast(w http.ResponseWriter, r *http.Request) {}
`)
	out, err := vet(bad)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("go vet over bad annotations: err = %v, want exit status 1\n%s", err, out)
	}
	for _, want := range []string{
		`app.go:5:10: invalid limit "1 per fortnight": unknown unit "fortnight"`,
		`app.go:9:3: misspelled annotation "//limits:"; write //limit:`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("go vet output lacks %q:\n%s", want, out)
		}
	}

	good := write("good", "app.go", `package app

import "net/http"

// limit:"1 per day"
//limit:route GET /slow
func slow(w http.ResponseWriter, r *http.Request) {}
`)
	if out, err := vet(good); err != nil {
		t.Errorf("go vet over good annotations: %v\n%s", err, out)
	}

	// go vet -fix applies the corrections of typos.
	typo := write("typo", "app.go", `package app

import "net/http"

//limits:"1 per day"
//limit:exmept
func slow(w http.ResponseWriter, r *http.Request) {}
`)
	if out, err := vet(typo, "-fix"); err != nil {
		t.Errorf("go vet -fix: %v\n%s", err, out)
	}
	fixed, err := os.ReadFile(filepath.Join(typo, "app.go"))
	if err != nil {
		t.Fatal(err)
	}
	// go vet -fix also formats the file: gofmt's spelling of the limit.
	if !strings.Contains(string(fixed), "// limit:\"1 per day\"\n") || !strings.Contains(string(fixed), "\n//limit:exempt\n") {
		t.Errorf("go vet -fix left:\n%s", fixed)
	}
}
