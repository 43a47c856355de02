package runtime

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// One test per level of limits Flask-Limiter offers.

func TestDefaultLimitsAreCountedPerRoute(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("1 per minute"))
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "a", Pattern: "/a", Handler: text("a")},
		{Endpoint: "b", Pattern: "/b", Handler: text("b")},
	}})
	expect(t, mux, clk, "/a", 200, 429)
	expect(t, mux, clk, "/b", 200, 429, time.Minute, 200)
}

func TestRouteLimitsReplaceDefaultsUnlessKept(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("1 per minute"))
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "own", Pattern: "/own", Handler: text("x"), Rules: []Rule{{Limits: MustParseLimits("3 per minute")}}},
		{Endpoint: "kept", Pattern: "/kept", Handler: text("x"), Rules: []Rule{{Limits: MustParseLimits("3 per minute"), KeepDefaults: true}}},
	}})
	expect(t, mux, clk, "/own", 200, 200, 200, 429)
	expect(t, mux, clk, "/kept", 200, 429)
}

func TestGroupLimits(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("1 per minute"))
	mux := mount(t, l, &Group{Name: "bp", Rules: []Rule{{Limits: MustParseLimits("2 per minute")}}, Routes: []Route{
		{Endpoint: "x", Pattern: "/x", Handler: text("x")},
		{Endpoint: "w", Pattern: "/w", Handler: text("w")},
		{Endpoint: "own", Pattern: "/own", Handler: text("x"), Rules: []Rule{{Limits: MustParseLimits("3 per minute")}}},
		{Endpoint: "kept", Pattern: "/kept", Handler: text("x"), Rules: []Rule{{Limits: MustParseLimits("5 per minute"), KeepDefaults: true}}},
	}})
	// Group limits replace the defaults and count per route.
	expect(t, mux, clk, "/x", 200, 200, 429)
	expect(t, mux, clk, "/w", 200, 200, 429)
	// A route's own rules replace the group's...
	expect(t, mux, clk, "/own", 200, 200, 200, 429)
	// ...unless they keep them.
	expect(t, mux, clk, "/kept", 200, 200, 429)
}

func TestClassBasedView(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk)
	view := []Rule{{Limits: MustParseLimits("2 per minute")}}
	perMethod := []Rule{{Limits: MustParseLimits("1 per minute"), PerMethod: true}}
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "Users.Get", View: "Users", Pattern: "GET /users", Handler: text("list"), ViewRules: view},
		{Endpoint: "Users.Post", View: "Users", Pattern: "POST /users", Handler: text("made"), ViewRules: view},
		{Endpoint: "Items.Get", View: "Items", Pattern: "GET /items", Handler: text("list"), ViewRules: perMethod},
		{Endpoint: "Items.Post", View: "Items", Pattern: "POST /items", Handler: text("made"), ViewRules: perMethod},
		{Endpoint: "Items.Delete", View: "Items", Pattern: "DELETE /items", Handler: text("gone"), ViewRules: perMethod,
			Rules: []Rule{{Limits: MustParseLimits("3 per minute")}}},
	}})
	// The view's limits are shared by all its methods...
	if c := do(mux, "GET", "/users").Code; c != 200 {
		t.Fatal(c)
	}
	if c := do(mux, "POST", "/users").Code; c != 200 {
		t.Fatal(c)
	}
	if c := do(mux, "GET", "/users").Code; c != 429 {
		t.Fatalf("third request on the view: %d", c)
	}
	// ...or counted per method.
	for _, m := range []string{"GET", "POST"} {
		if c := do(mux, m, "/items").Code; c != 200 {
			t.Fatal(m, c)
		}
		if c := do(mux, m, "/items").Code; c != 429 {
			t.Fatal(m, c)
		}
	}
	// A method's own limits replace the view's.
	for i, want := range []int{200, 200, 200, 429} {
		if c := do(mux, "DELETE", "/items").Code; c != want {
			t.Fatalf("DELETE %d: %d", i, c)
		}
	}
}

func TestSharedLimit(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk)
	shared := Rule{Limits: MustParseLimits("2 per minute"), Shared: "search"}
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "a", Pattern: "/a", Handler: text("a"), Rules: []Rule{shared}},
		{Endpoint: "b", Pattern: "/b", Handler: text("b"), Rules: []Rule{shared}},
	}})
	expect(t, mux, clk, "/a", 200)
	expect(t, mux, clk, "/b", 200, 429)
	expect(t, mux, clk, "/a", 429)
}

func TestApplicationLimits(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithApplicationLimits("3 per minute"), WithDefaultLimits("10 per minute"))
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "a", Pattern: "/a", Handler: text("a")},
		{Endpoint: "b", Pattern: "/b", Handler: text("b"), Rules: []Rule{{Limits: MustParseLimits("10 per minute")}}},
		{Endpoint: "free", Pattern: "/free", Handler: text("f"), Exempt: ExemptApplication},
	}})
	expect(t, mux, clk, "/a", 200, 200)
	expect(t, mux, clk, "/free", 200, 200, 200)
	expect(t, mux, clk, "/b", 200, 429)
	expect(t, mux, clk, "/a", 429)
	if w := get(mux, "/b"); !strings.Contains(w.Body.String(), "3 per 1 minute") {
		t.Fatalf("body %q", w.Body.String())
	}
}

func TestMetaLimits(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithMetaLimits("2 per hour"))
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "a", Pattern: "/a", Handler: text("a"), Rules: []Rule{{Limits: MustParseLimits("1 per minute")}}},
		{Endpoint: "b", Pattern: "/b", Handler: text("b")},
		{Endpoint: "nometa", Pattern: "/nometa", Handler: text("n"), Exempt: ExemptMeta},
	}})
	expect(t, mux, clk, "/a", 200, 429, time.Minute, 200, 429) // two breaches
	clk.Advance(time.Minute)
	w := get(mux, "/a")
	if w.Code != 429 || !strings.Contains(w.Body.String(), "2 per 1 hour") {
		t.Fatalf("after two breaches: %d %q", w.Code, w.Body.String())
	}
	expect(t, mux, clk, "/b", 429)      // refused everything
	expect(t, mux, clk, "/nometa", 200) // unless exempt from meta limits
	clk.Advance(time.Hour)
	expect(t, mux, clk, "/b", 200)
}

func TestPerMethod(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk)
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "r", Pattern: "/r", Handler: text("r"), Rules: []Rule{{Limits: MustParseLimits("1 per minute"), PerMethod: true}}},
	}})
	for _, m := range []string{"GET", "POST", "PUT"} {
		if c := do(mux, m, "/r").Code; c != 200 {
			t.Fatal(m, c)
		}
		if c := do(mux, m, "/r").Code; c != 429 {
			t.Fatal(m, c)
		}
	}
}

func TestMethods(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("2 per minute"))
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "r", Pattern: "/r", Handler: text("r"), Rules: []Rule{{Limits: MustParseLimits("1 per minute"), Methods: []string{"post"}}}},
	}})
	if c := do(mux, "POST", "/r").Code; c != 200 {
		t.Fatal(c)
	}
	if c := do(mux, "POST", "/r").Code; c != 429 {
		t.Fatal(c)
	}
	// GET is not limited by the POST rule, so the defaults apply to it
	// (Flask-Limiter's explicit_limits_exempt).
	expect(t, mux, clk, "/r", 200, 200, 429)
}

func TestCost(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk)
	byHeader := func(r *http.Request) int64 {
		if r.Header.Get("X-Big") != "" {
			return 4
		}
		return 1
	}
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "c", Pattern: "/c", Handler: text("c"), Rules: []Rule{{Limits: MustParseLimits("5 per minute"), Cost: 2}}},
		{Endpoint: "f", Pattern: "/f", Handler: text("f"), Rules: []Rule{{Limits: MustParseLimits("5 per minute"), CostFunc: byHeader}}},
	}})
	expect(t, mux, clk, "/c", 200, 200, 429)
	if c := get(mux, "/f", header("X-Big", "1")).Code; c != 200 {
		t.Fatal(c)
	}
	if c := get(mux, "/f", header("X-Big", "1")).Code; c != 429 {
		t.Fatal(c)
	}
	expect(t, mux, clk, "/f", 200, 429)
}

func TestDeductWhen(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk)
	failures := Rule{Limits: MustParseLimits("1 per minute"), DeductWhen: func(r *http.Request, status int) bool { return status >= 400 }}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("fail") {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush through the status writer: %v", err)
		}
	})
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{{Endpoint: "login", Pattern: "/login", Handler: h, Rules: []Rule{failures}}}})
	expect(t, mux, clk, "/login", 200, 200, 200) // successes are free
	expect(t, mux, clk, "/login?fail", 401)      // charged after the handler
	expect(t, mux, clk, "/login", 429)
	expect(t, mux, clk, "/login", time.Minute, 200)
}

func TestExemptWhen(t *testing.T) {
	clk := newTestClock()
	admin := func(r *http.Request) bool { return r.Header.Get("X-Admin") == "yes" }
	l := newLimiter(t, clk, WithDefaultLimits("1 per minute"), WithDefaultLimitsExemptWhen(admin))
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "d", Pattern: "/d", Handler: text("d")},
		{Endpoint: "r", Pattern: "/r", Handler: text("r"), Rules: []Rule{{Limits: MustParseLimits("1 per minute"), ExemptWhen: admin}}},
	}})
	for _, p := range []string{"/d", "/r"} {
		for i := 0; i < 3; i++ {
			if c := get(mux, p, header("X-Admin", "yes")).Code; c != 200 {
				t.Fatal(p, c)
			}
		}
		expect(t, mux, clk, p, 200, 429)
	}
}

func TestRequestFilter(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("1 per minute"), WithMetaLimits("1 per hour"), WithContextResults(true),
		WithRequestFilter(func(r *http.Request) bool { return r.Header.Get("X-Internal") != "" }))
	var decided atomic.Bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, ok := ResultsFromContext(r.Context())
		decided.Store(ok)
	})
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{{Endpoint: "a", Pattern: "/a", Handler: h}}})
	for i := 0; i < 3; i++ {
		if c := get(mux, "/a", header("X-Internal", "1")).Code; c != 200 {
			t.Fatal(c)
		}
		if decided.Load() {
			t.Fatal("filtered request has results")
		}
	}
	expect(t, mux, clk, "/a", 200, 429)
}

// flaky is a memory storage that fails while down is set.
type flaky struct {
	backends.Storage
	down atomic.Bool
	hits atomic.Int64
}

var errDown = errors.New("storage down")

func (f *flaky) Hit(ctx context.Context, req *backends.Request, res []backends.Result) (bool, error) {
	if f.down.Load() {
		return false, errDown
	}
	f.hits.Add(1)
	return f.Storage.Hit(ctx, req, res)
}

func (f *flaky) Ping(ctx context.Context) error {
	if f.down.Load() {
		return errDown
	}
	return nil
}

func newFlaky(t *testing.T) *flaky {
	s, err := backends.Open("memory://")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &flaky{Storage: s}
}

func TestFallback(t *testing.T) {
	clk := newTestClock()
	store := newFlaky(t)
	l := newLimiter(t, clk, WithStorage(store), WithFallback(), WithDefaultLimits("2 per minute"))
	mux := mount(t, l, quickstart())
	expect(t, mux, clk, "/fast", 200)
	store.down.Store(true)
	// The fallback keeps the route's limits, on fresh memory counters.
	expect(t, mux, clk, "/fast", 200, 200, 429)
	expect(t, mux, clk, "/slow", 200, 429)
	// Storage back: the next health check (after 1s) switches back.
	store.down.Store(false)
	clk.Advance(2 * time.Second)
	before := store.hits.Load()
	expect(t, mux, clk, "/fast", 200, 429) // one hit left from before the failure
	if store.hits.Load() == before {
		t.Fatal("still on the fallback after recovery")
	}
}

func TestFallbackLimitsReplaceRouteLimits(t *testing.T) {
	clk := newTestClock()
	store := newFlaky(t)
	store.down.Store(true)
	l := newLimiter(t, clk, WithStorage(store), WithFallback("1 per minute"), WithDefaultLimits("5 per minute"))
	mux := mount(t, l, quickstart())
	expect(t, mux, clk, "/fast", 200, 429)
	expect(t, mux, clk, "/ping", 200, 200)
}

func TestStorageErrors(t *testing.T) {
	clk := newTestClock()
	store := newFlaky(t)
	store.down.Store(true)
	strict := mount(t, newLimiter(t, clk, WithStorage(store), WithDefaultLimits("1 per minute")), quickstart())
	expect(t, strict, clk, "/fast", 500)
	swallow := mount(t, newLimiter(t, clk, WithStorage(store), WithSwallowErrors(true), WithDefaultLimits("1 per minute")), quickstart())
	expect(t, swallow, clk, "/fast", 200, 200)
}

func TestStrategyReachesTheStorage(t *testing.T) {
	for _, c := range []struct {
		strategy string
		last     int
	}{{"fixed-window", 200}, {"moving-window", 429}} {
		clk := newTestClock()
		l := newLimiter(t, clk, WithStrategy(c.strategy), WithDefaultLimits("2 per minute"))
		mux := mount(t, l, quickstart())
		// Hits at 0s, 59s and 60s; at 61s the fixed window opened at 60s has
		// room, the moving window still holds the hits of 59s and 60s.
		expect(t, mux, clk, "/fast", 200, 59*time.Second, 200, time.Second, 200, time.Second, c.last)
	}
}
