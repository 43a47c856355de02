package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/limitgen/limitgen/runtime"
)

// TestQuickstart replays the seed's curl session in process, one second
// between the /fast requests, with the clock passed in.
func TestQuickstart(t *testing.T) {
	t.Setenv("RATELIMIT_STORAGE_URI", "memory://")
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	h, l, err := newServer(runtime.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tooMany := func(limit string) string {
		return "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>429 Too Many Requests</title>\n<h1>Too Many Requests</h1>\n<p>" + limit + "</p>\n"
	}
	for i, step := range []struct {
		path string
		wait time.Duration
		code int
		body string
	}{
		{"/fast", 0, 200, "42"},
		{"/fast", time.Second, 200, "42"},
		{"/fast", time.Second, 429, tooMany("2 per 1 minute")},
		{"/slow", 0, 200, "24"},
		{"/slow", 0, 429, tooMany("1 per 1 day")},
		{"/ping", 0, 200, "PONG"},
		{"/ping", 0, 200, "PONG"},
		{"/ping", 0, 200, "PONG"},
		{"/ping", 0, 200, "PONG"},
	} {
		now = now.Add(step.wait)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, step.path, nil))
		if w.Code != step.code || w.Body.String() != step.body {
			t.Fatalf("step %d: GET %s = %d %q, want %d %q", i, step.path, w.Code, w.Body.String(), step.code, step.body)
		}
	}
}

func TestLimitsTree(t *testing.T) {
	_, l, err := newServer()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var b bytes.Buffer
	if err := l.WriteLimits(&b, runtime.TreeFilter{}); err != nil {
		t.Fatal(err)
	}
	const want = "example\n├── fast: /fast\n│   ├── 2 per 1 minute\n│   └── 1 per 1 second\n├── ping: /ping\n│   └── Exempt\n└── slow: /slow\n    └── 1 per 1 day\n"
	if b.String() != want {
		t.Fatalf("tree:\n%s", b.String())
	}
}
