package runtime

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
)

func TestHeaders(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("2 per minute", "1 per second"), WithHeaders(true))
	mux := mount(t, l, quickstart())
	t0 := clk.Now().Unix()
	check := func(w interface{ Header() http.Header }, limit, remaining string, reset int64, retry string) {
		t.Helper()
		h := w.Header()
		got := []string{h.Get("X-RateLimit-Limit"), h.Get("X-RateLimit-Remaining"), h.Get("X-RateLimit-Reset"), h.Get("Retry-After")}
		want := []string{limit, remaining, strconv.FormatInt(reset, 10), retry}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("headers %q, want %q", got, want)
			}
		}
	}
	// Not breached: the limit with the smallest unit is described.
	check(get(mux, "/fast"), "1", "0", t0+2, "2")
	clk.Advance(time.Second)
	check(get(mux, "/fast"), "1", "0", t0+3, "2")
	clk.Advance(time.Second)
	// Breached: the breached limit is described.
	w := get(mux, "/fast")
	if w.Code != 429 {
		t.Fatal(w.Code)
	}
	check(w, "2", "0", t0+61, "59")
	// Exempt routes carry no headers.
	if h := get(mux, "/ping").Header().Get("X-RateLimit-Limit"); h != "" {
		t.Fatalf("exempt route: %q", h)
	}
}

func TestHeaderOptions(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("2 per minute"), WithHeaders(true), WithRetryAfter(RetryAfterHTTPDate),
		WithHeaderNames(HeaderNames{Limit: "x-limit", Remaining: "X-Left"}), WithIETFHeaders(true))
	mux := mount(t, l, quickstart())
	w := get(mux, "/fast")
	h := w.Header()
	if h.Get("X-Limit") != "2" || h.Get("X-Left") != "1" || h.Get("X-RateLimit-Reset") == "" {
		t.Fatalf("renamed headers: %v", h)
	}
	want := time.Unix(clk.Now().Unix()+61, 0).UTC().Format(http.TimeFormat)
	if got := h.Get("Retry-After"); got != want {
		t.Fatalf("Retry-After %q, want %q", got, want)
	}
	if got := h.Get("RateLimit-Policy"); got != `"2 per 1 minute";q=2;w=60` {
		t.Fatalf("RateLimit-Policy %q", got)
	}
	if got := h.Get("RateLimit"); got != `"2 per 1 minute";r=1;t=60` {
		t.Fatalf("RateLimit %q", got)
	}
}

func TestTooManyRequestsBodies(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk)
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "a", Pattern: "/a", Handler: text("a"), Rules: []Rule{{Limits: MustParseLimits("1/minute")}}},
		{Endpoint: "m", Pattern: "/m", Handler: text("m"), Rules: []Rule{{Limits: MustParseLimits("1/minute"), ErrorMessage: "slow down <please>"}}},
	}})
	get(mux, "/a")
	w := get(mux, "/a", header("Accept", "application/json"))
	if w.Code != 429 || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %q", w.Code, w.Header().Get("Content-Type"))
	}
	var p map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p["status"] != float64(429) || p["title"] != "Too Many Requests" || p["detail"] != "1 per 1 minute" {
		t.Fatalf("problem %v", p)
	}
	// Browsers list text/html first: HTML.
	if w := get(mux, "/a", header("Accept", "text/html,application/json;q=0.9")); !strings.Contains(w.Body.String(), "<p>1 per 1 minute</p>") {
		t.Fatalf("html: %q", w.Body.String())
	}
	get(mux, "/m")
	if w := get(mux, "/m"); !strings.Contains(w.Body.String(), "<p>slow down &lt;please&gt;</p>") {
		t.Fatalf("error message: %q", w.Body.String())
	}
}

func TestOnBreach(t *testing.T) {
	clk := newTestClock()
	var seen []Breach
	l := newLimiter(t, clk, WithOnBreach(func(w http.ResponseWriter, r *http.Request, b *Breach) bool {
		seen = append(seen, *b)
		return false
	}))
	teapot := func(w http.ResponseWriter, r *http.Request, b *Breach) bool {
		w.WriteHeader(http.StatusTeapot)
		return true
	}
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "a", Pattern: "/a", Handler: text("a"), Rules: []Rule{{Limits: MustParseLimits("1/minute")}}},
		{Endpoint: "t", Pattern: "/t", Handler: text("t"), Rules: []Rule{{Limits: MustParseLimits("1/minute"), OnBreach: teapot}}},
	}})
	start := clk.Now()
	expect(t, mux, clk, "/a", 200, 10*time.Second, 429)
	if len(seen) != 1 || seen[0].Endpoint != "a" || seen[0].Key != "192.0.2.1" || seen[0].Scope != "app.a" || seen[0].Group != "app" || seen[0].Limit.String() != "1 per 1 minute" {
		t.Fatalf("breaches %+v", seen)
	}
	if b := seen[0]; b.Remaining != 0 || !b.Reset.Equal(start.Add(time.Minute)) || b.Shared {
		t.Fatalf("breach state: remaining %d, reset %v (want %v), shared %v", b.Remaining, b.Reset, start.Add(time.Minute), b.Shared)
	}
	expect(t, mux, clk, "/t", 200, http.StatusTeapot)
	if len(seen) != 1 {
		t.Fatal("limiter callback ran after the rule's handled the breach")
	}
}

func TestShadowMode(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("1 per minute"), WithShadowMode(true), WithHeaders(true), WithContextResults(true))
	var allowed []bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok := ResultsFromContext(r.Context())
		if !ok {
			t.Fatal("no results")
		}
		allowed = append(allowed, res.Allowed)
	})
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{{Endpoint: "a", Pattern: "/a", Handler: h}}})
	expect(t, mux, clk, "/a", 200, 200)
	if len(allowed) != 2 || !allowed[0] || allowed[1] {
		t.Fatalf("allowed %v", allowed)
	}
	if w := get(mux, "/a"); w.Header().Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("shadow headers %v", w.Header())
	}
}

func TestEnabledSwitch(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("1 per minute"), WithEnabled(false))
	mux := mount(t, l, quickstart())
	expect(t, mux, clk, "/fast", 200, 200, 200)
	expect(t, l.Middleware(mux), clk, "/slow", 200, 200)
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{
		EnvDefault:          "1 per minute",
		EnvHeadersEnabled:   "true",
		EnvKeyPrefix:        "APP",
		EnvStrategy:         "moving-window",
		EnvInMemoryFallback: "",
	}
	getenv := func(k string) string { return env[k] }
	clk := newTestClock()
	l := newLimiter(t, clk, withGetenv(getenv))
	if l.prefix != "APP" || l.strategy.String() != "moving-window" {
		t.Fatalf("prefix %q strategy %v", l.prefix, l.strategy)
	}
	mux := mount(t, l, quickstart())
	w := get(mux, "/fast")
	if w.Header().Get("X-RateLimit-Limit") != "1" {
		t.Fatalf("env headers: %v", w.Header())
	}
	expect(t, mux, clk, "/fast", 429)
	// Explicit options win over the environment.
	l2 := newLimiter(t, clk, WithHeaders(false), withGetenv(getenv), WithDefaultLimits("3 per minute"))
	mux2 := mount(t, l2, quickstart())
	if w := get(mux2, "/fast"); w.Header().Get("X-RateLimit-Limit") != "" {
		t.Fatal("env overrode WithHeaders(false)")
	}
	expect(t, mux2, clk, "/fast", 200, 200, 429)
	for name, val := range map[string]string{
		EnvDefault:               "2 per fortnight",
		EnvHeadersEnabled:        "maybe",
		EnvStrategy:              "leaky-bucket",
		EnvStorageURI:            "nosuch://x",
		EnvHeaderRetryAfterValue: "soon",
		EnvDefaultsCost:          "-1",
	} {
		_, err := New(withGetenv(func(k string) string {
			if k == name {
				return val
			}
			return ""
		}))
		if err == nil || !strings.Contains(err.Error(), strings.Fields(val)[len(strings.Fields(val))-1]) {
			t.Errorf("%s=%q: error %v", name, val, err)
		}
	}
}

func TestMalformedConfigurationIsAnErrorFromNew(t *testing.T) {
	for _, c := range []struct {
		opt  Option
		want string
	}{
		{WithDefaultLimits("2 per fortnight"), "fortnight"},
		{WithApplicationLimits("ten per minute"), "ten per minute"},
		{WithMetaLimits("1 per"), "1 per"},
		{WithFallback("x"), `"x"`},
		{WithStorageURI("bogus://h"), "bogus"},
		{WithStorageURI("memory://?nope=1"), "nope"},
		{WithStrategy("leaky"), "leaky"},
		{WithDefaultLimitsCost(-1), "-1"},
	} {
		l, err := New(c.opt)
		if err == nil {
			l.Close()
			t.Errorf("%s: no error", c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %q does not quote %q", err, c.want)
		}
	}
}

func TestResultsFromContext(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("2 per minute", "1 per second"), WithApplicationLimits("100 per hour"), WithContextResults(true))
	var got Results
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok := ResultsFromContext(r.Context())
		if !ok {
			t.Fatal("no results")
		}
		got = *res
		got.Limits = append([]LimitResult(nil), res.Limits...)
	})
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{{Endpoint: "fast", Pattern: "/fast", Handler: h}}})
	get(mux, "/fast")
	if got.Endpoint != "fast" || !got.Allowed || len(got.Limits) != 3 {
		t.Fatalf("results %+v", got)
	}
	var texts []string
	for _, lr := range got.Limits {
		texts = append(texts, lr.Limit.String()+"/"+lr.Level()+"/"+lr.Scope)
	}
	if s := strings.Join(texts, ", "); s != "1 per 1 second/default/app.fast, 2 per 1 minute/default/app.fast, 100 per 1 hour/application/global" {
		t.Fatalf("limits %s", s)
	}
	if cur := got.Current(); cur == nil || cur.Limit.String() != "1 per 1 second" || cur.Remaining != 0 || cur.Key != "192.0.2.1" {
		t.Fatalf("current %+v", cur)
	}
}

func TestMiddlewareOnServeMux(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("1 per minute"))
	mux := http.NewServeMux()
	mux.Handle("GET /items/{id}", text("item")) // by hand, no annotations
	if err := l.Mount(mux, &Group{Name: "app", Routes: []Route{
		{Endpoint: "fast", Pattern: "GET /fast", Handler: text("42"), Rules: []Rule{{Limits: MustParseLimits("1 per second")}}},
	}}); err != nil {
		t.Fatal(err)
	}
	h := l.Middleware(mux)
	expect(t, h, clk, "/items/1", 200)
	expect(t, h, clk, "/items/2", 429) // one counter per pattern
	expect(t, h, clk, "/nowhere", 404, 404, 404)
	// The mounted route is decided once, by its wrapper.
	expect(t, h, clk, "/fast", 200, time.Second, 200)
}

func TestChi(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("2 per minute", "1 per second"))
	g := quickstart()
	if err := l.Register(g); err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Method("GET", "/fast", l.Handler(g, "fast"))
	r.Method("GET", "/slow", l.Handler(g, "slow"))
	r.With(l.Limit("1 per minute", RuleEndpoint("hand"))).Get("/hand", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "h") })
	r.Get("/free", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "f") })
	expect(t, r, clk, "/fast", 200, time.Second, 200, time.Second, 429)
	expect(t, r, clk, "/slow", 200, 429)
	expect(t, r, clk, "/hand", 200, 429)
	expect(t, r, clk, "/free", 200, 200, 200)

	// Middleware in front of chi limits the registered routes by pattern.
	l2 := newLimiter(t, clk, WithDefaultLimits("1 per minute"))
	g2 := quickstart()
	if err := l2.Register(g2); err != nil {
		t.Fatal(err)
	}
	r2 := chi.NewRouter()
	r2.Use(l2.Middleware)
	r2.Get("/fast", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "42") })
	r2.Get("/other", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "o") })
	expect(t, r2, clk, "/fast", 200, 429)
	expect(t, r2, clk, "/other", 200, 200)
}

func TestRegisterErrors(t *testing.T) {
	l := newLimiter(t, newTestClock())
	one := MustParseLimits("1/second")
	for name, g := range map[string]*Group{
		"no endpoint":   {Name: "g", Routes: []Route{{Pattern: "/x"}}},
		"bad pattern":   {Name: "g", Routes: []Route{{Endpoint: "x", Pattern: "GET"}}},
		"conflict":      {Name: "g", Routes: []Route{{Endpoint: "x", Pattern: "/x/{a}"}, {Endpoint: "y", Pattern: "/x/{b}"}}},
		"duplicate":     {Name: "g", Routes: []Route{{Endpoint: "x", Pattern: "/x"}, {Endpoint: "x", Pattern: "/y"}}},
		"no limits":     {Name: "g", Routes: []Route{{Endpoint: "x", Rules: []Rule{{}}}}},
		"bad limit":     {Name: "g", Routes: []Route{{Endpoint: "x", Rules: []Rule{{Limits: []Limit{{Amount: 1}}}}}}},
		"negative cost": {Name: "g", Routes: []Route{{Endpoint: "x", Rules: []Rule{{Limits: one, Cost: -2}}}}},
	} {
		if err := l.Register(g); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := l.Register(quickstart()); err != nil {
		t.Fatalf("nothing was registered by the failures, yet: %v", err)
	}
	if _, err := NewRule("3 per lightyear"); err == nil || !strings.Contains(err.Error(), "lightyear") {
		t.Fatalf("NewRule: %v", err)
	}
}

// TestErrorMessageFunc: a rule's message can be computed per request; it is
// escaped in the HTML body, an empty one shows the limit, and the breach
// callback sees the message of its request.
func TestErrorMessageFunc(t *testing.T) {
	clk := newTestClock()
	var seen []string
	l := newLimiter(t, clk, WithOnBreach(func(w http.ResponseWriter, r *http.Request, b *Breach) bool {
		seen = append(seen, b.ErrorMessage)
		return false
	}))
	msg := func(r *http.Request) string {
		if who := r.URL.Query().Get("who"); who != "" {
			return "slow down, " + who
		}
		return ""
	}
	h := l.Limit("1 per minute", RuleErrorMessageFunc(msg))(text("ok"))
	if w := get(h, "/x"); w.Code != 200 {
		t.Fatalf("first request: %d", w.Code)
	}
	if w := get(h, "/x?who=%3Cbob%3E"); w.Code != 429 || !strings.Contains(w.Body.String(), "<p>slow down, &lt;bob&gt;</p>") {
		t.Fatalf("refused with a message: %d %q", w.Code, w.Body.String())
	}
	if w := get(h, "/x", header("Accept", "application/json")); w.Code != 429 || !strings.Contains(w.Body.String(), `"detail":"1 per 1 minute"`) {
		t.Fatalf("refused with an empty message: %d %q", w.Code, w.Body.String())
	}
	if len(seen) != 2 || seen[0] != "slow down, <bob>" || seen[1] != "" {
		t.Fatalf("breach messages %q", seen)
	}
}
