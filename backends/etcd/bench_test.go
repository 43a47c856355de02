package etcd_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// BenchmarkHit measures admitted decisions against the real server, each
// on a client of its own (as many clients hitting a limiter, not one
// contended key): one limit, and a request of two limits of one client,
// from one goroutine and from GOMAXPROCS×4 (b.SetParallelism(4)).
func BenchmarkHit(b *testing.B) {
	for _, strategy := range backends.Strategies() {
		for _, nlimits := range []int{1, 2} {
			name := strategy.String() + "/limits=" + strconv.Itoa(nlimits)
			b.Run(name+"/serial", func(b *testing.B) { benchHit(b, strategy, nlimits, false) })
			b.Run(name+"/parallel", func(b *testing.B) { benchHit(b, strategy, nlimits, true) })
		}
	}
}

func benchHit(b *testing.B, strategy backends.Strategy, nlimits int, parallel bool) {
	st := open(b, "timeout=10s")
	var seq atomic.Int64
	request := func() *backends.Request {
		client := "c" + strconv.FormatInt(seq.Add(1), 10)
		limits := make([]backends.Limit, nlimits)
		for i := range limits {
			w := time.Hour + time.Duration(i)*time.Minute
			limits[i] = backends.Limit{Key: backends.Key("LIMITER", client, "bench", w.String()), Amount: 1 << 40, Window: w, Cost: 1}
		}
		return &backends.Request{Strategy: strategy, Limits: limits}
	}
	ctx := context.Background()
	b.ReportAllocs()
	if !parallel {
		req := request()
		res := make([]backends.Result, nlimits)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			if i%64 == 0 {
				req = request() // a moving window's log grows with every hit
			}
			req.Now = time.Now()
			if ok, err := st.Hit(ctx, req, res); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
		return
	}
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := request()
		res := make([]backends.Result, nlimits)
		for i := 0; pb.Next(); i++ {
			if i%64 == 0 {
				req = request()
			}
			req.Now = time.Now()
			if ok, err := st.Hit(ctx, req, res); err != nil || !ok {
				b.Error(ok, err)
				return
			}
		}
	})
}
