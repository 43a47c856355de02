package runtime

import (
	"net/http"
	"testing"
)

func tenant(r *http.Request) string { return r.Header.Get("X-Tenant") }

// TestScopeFunc: a rule's counters are kept per value of its ScopeFunc, for
// one client: each tenant has its own, and requests without one share the
// rule's plain counter.
func TestScopeFunc(t *testing.T) {
	var scopes []string
	l := newLimiter(t, newTestClock(), WithOnBreach(func(w http.ResponseWriter, r *http.Request, b *Breach) bool {
		scopes = append(scopes, b.Scope)
		return false
	}))
	h := l.Limit("1 per minute", RuleEndpoint("search"), RuleScopeFunc(tenant))(text("ok"))
	for _, tc := range []struct {
		tenant string
		want   int
	}{{"a", 200}, {"a", 429}, {"b", 200}, {"", 200}, {"", 429}, {"b", 429}, {"x/{y}%", 200}, {"x/{y}%", 429}} {
		if w := get(h, "/search", header("X-Tenant", tc.tenant)); w.Code != tc.want {
			t.Fatalf("tenant %q: %d, want %d", tc.tenant, w.Code, tc.want)
		}
	}
	want := []string{"limit.search:a", "limit.search", "limit.search:b", "limit.search:x%2F%7By%7D%25"}
	if len(scopes) != len(want) {
		t.Fatalf("breach scopes %q, want %q", scopes, want)
	}
	for i := range want {
		if scopes[i] != want[i] {
			t.Fatalf("breach scopes %q, want %q", scopes, want)
		}
	}
}

// TestScopeFuncShared: a shared limit with a ScopeFunc is shared by its
// routes per value (here per tenant), and a deduct-when limit is charged
// after the handler under the scope of its own request.
func TestScopeFuncShared(t *testing.T) {
	clk := newTestClock()
	l := newLimiter(t, clk)
	failed := func(r *http.Request, status int) bool { return status >= 400 }
	mux := mount(t, l, &Group{Name: "app", Routes: []Route{
		{Endpoint: "up", Pattern: "POST /up", Handler: text("up"), Rules: []Rule{{Limits: MustParseLimits("2 per hour"), Shared: "uploads", ScopeFunc: tenant}}},
		{Endpoint: "bulk", Pattern: "POST /bulk", Handler: text("bulk"), Rules: []Rule{{Limits: MustParseLimits("2 per hour"), Shared: "uploads", ScopeFunc: tenant}}},
		{Endpoint: "login", Pattern: "POST /login", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
		}), Rules: []Rule{{Limits: MustParseLimits("1 per hour"), DeductWhen: failed, ScopeFunc: tenant}}},
	}})
	post := func(path, who string) int { return do(mux, http.MethodPost, path, header("X-Tenant", who)).Code }
	if post("/up", "a") != 200 || post("/bulk", "a") != 200 || post("/up", "a") != 429 || post("/bulk", "a") != 429 {
		t.Fatal("tenant a: want two uploads over both routes, then refusals")
	}
	if post("/bulk", "b") != 200 {
		t.Fatal("tenant b shares tenant a's uploads")
	}
	if post("/login", "a") != 401 || post("/login", "a") != 429 {
		t.Fatal("tenant a: a failed login was not charged under its scope")
	}
	if post("/login", "b") != 401 {
		t.Fatal("tenant b was charged for tenant a's failed login")
	}
}
