package backends_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

func TestStrategy(t *testing.T) {
	if s := backends.Strategies(); len(s) != 3 || s[0] != backends.FixedWindow || s[1] != backends.MovingWindow || s[2] != backends.SlidingWindowCounter {
		t.Fatalf("Strategies() = %v", s)
	}
	var zero backends.Strategy
	if zero != backends.FixedWindow {
		t.Error("the zero Strategy is not FixedWindow")
	}
	for in, want := range map[string]backends.Strategy{
		"fixed-window":             backends.FixedWindow,
		" Moving-Window ":          backends.MovingWindow,
		"SLIDING-WINDOW-COUNTER\t": backends.SlidingWindowCounter,
	} {
		got, err := backends.ParseStrategy(in)
		if err != nil || got != want {
			t.Errorf("ParseStrategy(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, _ := backends.ParseStrategy(got.String()); back != got {
			t.Errorf("%v does not round-trip through String", got)
		}
	}
	for _, in := range []string{"", "fixed", "token-bucket", "fixed-window-elastic-expiry", "fixed window"} {
		_, err := backends.ParseStrategy(in)
		if err == nil {
			t.Errorf("ParseStrategy(%q): no error", in)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, strconv.Quote(in)) || !strings.Contains(msg, "sliding-window-counter") {
			t.Errorf("ParseStrategy(%q) error %q does not quote the input and list the strategies", in, msg)
		}
	}
	if s := backends.Strategy(9).String(); s != "strategy(9)" {
		t.Errorf("Strategy(9).String() = %q", s)
	}
}

func TestValidate(t *testing.T) {
	good := backends.Limit{Key: "k", Amount: 1, Window: time.Second, Cost: 1}
	ok := []backends.Request{
		{Limits: []backends.Limit{good}},
		{Strategy: backends.SlidingWindowCounter, Limits: []backends.Limit{good, {Key: "k2", Amount: 0, Window: 1, Cost: 0}}},
		{},
	}
	for i, r := range ok {
		if err := r.Validate(make([]backends.Result, len(r.Limits))); err != nil {
			t.Errorf("valid request %d: %v", i, err)
		}
	}
	bad := []struct {
		req  backends.Request
		n    int
		want string
	}{
		{backends.Request{Strategy: 3, Limits: []backends.Limit{good}}, 1, "unknown strategy 3"},
		{backends.Request{Limits: []backends.Limit{good}}, 0, "0 results for 1 limits"},
		{backends.Request{Limits: []backends.Limit{good, {Amount: 1, Window: 1}}}, 2, "limit 1: empty key"},
		{backends.Request{Limits: []backends.Limit{{Key: "a/b", Amount: -2, Window: 1}}}, 1, `limit "a/b": negative amount -2`},
		{backends.Request{Limits: []backends.Limit{{Key: "k", Amount: 1, Window: 0}}}, 1, `limit "k": window 0s is not positive`},
		{backends.Request{Limits: []backends.Limit{{Key: "k", Amount: 1, Window: -time.Second}}}, 1, "window -1s is not positive"},
		{backends.Request{Limits: []backends.Limit{{Key: "k", Amount: 1, Window: 1, Cost: -1}}}, 1, `limit "k": negative cost -1`},
	}
	for _, c := range bad {
		err := c.req.Validate(make([]backends.Result, c.n))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "backends: ") {
			t.Errorf("Validate = %v, want an error containing %q", err, c.want)
		}
	}
}
