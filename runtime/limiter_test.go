package runtime

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock for WithClock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func text(s string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, s) })
}

func quickstart() *Group {
	return &Group{Name: "app", Routes: []Route{
		{Endpoint: "fast", Pattern: "GET /fast", Handler: text("42")},
		{Endpoint: "ping", Pattern: "GET /ping", Handler: text("PONG"), Exempt: ExemptAll},
		{Endpoint: "slow", Pattern: "GET /slow", Handler: text("24"), Rules: []Rule{{Limits: MustParseLimits("1 per day")}}},
	}}
}

func newLimiter(t testing.TB, clk *testClock, opts ...Option) *Limiter {
	t.Helper()
	l, err := New(append([]Option{WithClock(clk.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func mount(t testing.TB, l *Limiter, groups ...*Group) *http.ServeMux {
	t.Helper()
	mux := http.NewServeMux()
	if err := l.Mount(mux, groups...); err != nil {
		t.Fatal(err)
	}
	return mux
}

type reqOpt func(*http.Request)

func from(addr string) reqOpt { return func(r *http.Request) { r.RemoteAddr = addr } }
func header(k, v string) reqOpt {
	return func(r *http.Request) { r.Header.Set(k, v) }
}

func get(h http.Handler, target string, opts ...reqOpt) *httptest.ResponseRecorder {
	return do(h, http.MethodGet, target, opts...)
}

func do(h http.Handler, method, target string, opts ...reqOpt) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// expect checks a sequence of statuses for one request target.
func expect(t *testing.T, h http.Handler, clk *testClock, target string, steps ...any) {
	t.Helper()
	for i, s := range steps {
		switch v := s.(type) {
		case time.Duration:
			clk.Advance(v)
		case int:
			if w := get(h, target); w.Code != v {
				t.Fatalf("step %d: GET %s = %d %q, want %d", i, target, w.Code, w.Body.String(), v)
			}
		}
	}
}

const seedTree = `app
├── fast: /fast
│   ├── 2 per 1 minute
│   └── 1 per 1 second
├── ping: /ping
│   └── Exempt
└── slow: /slow
    └── 1 per 1 day
`

func TestQuickstartSequence(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("2 per minute", "1 per second"))
	mux := mount(t, l, quickstart())
	for i, want := range []string{"42", "42"} {
		if w := get(mux, "/fast"); w.Code != 200 || w.Body.String() != want {
			t.Fatalf("fast %d: %d %q", i, w.Code, w.Body.String())
		}
		clk.Advance(time.Second)
	}
	w := get(mux, "/fast")
	wantBody := "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>429 Too Many Requests</title>\n<h1>Too Many Requests</h1>\n<p>2 per 1 minute</p>\n"
	if w.Code != 429 || w.Body.String() != wantBody {
		t.Fatalf("fast 3: %d %q", w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if w := get(mux, "/slow"); w.Code != 200 || w.Body.String() != "24" {
		t.Fatalf("slow 1: %d %q", w.Code, w.Body.String())
	}
	if w := get(mux, "/slow"); w.Code != 429 || !strings.Contains(w.Body.String(), "<p>1 per 1 day</p>") {
		t.Fatalf("slow 2: %d %q", w.Code, w.Body.String())
	}
	for i := 0; i < 4; i++ {
		if w := get(mux, "/ping"); w.Code != 200 || w.Body.String() != "PONG" {
			t.Fatalf("ping %d: %d %q", i, w.Code, w.Body.String())
		}
	}
	// A new minute frees /fast again; /slow stays refused for the day.
	clk.Advance(time.Minute)
	expect(t, mux, clk, "/fast", 200)
	expect(t, mux, clk, "/slow", 429)
}

func TestWriteLimitsSeedTree(t *testing.T) {
	l := newLimiter(t, newTestClock(), WithDefaultLimits("2 per minute", "1 per second"))
	g := quickstart()
	for i := range g.Routes {
		g.Routes[i].Handler = nil // as the CLI builds them
	}
	if err := l.Register(g); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := l.WriteLimits(&b, TreeFilter{}); err != nil {
		t.Fatal(err)
	}
	if b.String() != seedTree {
		t.Fatalf("tree:\n%s\nwant:\n%s", b.String(), seedTree)
	}
}

func TestInspectAndClear(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("2 per minute", "1 per second"))
	mux := mount(t, l, quickstart())
	get(mux, "/fast")
	get(mux, "/slow")
	const client = "192.0.2.1"
	states, err := l.Inspect(context.Background(), client, TreeFilter{Endpoint: "fast"})
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 2 || states[0].Limit.String() != "2 per 1 minute" || states[0].Remaining != 1 || !states[0].Pass ||
		states[1].Remaining != 0 || states[1].Pass {
		t.Fatalf("states %+v", states)
	}
	var b bytes.Buffer
	if err := l.WriteLimits(&b, TreeFilter{Path: "/slow", Key: client}); err != nil {
		t.Fatal(err)
	}
	if want := "app\n└── slow: /slow\n    └── 1 per 1 day: Fail (0 out of 1 remaining)\n"; b.String() != want {
		t.Fatalf("tree with key:\n%q\nwant\n%q", b.String(), want)
	}
	if err := l.Clear(context.Background(), client); err != nil {
		t.Fatal(err)
	}
	if w := get(mux, "/slow"); w.Code != 200 {
		t.Fatalf("slow after Clear: %d", w.Code)
	}
	if _, err := l.Inspect(context.Background(), client, TreeFilter{Endpoint: "nope"}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("unknown endpoint: %v", err)
	}
	if err := l.WriteLimits(io.Discard, TreeFilter{Path: "/nowhere"}); err == nil || !strings.Contains(err.Error(), "/nowhere") {
		t.Fatalf("unknown path: %v", err)
	}
}

func failedLogins(r *http.Request, status int) bool { return status == http.StatusUnauthorized }

func TestWriteLimitsOptionsAndApplicationLimits(t *testing.T) {
	l := newLimiter(t, newTestClock(), WithApplicationLimits("100 per hour"), WithDefaultLimits("2 per minute"))
	if err := l.Register(&Group{Name: "api", Routes: []Route{
		{Endpoint: "login", Pattern: "POST /login", Rules: []Rule{{Limits: MustParseLimits("5 per hour"), DeductWhen: failedLogins}}},
		{Endpoint: "items", Pattern: "GET /items", Rules: []Rule{{Limits: MustParseLimits("1 per second"), PerMethod: true, KeepDefaults: true}}},
	}}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := l.WriteLimits(&b, TreeFilter{}); err != nil {
		t.Fatal(err)
	}
	want := `Application Limits
└── 100 per 1 hour
api
├── items: /items
│   ├── 2 per 1 minute
│   ├── 1 per 1 second (GET)
│   └── 1 per 1 second (HEAD)
└── login: /login
    └── 5 per 1 hour {deduct_when: github.com/limitgen/limitgen/runtime.failedLogins()}
`
	if b.String() != want {
		t.Fatalf("tree:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestEmptyClientKeySkipsLimits(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("1 per minute"), WithKeyFunc(func(r *http.Request) string { return r.Header.Get("X-User") }))
	mux := mount(t, l, quickstart())
	expect(t, mux, clk, "/fast", 200, 200, 200) // no key: not limited, as Flask-Limiter skips such limits
	if c := get(mux, "/fast", header("X-User", "ann")).Code; c != 200 {
		t.Fatal(c)
	}
	if c := get(mux, "/fast", header("X-User", "ann")).Code; c != 429 {
		t.Fatal(c)
	}
}
