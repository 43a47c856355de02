package runtime

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func planLimits(r *http.Request) string {
	switch r.Header.Get("X-Plan") {
	case "pro":
		return "3 per minute"
	case "unlimited":
		return ""
	case "broken":
		return "3 per fortnight"
	}
	return "1 per minute; 10 per day"
}

// TestLimitsFunc: a rule's limits follow its LimitsFunc per request: each
// plan is limited by its own limits (counted per limit text, so plans do
// not share counters), "" limits nothing, and a malformed string is logged
// and limits nothing. The headers describe the request's own limit.
func TestLimitsFunc(t *testing.T) {
	var logged bytes.Buffer
	l := newLimiter(t, newTestClock(), WithHeaders(true), WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	h := l.Limit("", RuleEndpoint("api"), RuleLimitsFunc(planLimits))(text("ok"))
	for _, tc := range []struct {
		plan  string
		codes []int
		limit string // X-Ratelimit-Limit of the first request
	}{
		{"", []int{200, 429}, "1"},
		{"pro", []int{200, 200, 200, 429}, "3"},
		{"unlimited", []int{200, 200, 200, 200}, ""},
		{"broken", []int{200, 200}, ""},
	} {
		for i, want := range tc.codes {
			w := get(h, "/api", header("X-Plan", tc.plan))
			if w.Code != want {
				t.Fatalf("plan %q, request %d: %d, want %d", tc.plan, i, w.Code, want)
			}
			if i == 0 && w.Header().Get("X-Ratelimit-Limit") != tc.limit {
				t.Errorf("plan %q: X-Ratelimit-Limit %q, want %q", tc.plan, w.Header().Get("X-Ratelimit-Limit"), tc.limit)
			}
		}
	}
	if n := strings.Count(logged.String(), "malformed limit"); n != 1 || !strings.Contains(logged.String(), "fortnight") {
		t.Errorf("want the malformed string logged once (it is cached), got %d lines:\n%s", n, logged.String())
	}
}

// TestLimitsFuncConcurrent: under -race, concurrent requests of two plans
// are admitted exactly as their limits allow.
func TestLimitsFuncConcurrent(t *testing.T) {
	l := newLimiter(t, newTestClock())
	h := l.Limit("", RuleLimitsFunc(planLimits))(text("ok"))
	var admitted [2]atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				plan := []string{"", "pro"}[(g+i)%2]
				if get(h, "/", header("X-Plan", plan)).Code == 200 {
					admitted[(g+i)%2].Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if got := fmt.Sprint(admitted[0].Load(), admitted[1].Load()); got != "1 3" {
		t.Fatalf("admitted (basic, pro) = %s, want 1 3", got)
	}
}

// TestLimitsFuncRegister: a rule needs Limits or a LimitsFunc, not both.
func TestLimitsFuncRegister(t *testing.T) {
	l := newLimiter(t, newTestClock())
	both := Rule{Limits: MustParseLimits("1/second"), LimitsFunc: planLimits}
	if err := l.Register(&Group{Name: "g", Routes: []Route{{Endpoint: "e", Rules: []Rule{both}}}}); err == nil || !strings.Contains(err.Error(), "both") {
		t.Errorf("Register of a rule with both: %v", err)
	}
}
