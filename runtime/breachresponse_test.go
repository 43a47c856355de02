package runtime

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The 429 is replaceable for the whole limiter and per route, and the
// route's replacement wins; an OnBreach that handles the breach wins over
// both.
func TestBreachResponse(t *testing.T) {
	clk := newTestClock()
	limiterWide := func(w http.ResponseWriter, r *http.Request, b *Breach) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"error":"`+b.Limit.String()+` on `+b.Scope+`"}`)
	}
	routeOwn, err := NewRule("1 per minute", RuleBreachResponse(func(w http.ResponseWriter, r *http.Request, b *Breach) {
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "route says no: "+b.Endpoint+" in "+b.Group)
	}))
	if err != nil {
		t.Fatal(err)
	}
	handled := Rule{Limits: MustParseLimits("1 per minute"), BreachResponse: routeOwn.BreachResponse,
		OnBreach: func(w http.ResponseWriter, r *http.Request, b *Breach) bool {
			w.WriteHeader(http.StatusForbidden)
			return true
		}}
	l := newLimiter(t, clk, WithDefaultLimits("1 per minute"), WithHeaders(true), WithBreachResponse(limiterWide))
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "plain", Pattern: "/plain", Handler: text("plain")},
		{Endpoint: "own", Pattern: "/own", Handler: text("own"), Rules: []Rule{routeOwn}},
		{Endpoint: "handled", Pattern: "/handled", Handler: text("handled"), Rules: []Rule{handled}},
	}})
	for _, c := range []struct {
		path, body string
		code       int
	}{
		{"/plain", `{"error":"1 per 1 minute on app.plain"}`, http.StatusServiceUnavailable},
		{"/own", "route says no: own in app", http.StatusTeapot},
		{"/handled", "", http.StatusForbidden},
	} {
		if w := get(mux, c.path); w.Code != 200 {
			t.Fatalf("%s: first request %d", c.path, w.Code)
		}
		w := get(mux, c.path)
		if w.Code != c.code || w.Body.String() != c.body {
			t.Errorf("%s: %d %q, want %d %q", c.path, w.Code, w.Body.String(), c.code, c.body)
		}
		if w.Header().Get("X-RateLimit-Remaining") != "0" || w.Header().Get("Retry-After") == "" {
			t.Errorf("%s: rate-limit headers missing: %v", c.path, w.Header())
		}
	}

	// Without WithBreachResponse the default 429 names the limit.
	l2 := newLimiter(t, clk, WithDefaultLimits("1 per minute"))
	mux2 := mount(t, l2, &Group{Name: "app", Routes: []Route{
		{Endpoint: "plain", Pattern: "/plain", Handler: text("plain")},
		{Endpoint: "own", Pattern: "/own", Handler: text("own"), Rules: []Rule{routeOwn}},
	}})
	get(mux2, "/plain")
	if w := get(mux2, "/plain"); w.Code != 429 || !strings.Contains(w.Body.String(), "1 per 1 minute") {
		t.Errorf("default 429: %d %q", w.Code, w.Body.String())
	}
	get(mux2, "/own")
	if w := get(mux2, "/own"); w.Code != http.StatusTeapot {
		t.Errorf("route response without a limiter one: %d %q", w.Code, w.Body.String())
	}
}
