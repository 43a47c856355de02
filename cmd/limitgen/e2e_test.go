package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/cmd/limitgen/internal/gentest"
)

// TestEndToEnd generates the example's limits_gen.go from its annotated
// source in a fresh module, checks it equals the committed one, builds the
// example and serves it as a real process on 127.0.0.1, and checks its
// answers: the quickstart's 200s, then 429s naming the limit. With a Redis
// server and Memcached servers (from scripts/services) it also reads the
// live state with `limitgen limits -key` and resets it with `limitgen clear`.
func TestEndToEnd(t *testing.T) {
	root := gentest.Root(t)
	mod := gentest.Module(t, root, "example.com/e2e")
	pkg := filepath.Join(mod, "example")
	src, err := os.ReadFile(filepath.Join(root, "example", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	gentest.WriteFile(t, filepath.Join(pkg, "main.go"), string(src))
	if code, _, stderr := limitgen(t, pkg); code != exitOK {
		t.Fatalf("generate = %d: %s", code, stderr)
	}
	got, _ := os.ReadFile(filepath.Join(pkg, "limits_gen.go"))
	committed, _ := os.ReadFile(filepath.Join(root, "example", "limits_gen.go"))
	if !bytes.Equal(got, committed) {
		t.Fatalf("generated example/limits_gen.go differs from the committed one:\n%s", got)
	}
	bin := filepath.Join(t.TempDir(), "example")
	gentest.Go(t, mod, "build", "-o", bin, "./example")

	t.Run("memory", func(t *testing.T) {
		base := serve(t, bin, "memory://")
		expect(t, base, "/fast", 200, "42")
		// The defaults allow 1 per second and 2 per minute: within three
		// quick requests one is refused, whatever window boundary falls
		// between them, and the 429 names the limit.
		refused := false
		for range 2 {
			code, body := get(t, base+"/fast")
			if code == 429 {
				if !strings.Contains(body, "<p>1 per 1 second</p>") && !strings.Contains(body, "<p>2 per 1 minute</p>") {
					t.Fatalf("429 body does not name a default limit: %q", body)
				}
				refused = true
				break
			}
		}
		if !refused {
			t.Fatal("three quick requests to /fast were all admitted")
		}
		expect(t, base, "/slow", 200, "24")
		expect(t, base, "/slow", 429, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>429 Too Many Requests</title>\n<h1>Too Many Requests</h1>\n<p>1 per 1 day</p>\n")
		for range 4 {
			expect(t, base, "/ping", 200, "PONG")
		}
	})

	// The live state read and cleared by the CLI, on each shared storage
	// the example and the CLI both link.
	for _, storage := range []struct{ name, env string }{
		{"redis", "LIMITGEN_REDIS_URI"},
		{"memcached", "LIMITGEN_MEMCACHED_URI"},
	} {
		t.Run(storage.name, func(t *testing.T) { liveState(t, mod, bin, backendtest.ServerURI(t, storage.env)) })
	}

	// The example reads RATELIMIT_* (runtime.FromEnv), and so does the CLI
	// for it: with the application's environment it finds the counters
	// under the application's key prefix without being told the storage.
	t.Run("redis-env", func(t *testing.T) {
		uri := backendtest.ServerURI(t, "LIMITGEN_REDIS_URI")
		t.Setenv("RATELIMIT_STORAGE_URI", uri)
		t.Setenv("RATELIMIT_KEY_PREFIX", "e2e-env")
		if code, stdout, stderr := limitgen(t, mod, "clear", "-key", "127.0.0.1", "./example"); code != exitOK || !strings.Contains(stdout, "cleared") {
			t.Fatalf("clear = %d: %s%s", code, stdout, stderr)
		}
		// config shows what the example reads from this environment.
		code, stdout, stderr := limitgen(t, mod, "config", "./example")
		if code != exitOK || !strings.Contains(stdout, "RATELIMIT_KEY_PREFIX                  e2e-env\n") || !strings.Contains(stdout, "RATELIMIT_STORAGE_URI                 redis://") {
			t.Fatalf("config with the application's environment = %d:\n%s%s", code, stdout, stderr)
		}
		base := serve(t, bin, uri, "RATELIMIT_KEY_PREFIX=e2e-env")
		expect(t, base, "/slow", 200, "24")
		code, stdout, stderr = limitgen(t, mod, "limits", "-key", "127.0.0.1", "-endpoint", "slow", "./example")
		const want = "example\n└── slow: /slow\n    └── 1 per 1 day: Fail (0 out of 1 remaining)\n"
		if code != exitOK || stdout != want {
			t.Fatalf("limits -key with the application's environment = %d:\n%s%s\nwant:\n%s", code, stdout, stderr, want)
		}
		if code, _, stderr := limitgen(t, mod, "clear", "-key", "127.0.0.1", "./example"); code != exitOK {
			t.Fatalf("clear = %d: %s", code, stderr)
		}
		expect(t, base, "/slow", 200, "24")
	})
}

// liveState serves the example on the storage at uri and checks that
// limitgen limits -key reads its counters and limitgen clear resets them,
// whole and one endpoint at a time.
func liveState(t *testing.T, mod, bin, uri string) {
	clear := func() {
		t.Helper()
		code, stdout, stderr := limitgen(t, mod, "clear", "-key", "127.0.0.1", "-storage", uri, "./example")
		if code != exitOK || !strings.Contains(stdout, `cleared the limits of key "127.0.0.1"`) {
			t.Fatalf("clear = %d: %s%s", code, stdout, stderr)
		}
	}
	clear()
	base := serve(t, bin, uri)
	expect(t, base, "/slow", 200, "24")
	code, body := get(t, base+"/slow")
	if code != 429 || !strings.Contains(body, "<p>1 per 1 day</p>") {
		t.Fatalf("second /slow = %d %q, want 429 naming 1 per 1 day", code, body)
	}
	code, stdout, stderr := limitgen(t, mod, "limits", "-key", "127.0.0.1", "-storage", uri, "-endpoint", "slow", "./example")
	const want = "example\n└── slow: /slow\n    └── 1 per 1 day: Fail (0 out of 1 remaining)\n"
	if code != exitOK || stdout != want {
		t.Fatalf("limits -key = %d:\n%s%s\nwant:\n%s", code, stdout, stderr, want)
	}
	clear()
	expect(t, base, "/slow", 200, "24")
	code, stdout, _ = limitgen(t, mod, "limits", "-key", "127.0.0.1", "-storage", uri, "-endpoint", "slow", "./example")
	if code != exitOK || !strings.Contains(stdout, "1 per 1 day: Fail (0 out of 1 remaining)") {
		t.Fatalf("limits -key after clear and one request = %d:\n%s", code, stdout)
	}
	// Clearing one route's limits leaves the others' counters.
	for _, ep := range []string{"fast", "slow"} {
		code, stdout, stderr := limitgen(t, mod, "clear", "-key", "127.0.0.1", "-storage", uri, "-endpoint", ep, "./example")
		if code != exitOK || !strings.Contains(stdout, "on endpoint "+ep) {
			t.Fatalf("clear -endpoint %s = %d: %s%s", ep, code, stdout, stderr)
		}
		if code, _ := get(t, base+"/slow"); code != map[string]int{"fast": 429, "slow": 200}[ep] {
			t.Fatalf("/slow after clearing endpoint %s: %d", ep, code)
		}
	}
	clear()
}

// serve starts the built example on a free port of 127.0.0.1 with the
// storage URI and the extra environment variables env, and returns its base URL; the process is killed at the end
// of the test.
func serve(t *testing.T, bin, storage string, env ...string) string {
	t.Helper()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	cmd.Env = append(append(os.Environ(), "RATELIMIT_STORAGE_URI="+storage), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(30 * time.Second)
	var seen []string
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("example exited before listening:\n%s", strings.Join(seen, "\n"))
			}
			seen = append(seen, line)
			if _, addr, ok := strings.Cut(line, "listening on "); ok {
				go func() {
					for range lines { // keep draining so the process never blocks
					}
				}()
				return addr
			}
		case <-timeout:
			t.Fatalf("example did not listen within 30s:\n%s", strings.Join(seen, "\n"))
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func expect(t *testing.T, base, path string, code int, body string) {
	t.Helper()
	gotCode, gotBody := get(t, base+path)
	if gotCode != code || gotBody != body {
		t.Fatalf("GET %s = %d %q, want %d %q", path, gotCode, gotBody, code, body)
	}
}
