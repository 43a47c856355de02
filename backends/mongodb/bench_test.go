package mongodb_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// BenchmarkHit measures admitted hits on the fixed window against the real
// server, with one limit and with two limits of one client (one document
// either way): serially (a find and a replace each), in parallel with one
// client per goroutine, and in parallel with 16 goroutines on one hot
// client, whose hits the storage combines into batches of one find and
// one replace. On FerretDB every call goes through one connection
// (maxPoolSize=1), so parallel calls queue for it.
func BenchmarkHit(b *testing.B) {
	st := open(b)
	for _, n := range []int{1, 2} {
		limits := func(client string) []backends.Limit {
			ls := make([]backends.Limit, n)
			for i := range ls {
				w := time.Hour + time.Duration(i)*time.Minute
				ls[i] = backends.Limit{Key: backends.Key("LIMITER", client, "bench", strconv.Itoa(i)), Amount: 1 << 40, Window: w, Cost: 1}
			}
			return ls
		}
		name := "limits=" + strconv.Itoa(n)
		b.Run("serial/"+name, func(b *testing.B) {
			req := &backends.Request{Limits: limits("serial-" + name)}
			res := make([]backends.Result, n)
			b.ReportAllocs()
			for b.Loop() {
				req.Now = time.Now()
				if ok, err := st.Hit(context.Background(), req, res); err != nil || !ok {
					b.Fatal(ok, err)
				}
			}
		})
		b.Run("parallel/"+name, func(b *testing.B) {
			var seq atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := &backends.Request{Limits: limits("parallel-" + name + "-" + strconv.FormatInt(seq.Add(1), 10))}
				res := make([]backends.Result, n)
				for pb.Next() {
					req.Now = time.Now()
					if ok, err := st.Hit(context.Background(), req, res); err != nil || !ok {
						b.Error(ok, err)
						return
					}
				}
			})
		})
		b.Run("parallel-hot/"+name, func(b *testing.B) {
			ls := limits("hot-" + name)
			b.ReportAllocs()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				req := &backends.Request{Limits: ls}
				res := make([]backends.Result, n)
				for pb.Next() {
					req.Now = time.Now()
					if ok, err := st.Hit(context.Background(), req, res); err != nil || !ok {
						b.Error(ok, err)
						return
					}
				}
			})
		})
	}
}
