package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/go-chi/httprate"
	limitgenrt "github.com/limitgen/limitgen/runtime"
	"github.com/sethvargo/go-limiter/httplimit"
	"github.com/sethvargo/go-limiter/memorystore"
	ulule "github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	ulmemory "github.com/ulule/limiter/v3/drivers/store/memory"
)

// The limits of the middleware benchmarks: the quickstart's shape (per
// minute, per second) with amounts no benchmark reaches, so every request
// is admitted and reaches the handler.
const (
	perMinute = 1_000_000_000
	perSecond = 1_000_000_000
)

// discardWriter is a reusable ResponseWriter, so that the benchmarks
// measure the middleware rather than a recorder.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

var answer = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "42") })

// serve runs the request loop: one client (192.0.2.1), one route.
func serve(b *testing.B, h http.Handler) {
	r := httptest.NewRequest(http.MethodGet, "/fast", nil)
	r.RemoteAddr = "192.0.2.1:51234"
	w := &discardWriter{h: http.Header{}}
	for range 3 {
		h.ServeHTTP(w, r)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		w.code = http.StatusOK
		h.ServeHTTP(w, r)
	}
	cpu.report(b)
	b.StopTimer()
	if w.code != http.StatusOK {
		b.Fatalf("status %d, want 200", w.code)
	}
}

// muxWith registers the route on a ServeMux, wrapped by wrap.
func muxWith(wrap func(http.Handler) http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /fast", wrap(answer))
	return mux
}

// middlewareCase builds the handler of one implementation, or reports that
// it cannot do this case (nil).
type middlewareCase func(tb testing.TB, limits int, headers bool) http.Handler

var middlewareImpls = []struct {
	name  string
	build middlewareCase
}{
	{"limitgen", limitgenHandler},
	{"limitgen-ctx", limitgenContextHandler},
	{"bare", bareHandler},
	{"httprate", httprateHandler},
	{"ulule", ululeHandler},
	{"go-limiter", goLimiterHandler},
}

func bareHandler(tb testing.TB, limits int, headers bool) http.Handler {
	return muxWith(func(h http.Handler) http.Handler { return h })
}

// limitgenHandler mounts the route through a limitgen Limiter with default
// limits on its memory:// storage, as generated code does.
func limitgenHandler(tb testing.TB, limits int, headers bool) http.Handler {
	return limitgenWith(tb, limits, headers)
}

// limitgenContextHandler is limitgenHandler with the decision in the
// request's context (WithContextResults(true)), which no peer offers.
func limitgenContextHandler(tb testing.TB, limits int, headers bool) http.Handler {
	return limitgenWith(tb, limits, headers, limitgenrt.WithContextResults(true))
}

func limitgenWith(tb testing.TB, limits int, headers bool, opts ...limitgenrt.Option) http.Handler {
	defaults := []string{strconv.Itoa(perMinute) + " per minute", strconv.Itoa(perSecond) + " per second"}[:limits]
	opts = append(opts, limitgenrt.WithDefaultLimits(defaults...), limitgenrt.WithHeaders(headers))
	l, err := limitgenrt.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	mux := http.NewServeMux()
	g := &limitgenrt.Group{Name: "bench", Routes: []limitgenrt.Route{{Endpoint: "fast", Pattern: "GET /fast", Handler: answer}}}
	if err := l.Mount(mux, g); err != nil {
		tb.Fatal(err)
	}
	return mux
}

// httprateHandler chains one httprate limiter per limit, keyed by the
// client IP (its KeyByIP), on its in-memory counter.
func httprateHandler(tb testing.TB, limits int, headers bool) http.Handler {
	var opts []httprate.Option
	if !headers {
		opts = append(opts, httprate.WithResponseHeaders(httprate.ResponseHeaders{}))
	}
	mws := []func(http.Handler) http.Handler{
		httprate.Limit(perMinute, time.Minute, append([]httprate.Option{httprate.WithKeyFuncs(httprate.KeyByIP)}, opts...)...),
		httprate.Limit(perSecond, time.Second, append([]httprate.Option{httprate.WithKeyFuncs(httprate.KeyByIP)}, opts...)...),
	}[:limits]
	return muxWith(chain(mws))
}

// ululeHandler chains one ulule/limiter stdlib middleware per limit on its
// memory store; it always sets its headers.
func ululeHandler(tb testing.TB, limits int, headers bool) http.Handler {
	if !headers {
		return nil
	}
	rates := []ulule.Rate{{Period: time.Minute, Limit: perMinute}, {Period: time.Second, Limit: perSecond}}[:limits]
	var mws []func(http.Handler) http.Handler
	for _, rate := range rates {
		mws = append(mws, stdlib.NewMiddleware(ulule.New(ulmemory.NewStore(), rate)).Handler)
	}
	return muxWith(chain(mws))
}

// goLimiterHandler chains one sethvargo/go-limiter httplimit middleware per
// limit on its memorystore, keyed by the connection's IP; it always sets
// its headers.
func goLimiterHandler(tb testing.TB, limits int, headers bool) http.Handler {
	if !headers {
		return nil
	}
	// go-limiter refills (ticks elapsed × Interval / Tokens) tokens, which
	// is less than Tokens when Tokens exceeds √Interval in nanoseconds; a
	// day-long interval keeps the benchmark from ever reaching a refill.
	// The per-request code path does not depend on the interval.
	cfgs := []memorystore.Config{{Tokens: perMinute, Interval: 24 * time.Hour}, {Tokens: perSecond, Interval: 24 * time.Hour}}[:limits]
	var mws []func(http.Handler) http.Handler
	for i := range cfgs {
		store, err := memorystore.New(&cfgs[i])
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { store.Close(context.Background()) })
		m, err := httplimit.NewMiddleware(store, httplimit.IPKeyFunc())
		if err != nil {
			tb.Fatal(err)
		}
		mws = append(mws, m.Handle)
	}
	return muxWith(chain(mws))
}

// chain applies mws so that the first is the outermost.
func chain(mws []func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		for i := len(mws) - 1; i >= 0; i-- {
			h = mws[i](h)
		}
		return h
	}
}

// BenchmarkMiddleware compares the cost of one admitted request through a
// ServeMux route limited by each implementation, with one limit (per
// minute) and two (per minute and per second, the quickstart's shape),
// with rate-limit headers on and off; impl=bare is the same mux without a
// limiter. Implementations that cannot turn headers off are only measured
// with headers on.
func BenchmarkMiddleware(b *testing.B) {
	for _, limits := range []int{1, 2} {
		for _, headers := range []bool{false, true} {
			for _, impl := range middlewareImpls {
				h := impl.build(b, limits, headers)
				if h == nil {
					continue
				}
				name := "limits=" + strconv.Itoa(limits) + "/headers=" + onOff(headers) + "/impl=" + impl.name
				b.Run(name, func(b *testing.B) { serve(b, h) })
			}
		}
	}
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// TestMiddlewareEngaged checks that each benchmarked handler really runs
// its limiter: the limit appears in the headers exactly when they are on.
func TestMiddlewareEngaged(t *testing.T) {
	for _, limits := range []int{1, 2} {
		for _, headers := range []bool{false, true} {
			for _, impl := range middlewareImpls {
				if impl.name == "bare" {
					continue
				}
				h := impl.build(t, limits, headers)
				if h == nil {
					continue
				}
				r := httptest.NewRequest(http.MethodGet, "/fast", nil)
				r.RemoteAddr = "192.0.2.1:51234"
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				got := w.Header().Get("X-RateLimit-Limit")
				if w.Code != http.StatusOK || w.Body.String() != "42" {
					t.Errorf("%s limits=%d headers=%v: %d %q, want 200 \"42\"", impl.name, limits, headers, w.Code, w.Body)
				}
				if headers && got == "" || !headers && got != "" {
					t.Errorf("%s limits=%d headers=%v: X-RateLimit-Limit %q", impl.name, limits, headers, got)
				}
			}
		}
	}
}
