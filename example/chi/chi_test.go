package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/runtime"
)

// TestRoutes drives the router in process with the clock passed in: the
// blog's package limit, a route's own limit, an exempt route, the view's
// limit and a method's own limit, each refused with a 429 naming it.
func TestRoutes(t *testing.T) {
	t.Setenv("RATELIMIT_STORAGE_URI", "memory://")
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	h, l, err := newRouter(runtime.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tc := range []struct {
		method, path string
		admitted     int    // requests answered before the first 429
		body         string // body of an admitted request
		limit        string // what the 429 names
	}{
		{"GET", "/blog", 10, "posts: hello", "10 per 1 minute"},
		{"GET", "/blog/hello", 2, "post: hello", "2 per 1 minute"},
		{"GET", "/blog/feed", 50, "<feed/>", ""},
		{"GET", "/api/users/7", 5, "user 7", "5 per 1 minute"},
		{"POST", "/api/users/", 1, "created", "1 per 1 minute"},
	} {
		for i := 0; i <= tc.admitted; i++ {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
			switch {
			case i < tc.admitted || tc.limit == "":
				if w.Code >= 300 || w.Body.String() != tc.body {
					t.Fatalf("%s %s #%d = %d %q, want %q", tc.method, tc.path, i+1, w.Code, w.Body.String(), tc.body)
				}
			default:
				if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "<p>"+tc.limit+"</p>") {
					t.Fatalf("%s %s #%d = %d %q, want 429 naming %s", tc.method, tc.path, i+1, w.Code, w.Body.String(), tc.limit)
				}
			}
		}
	}
	// A minute later every window has moved on.
	now = now.Add(time.Minute)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/api/users/", nil))
	if w.Code != http.StatusCreated {
		t.Fatalf("POST /api/users/ a minute later = %d", w.Code)
	}
}

func TestLimitsTree(t *testing.T) {
	_, l, err := newRouter()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var b bytes.Buffer
	if err := l.WriteLimits(&b, runtime.TreeFilter{Path: "/blog/hello"}); err != nil {
		t.Fatal(err)
	}
	const want = "blog\n└── post: /blog/{slug}\n    └── 2 per 1 minute\n"
	if b.String() != want {
		t.Fatalf("tree:\n%s\nwant:\n%s", b.String(), want)
	}
}
