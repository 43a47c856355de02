package etcd_test

import (
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// TestKeysExpire: a key whose state has ended is removed by etcd when its
// lease ends (a few seconds for a 1 ms window: one second of slack, the
// lease's whole seconds and its bucket), so storage stays bounded by the
// live keys. This is the one test that waits for real time, since leases
// run on the server's clock; it polls instead of sleeping a fixed time.
func TestKeysExpire(t *testing.T) {
	prefix := backendtest.UniquePrefix(t)
	st := openPrefix(t, prefix)
	l := limit("exp", "1 per 1ms", 1, time.Millisecond)
	start := time.Now()
	hit(t, st, backends.MovingWindow, time.Now(), l)
	for {
		r := rawGet(t, st, prefix, l.Key)
		if len(r.Kvs) == 0 {
			break
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("key still stored %v after its 1 ms window", time.Since(start))
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The lease must not end before the state plus ClockSlack.
	if d := time.Since(start); d < time.Millisecond+time.Second {
		t.Errorf("key removed after %v, before its state's end plus the slack", d)
	}
	t.Logf("removed after %v", time.Since(start).Round(time.Millisecond))
}
