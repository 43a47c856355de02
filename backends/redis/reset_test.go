package redis_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// TestResetManyKeys: Reset walks every batch SCAN returns, on every master
// of a cluster, and a prefix holding glob characters matches only itself:
// a neighbour that a glob would match keeps its counters.
func TestResetManyKeys(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			st := open(t, mode)
			ctx := context.Background()
			const clients = 1500
			gone, kept := "re[set]*?", "re[set]X?"
			now := time.Now()
			hit := func(prefix string, i int) bool {
				l := backends.Limit{Key: backends.Key(prefix, fmt.Sprint("c", i), "s", "1 per 1 hour"), Amount: 1, Window: time.Hour, Cost: 1}
				ok, err := st.Hit(ctx, &backends.Request{Strategy: backends.FixedWindow, Now: now, Limits: []backends.Limit{l}}, make([]backends.Result, 1))
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}
			for i := range clients {
				hit(gone, i)
			}
			hit(kept, 0)
			n, err := st.Reset(ctx, gone)
			if err != nil || n != clients {
				t.Fatalf("Reset = %d, %v; want %d", n, err, clients)
			}
			for _, i := range []int{0, clients / 2, clients - 1} {
				if !hit(gone, i) {
					t.Errorf("client %d still limited after Reset", i)
				}
			}
			if hit(kept, 0) {
				t.Error("a key under another prefix was reset")
			}
			if _, err := st.Reset(ctx, gone); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Reset(ctx, kept); err != nil {
				t.Fatal(err)
			}
		})
	}
}
