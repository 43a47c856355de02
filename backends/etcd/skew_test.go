package etcd_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// TestClockSkew: two application servers whose clocks differ by 10 s share
// the states; the one behind still counts every hit the one ahead charged
// (the states never go backwards), for each strategy.
func TestClockSkew(t *testing.T) {
	const skew = 10 * time.Second
	for _, strategy := range backends.Strategies() {
		t.Run(strategy.String(), func(t *testing.T) {
			prefix := backendtest.UniquePrefix(t)
			ahead, behind := openPrefix(t, prefix), openPrefix(t, prefix)
			l := limit("skew", "2 per 1m", 2, time.Minute)
			// The same real instants, read on two clocks.
			hit(t, ahead, strategy, t0.Add(30*time.Second+skew), l)
			ok, res := hit(t, behind, strategy, t0.Add(31*time.Second), l)
			if !ok || res[0].Remaining != 0 {
				t.Fatalf("server behind: %v, %+v; want admitted, remaining 0", ok, res[0])
			}
			if ok, _ := hit(t, behind, strategy, t0.Add(32*time.Second), l); ok {
				t.Errorf("server behind admitted a third hit of 2 per minute")
			}
			if ok, _ := hit(t, ahead, strategy, t0.Add(33*time.Second+skew), l); ok {
				t.Errorf("server ahead admitted a third hit of 2 per minute")
			}
		})
	}
}

// TestLockHonoursContext: a Hit queued behind another decision of the same
// client gives up when its context ends, and takes nothing with it.
func TestLockHonoursContext(t *testing.T) {
	st := open(t)
	l := limit("lock", "5 per 1h", 5, time.Hour)
	release := make(chan struct{})
	entered := make(chan struct{})
	first := true
	st.SetBeforeWrite(func() {
		if first {
			first = false
			close(entered)
			<-release
		}
	})
	done := make(chan error, 1)
	go func() {
		res := make([]backends.Result, 1)
		_, err := st.Hit(context.Background(), &backends.Request{Now: t0, Limits: []backends.Limit{l}}, res)
		done <- err
	}()
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	res := make([]backends.Result, 1)
	_, err := st.Hit(ctx, &backends.Request{Now: t0, Limits: []backends.Limit{l}}, res)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("queued Hit: %v, want the context's deadline", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ok, res := hit(t, st, backends.FixedWindow, t0, l); !ok || res[0].Remaining != 3 {
		t.Errorf("after: %v, %+v; want remaining 3 (the timed-out Hit charged nothing)", ok, res[0])
	}
}
