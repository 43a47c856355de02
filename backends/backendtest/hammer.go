package backendtest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/limitgen/limitgen/backends"
)

// CountAdmitted runs g goroutines that each make n Hits, goroutine i on
// stores[i%len(stores)] (several stores on one server stand for several
// processes), each Hit with the request request(i) returns, and returns
// how many Hits were admitted. A Hit's error fails the test (t.Error) and
// ends that goroutine's hits. It is the harness of exactness tests: G×N
// hits against a limit L must admit exactly min(G×N, L).
func CountAdmitted(t testing.TB, g, n int, stores []backends.Storage, request func(goroutine int) *backends.Request) int64 {
	t.Helper()
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for i := range g {
		st := stores[i%len(stores)]
		wg.Go(func() {
			var res []backends.Result
			for range n {
				req := request(i)
				if len(res) != len(req.Limits) {
					res = make([]backends.Result, len(req.Limits))
				}
				ok, err := st.Hit(context.Background(), req, res)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return admitted.Load()
}
