package backendtest

import (
	"context"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// Hit sends st one Hit of limits at now under strategy and returns its
// decision and results, failing t (with the request described) on error.
// It is for backends' own tests beside the suite.
func Hit(t testing.TB, st backends.Storage, strategy backends.Strategy, now time.Time, limits ...backends.Limit) (bool, []backends.Result) {
	t.Helper()
	return decide(t, st, false, strategy, now, limits)
}

// Peek is Hit's counterpart for Test: it charges nothing.
func Peek(t testing.TB, st backends.Storage, strategy backends.Strategy, now time.Time, limits ...backends.Limit) (bool, []backends.Result) {
	t.Helper()
	return decide(t, st, true, strategy, now, limits)
}

// decide runs one Hit (or Test when peek) and fails t on error.
func decide(t testing.TB, st backends.Storage, peek bool, strategy backends.Strategy, now time.Time, limits []backends.Limit) (bool, []backends.Result) {
	t.Helper()
	req := &backends.Request{Strategy: strategy, Now: now, Limits: limits}
	res := make([]backends.Result, len(limits))
	var ok bool
	var err error
	if peek {
		ok, err = st.Test(context.Background(), req, res)
	} else {
		ok, err = st.Hit(context.Background(), req, res)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", opName(peek), describe(now, limits), err)
	}
	return ok, res
}
