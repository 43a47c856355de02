package backendtest

import (
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// testConcurrency: G goroutines × N hits against a limit of L admit exactly
// min(G×N, L), with several limits per request (all-or-nothing under
// contention) and with costs above one.
func (e *env) testConcurrency(t *testing.T) {
	g := e.s.cfg.concurrency
	const n = 25
	total := int64(g * n)
	cases := []struct {
		name    string
		amounts []int64 // one limit per amount, same client
		cost    int64
		want    int64 // admitted requests
	}{
		{"under", []int64{total / 2}, 1, total / 2},
		{"over", []int64{total + 5}, 1, total},
		{"two limits", []int64{total/2 + 3, total / 3}, 1, total / 3},
		{"cost 2", []int64{total/2 + 1}, 2, (total/2 + 1) / 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client := e.s.client(t)
			var limits []backends.Limit
			for i, a := range c.amounts {
				limits = append(limits, e.limit(client, a, time.Hour+time.Duration(i)*time.Minute, c.cost))
			}
			now := e.at(0)
			got := CountAdmitted(t, g, n, []backends.Storage{e.st}, func(int) *backends.Request {
				req := &backends.Request{Strategy: e.strategy, Now: now, Limits: limits}
				if e.server {
					req.Now = time.Now()
				}
				return req
			})
			if t.Failed() {
				return
			}
			if got != c.want {
				t.Fatalf("%d goroutines × %d hits of cost %d against %v admitted %d, want %d", g, n, c.cost, c.amounts, got, c.want)
			}
			_, res := e.do(t, true, e.at(0), limits...)
			for i, a := range c.amounts {
				if want := a - c.want*c.cost; res[i].Remaining != want {
					t.Errorf("limit %d (amount %d): remaining %d after the run, want %d", i, a, res[i].Remaining, want)
				}
			}
		})
	}
}
