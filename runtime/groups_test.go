package runtime

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// Two packages (groups) each with an "index" handler mount on one limiter
// and one mux; each endpoint counts on its own, scoped "blog.index" and
// "shop.index".
func TestSameEndpointInTwoGroups(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk, WithDefaultLimits("2 per minute"), WithContextResults(true))
	blog := &Group{Name: "blog", Routes: []Route{{Endpoint: "index", Pattern: "/blog/", Handler: text("blog")}}}
	shop := &Group{Name: "shop", Routes: []Route{{Endpoint: "index", Pattern: "/shop/", Handler: text("shop"), Rules: []Rule{{Limits: MustParseLimits("1 per minute")}}}}}
	mux := mount(t, l, blog, shop)

	expect(t, mux, clk, "/blog/", 200, 200, 429)
	expect(t, mux, clk, "/shop/", 200, 429) // its own counter, untouched by /blog/
	if w := get(mux, "/blog/"); w.Code != 429 || !strings.Contains(w.Body.String(), "2 per 1 minute") {
		t.Fatalf("blog: %d %q", w.Code, w.Body.String())
	}

	// Handler finds the endpoint in its group, on the same counter.
	if w := get(l.Handler(blog, "index"), "/blog/"); w.Code != 429 {
		t.Fatalf("Handler(blog, index): %d", w.Code)
	}
	if w := get(l.Handler(shop, "index"), "/shop/"); w.Code != 429 || !strings.Contains(w.Body.String(), "1 per 1 minute") {
		t.Fatalf("Handler(shop, index): %d %q", w.Code, w.Body.String())
	}

	var scopes []string
	probe := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ := ResultsFromContext(r.Context())
		for _, lr := range res.Limits {
			scopes = append(scopes, lr.Scope)
		}
	})
	other, err := New(WithDefaultLimits("5 per minute"), WithClock(clk.Now), WithContextResults(true))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	g := &Group{Name: "blog", Routes: []Route{{Endpoint: "index", Handler: probe}}}
	get(other.Handler(g, "index"), "/")
	if strings.Join(scopes, ",") != "blog.index" {
		t.Fatalf("scopes %q, want blog.index", scopes)
	}

	var b strings.Builder
	if err := l.WriteLimits(&b, TreeFilter{}); err != nil {
		t.Fatal(err)
	}
	want := "blog\n└── index: /blog/\n    └── 2 per 1 minute\nshop\n└── index: /shop/\n    └── 1 per 1 minute\n"
	if b.String() != want {
		t.Fatalf("tree:\n%s\nwant:\n%s", b.String(), want)
	}

	// Introspection takes the qualified name; the bare one is ambiguous.
	st, err := l.Inspect(context.Background(), "192.0.2.1", TreeFilter{Endpoint: "shop.index"})
	if err != nil || len(st) != 1 || st[0].Group != "shop" || st[0].Endpoint != "index" || st[0].Pass {
		t.Fatalf("Inspect shop.index: %+v, %v", st, err)
	}
	if _, err := l.Inspect(context.Background(), "192.0.2.1", TreeFilter{Endpoint: "index"}); err == nil || !strings.Contains(err.Error(), `"blog", "shop"`) {
		t.Fatalf("ambiguous endpoint: %v", err)
	}

	// Clearing the key frees both.
	if err := l.Clear(context.Background(), "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	expect(t, mux, clk, "/blog/", 200)
	expect(t, mux, clk, "/shop/", 200)
}

func TestHandlerOfSameEndpointInTwoGroups(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk)
	a := &Group{Name: "a", Routes: []Route{{Endpoint: "index", Handler: text("a"), Rules: []Rule{{Limits: MustParseLimits("1 per minute")}}}}}
	b := &Group{Name: "b", Routes: []Route{{Endpoint: "index", Handler: text("b"), Rules: []Rule{{Limits: MustParseLimits("1 per minute")}}}}}
	ha, hb := l.Handler(a, "index"), l.Handler(b, "index")
	if w := get(ha, "/"); w.Code != 200 || w.Body.String() != "a" {
		t.Fatalf("a: %d %q", w.Code, w.Body.String())
	}
	if w := get(hb, "/"); w.Code != 200 || w.Body.String() != "b" {
		t.Fatalf("b: %d %q", w.Code, w.Body.String())
	}
	expect(t, ha, clk, "/", 429)
	expect(t, hb, clk, "/", 429)
}

func TestDuplicateEndpoints(t *testing.T) {
	for _, c := range []struct {
		name   string
		groups []*Group
		want   string
	}{
		{"within a group", []*Group{{Name: "blog", Routes: []Route{{Endpoint: "index"}, {Endpoint: "index"}}}},
			`group "blog" has endpoint "index" twice`},
		{"two groups of one name", []*Group{{Name: "blog", Routes: []Route{{Endpoint: "index"}}}, {Name: "blog", Routes: []Route{{Endpoint: "index"}}}},
			`are both counted under "blog.index"`},
		{"qualified names collide", []*Group{{Name: "a", Routes: []Route{{Endpoint: "b.c"}}}, {Name: "a.b", Routes: []Route{{Endpoint: "c"}}}},
			`are both counted under "a.b.c"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newLimiter(t, newTestClock())
			err := l.Register(c.groups...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Register: %v, want an error containing %s", err, c.want)
			}
			var b strings.Builder
			if err := l.WriteLimits(&b, TreeFilter{}); err != nil || b.Len() != 0 {
				t.Fatalf("registered something: %q %v", b.String(), err)
			}
		})
	}
}

// A route without a pattern prints its endpoint alone, and a route's
// rules print in the order they were declared.
func TestTreeDeclarationOrder(t *testing.T) {
	l := newLimiter(t, newTestClock())
	g := &Group{Name: "pkg", Routes: []Route{
		{Endpoint: "fast", Pattern: "/fast", Rules: []Rule{{Limits: MustParseLimits("2 per minute")}, {Limits: MustParseLimits("1 per second")}}},
		{Endpoint: "hand", Rules: []Rule{{Limits: MustParseLimits("1 per day; 3 per hour")}}},
	}}
	if err := l.Register(g); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := l.WriteLimits(&b, TreeFilter{}); err != nil {
		t.Fatal(err)
	}
	want := "pkg\n├── hand\n│   ├── 1 per 1 day\n│   └── 3 per 1 hour\n└── fast: /fast\n    ├── 2 per 1 minute\n    └── 1 per 1 second\n"
	if b.String() != want {
		t.Fatalf("tree:\n%s\nwant:\n%s", b.String(), want)
	}
}
