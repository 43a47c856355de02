package runtime

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// benchWriter is a reusable ResponseWriter, so that benchmarks measure the
// limiter rather than the recorder.
type benchWriter struct {
	h    http.Header
	code int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) WriteHeader(code int)        { w.code = code }
func (w *benchWriter) Write(b []byte) (int, error) { return len(b), nil }

var answer = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "42") })

func benchServe(b *testing.B, h http.Handler, want int) {
	r := httptest.NewRequest(http.MethodGet, "/fast", nil)
	w := &benchWriter{h: http.Header{}}
	for i := 0; i < 3; i++ { // warm up: key caches, and the quickstart's limits breached
		h.ServeHTTP(w, r)
	}
	b.ReportAllocs()
	cpu := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		w.code = 200
		h.ServeHTTP(w, r)
	}
	b.StopTimer()
	if cpu != 0 {
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	}
	if w.code != want {
		b.Fatalf("status %d, want %d", w.code, want)
	}
}

// BenchmarkMiddleware measures a request through a ServeMux with one
// mounted route on the memory backend, with the real clock, against the
// same mux without a limiter. "allowed" uses two default limits shaped like
// the quickstart's but too large to breach; "refused" uses the quickstart's
// own, so nearly every request is answered 429.
func BenchmarkMiddleware(b *testing.B) {
	b.Run("bare", func(b *testing.B) {
		mux := http.NewServeMux()
		mux.Handle("GET /fast", answer)
		benchServe(b, mux, 200)
	})
	for _, c := range []struct {
		name    string
		limits  []string
		headers bool
		want    int
		opts    []Option
	}{
		{"allowed/headers=off", []string{"1000000000 per minute", "1000000000 per second"}, false, 200, nil},
		{"allowed/headers=off/ctx=on", []string{"1000000000 per minute", "1000000000 per second"}, false, 200, []Option{WithContextResults(true)}},
		{"allowed/headers=on", []string{"1000000000 per minute", "1000000000 per second"}, true, 200, nil},
		{"allowed/headers=off/coarse", []string{"1000000000 per minute", "1000000000 per second"}, false, 200, []Option{WithCoarseClock(time.Millisecond)}},
		{"allowed/headers=on/coarse", []string{"1000000000 per minute", "1000000000 per second"}, true, 200, []Option{WithCoarseClock(time.Millisecond)}},
		{"refused/headers=off", []string{"2 per minute", "1 per second"}, false, 429, nil},
		{"refused/headers=on", []string{"2 per minute", "1 per second"}, true, 429, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			l, err := New(append([]Option{WithDefaultLimits(c.limits...), WithHeaders(c.headers)}, c.opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			mux := http.NewServeMux()
			if err := l.Mount(mux, &Group{Name: "app", Routes: []Route{{Endpoint: "fast", Pattern: "GET /fast", Handler: answer}}}); err != nil {
				b.Fatal(err)
			}
			benchServe(b, mux, c.want)
		})
	}
}

// BenchmarkCoarseClock measures reading a CoarseClock.
func BenchmarkCoarseClock(b *testing.B) {
	c, err := NewCoarseClock(time.Millisecond)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Stop()
	var t time.Time
	for b.Loop() {
		t = c.Now()
	}
	_ = t
}

// BenchmarkClock measures the limiter's default clock.
func BenchmarkClock(b *testing.B) {
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		_ = Now()
	}
	if cpu != 0 {
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	}
}
