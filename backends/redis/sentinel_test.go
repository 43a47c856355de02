package redis_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// TestSentinelFailover switches the sentinel set's master (SENTINEL
// FAILOVER) while four goroutines keep deciding. Errors may occur only
// around the switch; afterwards every decision succeeds, a limit exhausted
// before the switch stays exhausted (no over-admission), and a fresh limit
// is exact on the new master.
func TestSentinelFailover(t *testing.T) {
	st := open(t, "LIMITGEN_REDIS_SENTINEL_URI", "timeout=500ms")
	u, err := backends.ParseURI(backendtest.ServerURI(t, "LIMITGEN_REDIS_SENTINEL_URI"))
	if err != nil {
		t.Fatal(err)
	}
	service := strings.Trim(u.Path, "/")
	sc := goredis.NewSentinelClient(&goredis.Options{Addr: u.Hosts[0]})
	defer sc.Close()
	ctx := context.Background()
	master := func() string {
		addr, err := sc.GetMasterAddrByName(ctx, service).Result()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(addr, ":")
	}
	before := master()

	// A limit exhausted before the switch, replicated to the replica.
	full := backends.Limit{Key: backends.Key("L", "full", "s", "5 per 1 hour"), Amount: 5, Window: time.Hour, Cost: 1}
	for i := range 6 {
		res := make([]backends.Result, 1)
		ok, err := st.Hit(ctx, &backends.Request{Now: time.Now(), Limits: []backends.Limit{full}}, res)
		if err != nil || ok != (i < 5) {
			t.Fatalf("hit %d before the switch: %v, %v", i, ok, err)
		}
	}
	if n, err := st.Client().Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n < 1 {
		t.Fatalf("WAIT for the replica: %d, %v", n, err)
	}

	// Traffic during the switch.
	type failure struct {
		at  time.Time
		err error
	}
	var (
		mu       sync.Mutex
		failures []failure
		okAfter  = map[int]int{} // successes per goroutine, by phase
		phase    int             // 0 before the switch is seen, 1 after
		wg       sync.WaitGroup
		stop     = make(chan struct{})
	)
	for g := range 4 {
		wg.Go(func() {
			l := backends.Limit{Key: backends.Key("L", "traffic", "s", "many"), Amount: 1 << 40, Window: time.Hour, Cost: 1}
			l.Key += string(rune('a' + g))
			res := make([]backends.Result, 1)
			for {
				select {
				case <-stop:
					return
				default:
				}
				ok, err := st.Hit(ctx, &backends.Request{Now: time.Now(), Limits: []backends.Limit{l}}, res)
				mu.Lock()
				if err != nil {
					failures = append(failures, failure{time.Now(), err})
				} else if ok {
					okAfter[phase]++
				}
				mu.Unlock()
				if err != nil {
					time.Sleep(10 * time.Millisecond)
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	for {
		err := sc.Failover(ctx, service).Err()
		if err == nil {
			break
		}
		// a replica still syncing after an earlier failover is not good yet
		if time.Since(start) > 20*time.Second {
			close(stop)
			wg.Wait()
			t.Fatalf("SENTINEL FAILOVER: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var switched time.Time
	for {
		if m := master(); m != before {
			switched = time.Now()
			t.Logf("master %s → %s after %v", before, m, switched.Sub(start))
			break
		}
		if time.Since(start) > 30*time.Second {
			close(stop)
			wg.Wait()
			t.Fatalf("master still %s 30s after SENTINEL FAILOVER", before)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	phase = 1
	mu.Unlock()
	time.Sleep(5 * time.Second)
	close(stop)
	wg.Wait()

	const grace = 2 * time.Second // for the client to hear of the switch
	for _, f := range failures {
		if f.at.After(switched.Add(grace)) {
			t.Errorf("error %v after the switch (at +%v)", f.err, f.at.Sub(switched))
		}
	}
	if len(failures) > 0 {
		t.Logf("%d errors around the switch, first at %v, last at %v (relative to the sentinel reporting it): %v",
			len(failures), failures[0].at.Sub(switched), failures[len(failures)-1].at.Sub(switched), failures[0].err)
	}
	if okAfter[1] == 0 {
		t.Error("no successful decision after the switch")
	}
	t.Logf("decisions: %d before, %d after the switch", okAfter[0], okAfter[1])

	// No over-admission: the exhausted limit stays exhausted.
	res := make([]backends.Result, 1)
	if ok, err := st.Hit(ctx, &backends.Request{Now: time.Now(), Limits: []backends.Limit{full}}, res); err != nil || ok || res[0].Remaining != 0 {
		t.Errorf("limit exhausted before the switch: Hit = %v %+v %v, want denied", ok, res[0], err)
	}
	// A fresh limit is exact on the new master.
	fresh := backends.Limit{Key: backends.Key("L", "fresh", "s", "100 per 1 hour"), Amount: 100, Window: time.Hour, Cost: 1}
	for _, s := range backends.Strategies() {
		n, err := hammer(st, s, fresh, 8, 25)
		if err != nil || n != 100 {
			t.Errorf("%v after the switch: %d admitted of 200 under 100 per hour, %v", s, n, err)
		}
	}
}
