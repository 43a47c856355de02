package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/cmd/limitgen/internal/gentest"
)

// quickstartModule returns a module holding the quickstart golden case as
// package example.com/app/quickstart, without a generated file.
func quickstartModule(t *testing.T) (mod, pkg string) {
	t.Helper()
	mod = gentest.Module(t, gentest.Root(t), "example.com/app")
	pkg = filepath.Join(mod, "quickstart")
	gentest.CopyGoFiles(t, filepath.Join("testdata", "quickstart"), pkg)
	return mod, pkg
}

// limitgen runs the command in dir and returns its exit status and output.
func limitgen(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runIn(dir, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

const quickstartTree = `quickstart
├── fast: /fast
│   ├── 2 per 1 minute
│   └── 1 per 1 second
├── ping: /ping
│   └── Exempt
└── slow: /slow
    └── 1 per 1 day
`

func TestGenerateCheckAndLimits(t *testing.T) {
	mod, pkg := quickstartModule(t)
	gen := filepath.Join(pkg, "limits_gen.go")

	// check: missing.
	code, _, stderr := limitgen(t, mod, "check", "./...")
	if code != exitFail || stderr != "quickstart/limits_gen.go: missing; run go generate\n" {
		t.Fatalf("check before generate = %d, stderr %q", code, stderr)
	}

	// generate, as go:generate runs it: no arguments, in the package dir.
	if code, _, stderr := limitgen(t, pkg); code != exitOK {
		t.Fatalf("generate = %d: %s", code, stderr)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "quickstart", "limits_gen.go.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(gen); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("generated file differs from the golden one (err %v):\n%s", err, got)
	}
	if code, _, stderr := limitgen(t, mod, "check", "./..."); code != exitOK || stderr != "" {
		t.Fatalf("check after generate = %d: %s", code, stderr)
	}
	gentest.Go(t, mod, "build", "./...")

	// limits: the tree, whole and narrowed.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, quickstartTree},
		{[]string{"-endpoint", "slow"}, "quickstart\n└── slow: /slow\n    └── 1 per 1 day\n"},
		{[]string{"--path", "/ping"}, "quickstart\n└── ping: /ping\n    └── Exempt\n"},
		{[]string{"-path", "/fast", "-method", "get"}, "quickstart\n└── fast: /fast\n    ├── 2 per 1 minute\n    └── 1 per 1 second\n"},
	} {
		code, stdout, stderr := limitgen(t, mod, append(append([]string{"limits"}, tc.args...), "./quickstart")...)
		if code != exitOK || stdout != tc.want {
			t.Errorf("limits %v = %d\n%s%s\nwant:\n%s", tc.args, code, stdout, stderr, tc.want)
		}
	}
	for _, args := range [][]string{{"-endpoint", "nope"}, {"-path", "/nope"}} {
		code, stdout, stderr := limitgen(t, mod, append(append([]string{"limits"}, args...), "./quickstart")...)
		if code != exitFail || stdout != "" || !strings.Contains(stderr, "nope") {
			t.Errorf("limits %v = %d, stdout %q, stderr %q; want exit 1 naming it", args, code, stdout, stderr)
		}
	}

	// config: the quickstart's constant default limits, the rest defaults;
	// with RATELIMIT_* set, still the same: the quickstart does not call
	// runtime.FromEnv.
	t.Setenv("RATELIMIT_KEY_PREFIX", "from-env")
	code, stdout, stderr := limitgen(t, mod, "config", "./quickstart")
	if code != exitOK || !strings.Contains(stdout, "RATELIMIT_DEFAULT                     2 per 1 minute; 1 per 1 second\n") ||
		!strings.Contains(stdout, "RATELIMIT_KEY_PREFIX                  LIMITER\n") || !strings.Contains(stdout, "RATELIMIT_STORAGE_URI                 memory:// (default)\n") {
		t.Errorf("config = %d:\n%s%s", code, stdout, stderr)
	}

	// check: stale after an annotation changes.
	src := filepath.Join(pkg, "app.go")
	data, _ := os.ReadFile(src)
	gentest.WriteFile(t, src, strings.Replace(string(data), `//limit:"1 per day"`, `//limit:"2 per day"`, 1))
	code, _, stderr = limitgen(t, mod, "check", "./...")
	if code != exitFail || stderr != "quickstart/limits_gen.go: out of date; run go generate\n" {
		t.Fatalf("check after an edit = %d, stderr %q", code, stderr)
	}
	if code, _, stderr := limitgen(t, mod, "./..."); code != exitOK {
		t.Fatalf("generate ./... = %d: %s", code, stderr)
	}
	if got, _ := os.ReadFile(gen); !bytes.Contains(got, []byte("Amount: 2, Multiple: 1, Unit: limitgenrt.Day")) {
		t.Fatalf("regenerated file lacks the new limit:\n%s", got)
	}

	// A package that lost its annotations: check reports the file, and
	// generate removes it.
	gentest.WriteFile(t, src, "package quickstart\n")
	code, _, stderr = limitgen(t, mod, "check", "./...")
	if code != exitFail || !strings.Contains(stderr, "quickstart/limits_gen.go: not needed") {
		t.Fatalf("check without annotations = %d, stderr %q", code, stderr)
	}
	if code, _, stderr := limitgen(t, pkg); code != exitOK {
		t.Fatalf("generate = %d: %s", code, stderr)
	}
	if _, err := os.Stat(gen); !os.IsNotExist(err) {
		t.Fatalf("limits_gen.go still exists (err %v)", err)
	}
}

func TestErrorsLikeACompiler(t *testing.T) {
	mod := gentest.Module(t, gentest.Root(t), "example.com/app")
	pkg := filepath.Join(mod, "bad")
	gentest.CopyGoFiles(t, filepath.Join("testdata", "err_many"), pkg)
	code, stdout, stderr := limitgen(t, mod, "./bad")
	want, err := os.ReadFile(filepath.Join("testdata", "err_many", "errors.golden"))
	if err != nil {
		t.Fatal(err)
	}
	// Paths are relative to the working directory.
	wantText := strings.ReplaceAll("\n"+string(want), "\n", "\nbad/")[1:]
	wantText = strings.TrimSuffix(wantText, "bad/")
	if code != exitFail || stdout != "" || stderr != wantText {
		t.Fatalf("generate = %d, stdout %q, stderr:\n%s\nwant:\n%s", code, stdout, stderr, wantText)
	}
	if _, err := os.Stat(filepath.Join(pkg, "limits_gen.go")); !os.IsNotExist(err) {
		t.Fatal("a package with errors got a limits_gen.go")
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	t.Setenv("RATELIMIT_STORAGE_URI", "") // -key without a storage
	dir := t.TempDir()
	for _, args := range [][]string{
		{"-bogus"},
		{"limits", "-key", "k"},
		{"limits", "-storage", "memory://"},
		{"clear"},
		{"clear", "-key", "k"},
		{"check", "-endpoint", "x"},
		{"limit"},
	} {
		code, stdout, stderr := limitgen(t, dir, args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "usage:") {
			t.Errorf("%q = %d, stdout %q, stderr %q; want exit 2 with the usage", args, code, stdout, stderr)
		}
	}
	if code, stdout, _ := limitgen(t, dir, "help"); code != exitOK || !strings.Contains(stdout, "limitgen check") {
		t.Errorf("help = %d %q", code, stdout)
	}
}

// TestBrokenPackageWithoutAnnotations: a package limitgen has no business
// with does not stop it, even when it does not compile; one with
// annotations reports its type errors with the rest.
func TestBrokenPackageWithoutAnnotations(t *testing.T) {
	mod, _ := quickstartModule(t)
	gentest.WriteFile(t, filepath.Join(mod, "broken", "broken.go"), "package broken\n\nvar x int = \"not an int\"\n")
	if code, _, stderr := limitgen(t, mod, "./..."); code != exitOK {
		t.Fatalf("generate ./... = %d: %s", code, stderr)
	}
	if code, _, stderr := limitgen(t, mod, "check", "./..."); code != exitOK {
		t.Fatalf("check ./... = %d: %s", code, stderr)
	}
	gentest.WriteFile(t, filepath.Join(mod, "broken", "broken.go"), "package broken\n\nimport \"net/http\"\n\nvar x int = \"not an int\"\n\n//limit:\"1 per day\"\nfunc h(w http.ResponseWriter, r *http.Request) {}\n")
	code, _, stderr := limitgen(t, mod, "./...")
	if code != exitFail || !strings.HasPrefix(stderr, "broken/broken.go:5:13: cannot use \"not an int\"") {
		t.Fatalf("generate ./... with an annotated broken package = %d, stderr %q", code, stderr)
	}
}

// TestExampleTree is issue 4's acceptance check: the tree of the
// repository's example, exactly.
func TestExampleTree(t *testing.T) {
	const want = `example
├── fast: /fast
│   ├── 2 per 1 minute
│   └── 1 per 1 second
├── ping: /ping
│   └── Exempt
└── slow: /slow
    └── 1 per 1 day
`
	code, stdout, stderr := limitgen(t, gentest.Root(t), "limits", "./example")
	if code != exitOK || stdout != want {
		t.Fatalf("limits ./example = %d:\n%s%s\nwant:\n%s", code, stdout, stderr, want)
	}
}

// TestLimitsWatch: limits -watch prints the tree with live state, on a
// cleared screen, at every tick until interrupted.
func TestLimitsWatch(t *testing.T) {
	mod, _ := quickstartModule(t)
	ticks := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- runWith(mod, []string{"limits", "-key", "192.0.2.1", "-storage", "memory://", "-endpoint", "slow", "-watch", "1s", "./quickstart"}, &stdout, &stderr,
			func(c *command) {
				c.ticker = func(time.Duration) (<-chan time.Time, func()) { return ticks, func() {} }
				c.ctx = ctx
			})
	}()
	ticks <- time.Now() // taken once the first frame is out
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("limits -watch = %d: %s", code, stderr.String())
	}
	const frame = clearScreen + "quickstart\n└── slow: /slow\n    └── 1 per 1 day: Pass (1 out of 1 remaining)\n"
	if got := stdout.String(); got != frame+frame {
		t.Fatalf("limits -watch printed %q, want two frames of %q", got, frame)
	}
	if code, _, stderr := limitgen(t, mod, "limits", "-watch", "1s", "./quickstart"); code != exitUsage {
		t.Errorf("-watch without -key = %d (%s), want a usage error", code, stderr)
	}
}
