package runtime_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/limitgen/limitgen/runtime"
)

// The seed's quickstart, wired by hand: what limitgen generates from
// //limit: annotations.
func quickstartGroup() *runtime.Group {
	answer := func(s string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, s) })
	}
	return &runtime.Group{Name: "app", Routes: []runtime.Route{
		{Endpoint: "fast", Pattern: "GET /fast", Handler: answer("42")},
		{Endpoint: "ping", Pattern: "GET /ping", Handler: answer("PONG"), Exempt: runtime.ExemptAll},
		{Endpoint: "slow", Pattern: "GET /slow", Handler: answer("24"),
			Rules: []runtime.Rule{{Limits: runtime.MustParseLimits("1 per day")}}},
	}}
}

func ExampleLimiter_Mount() {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	l, err := runtime.New(
		runtime.WithDefaultLimits("2 per minute", "1 per second"),
		runtime.WithClock(func() time.Time { return now }),
	)
	if err != nil {
		panic(err)
	}
	defer l.Close()
	mux := http.NewServeMux()
	if err := l.Mount(mux, quickstartGroup()); err != nil {
		panic(err)
	}
	for _, path := range []string{"/fast", "/fast", "/fast", "/slow", "/slow", "/ping"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		fmt.Println(path, w.Code)
		now = now.Add(time.Second)
	}
	// Output:
	// /fast 200
	// /fast 200
	// /fast 429
	// /slow 200
	// /slow 429
	// /ping 200
}

func ExampleLimiter_WriteLimits() {
	l, err := runtime.New(runtime.WithDefaultLimits("2 per minute", "1 per second"))
	if err != nil {
		panic(err)
	}
	defer l.Close()
	if err := l.Register(quickstartGroup()); err != nil {
		panic(err)
	}
	if err := l.WriteLimits(os.Stdout, runtime.TreeFilter{}); err != nil {
		panic(err)
	}
	// Output:
	// app
	// ├── fast: /fast
	// │   ├── 2 per 1 minute
	// │   └── 1 per 1 second
	// ├── ping: /ping
	// │   └── Exempt
	// └── slow: /slow
	//     └── 1 per 1 day
}

func ExampleResultsFromContext() {
	l, err := runtime.New(runtime.WithDefaultLimits("10 per minute"), runtime.WithContextResults(true))
	if err != nil {
		panic(err)
	}
	defer l.Close()
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ := runtime.ResultsFromContext(r.Context())
		cur := res.Current()
		fmt.Printf("%s: %d of %s left\n", res.Endpoint, cur.Remaining, cur.Limit)
	})
	mux := http.NewServeMux()
	if err := l.Mount(mux, &runtime.Group{Name: "app", Routes: []runtime.Route{
		{Endpoint: "hello", Pattern: "GET /hello", Handler: hello},
	}}); err != nil {
		panic(err)
	}
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/hello", nil))
	// Output:
	// hello: 9 of 10 per 1 minute left
}

func ExampleLimiter_Limit() {
	l, err := runtime.New()
	if err != nil {
		panic(err)
	}
	defer l.Close()
	search := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "found") })
	h := l.Limit("1 per minute", runtime.RuleErrorMessage("one search a minute"))(search)
	for i := 0; i < 2; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/search", nil))
		fmt.Println(w.Code)
	}
	// Output:
	// 200
	// 429
}

// Limiting part of a handler, as Flask-Limiter's `with limiter.limit(...)`
// block does: the part runs through middleware built once, under an
// endpoint name of its own, and a refused request is answered right there.
func ExampleLimiter_Limit_block() {
	l, err := runtime.New()
	if err != nil {
		panic(err)
	}
	defer l.Close()
	export := l.Limit("1 per hour", runtime.RuleEndpoint("export"))
	report := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("export") {
			export(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "exported")
			})).ServeHTTP(w, r)
			return
		}
		io.WriteString(w, "report")
	})
	for _, target := range []string{"/report?export", "/report?export", "/report"} {
		w := httptest.NewRecorder()
		report.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		fmt.Println(target, w.Code)
	}
	// Output:
	// /report?export 200
	// /report?export 429
	// /report 200
}

func ExampleLimiter_Middleware() {
	l, err := runtime.New(runtime.WithDefaultLimits("1 per minute"))
	if err != nil {
		panic(err)
	}
	defer l.Close()
	// A route registered by hand, without annotations, still gets the
	// default limits; paths that match no route are never limited.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "item") })
	h := l.Middleware(mux)
	for _, path := range []string{"/items/1", "/items/2", "/nothing", "/nothing"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		fmt.Println(path, w.Code)
	}
	// Output:
	// /items/1 200
	// /items/2 429
	// /nothing 404
	// /nothing 404
}

func ExampleWithBreachResponse() {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	l, err := runtime.New(
		runtime.WithDefaultLimits("1 per minute"),
		runtime.WithClock(func() time.Time { return now }),
		runtime.WithBreachResponse(func(w http.ResponseWriter, r *http.Request, b *runtime.Breach) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprintf(w, "{\"limit\":%q,\"scope\":%q}", b.Limit.String(), b.Scope)
		}),
	)
	if err != nil {
		panic(err)
	}
	defer l.Close()
	mux := http.NewServeMux()
	if err := l.Mount(mux, quickstartGroup()); err != nil {
		panic(err)
	}
	for range 2 {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", "/fast", nil))
		fmt.Print(w.Code, " ", w.Body.String())
		fmt.Println()
	}
	// Output:
	// 200 42
	// 429 {"limit":"1 per 1 minute","scope":"app.fast"}
}

// The limiter's effective configuration, as `flask limiter config` prints
// it: here the options given, the rest at their defaults.
func ExampleLimiter_WriteConfig() {
	l, err := runtime.New(
		runtime.WithDefaultLimits("2 per minute", "1 per second"),
		runtime.WithStorageURI("memory://?max_keys=100000"),
		runtime.WithKeyPrefix("myapp"),
		runtime.WithHeaders(true),
		runtime.WithFallback("10 per minute"),
	)
	if err != nil {
		panic(err)
	}
	defer l.Close()
	if err := l.WriteConfig(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// RATELIMIT_ENABLED                     true
	// RATELIMIT_STORAGE_URI                 memory://?max_keys=100000
	// RATELIMIT_STRATEGY                    fixed-window
	// RATELIMIT_KEY_PREFIX                  myapp
	// RATELIMIT_DEFAULT                     2 per 1 minute; 1 per 1 second
	// RATELIMIT_DEFAULTS_PER_METHOD         false
	// RATELIMIT_DEFAULTS_COST               1
	// RATELIMIT_DEFAULTS_EXEMPT_WHEN        -
	// RATELIMIT_DEFAULTS_DEDUCT_WHEN        -
	// RATELIMIT_APPLICATION                 -
	// RATELIMIT_APPLICATION_PER_METHOD      false
	// RATELIMIT_APPLICATION_COST            1
	// RATELIMIT_META                        -
	// RATELIMIT_HEADERS_ENABLED             true
	// RATELIMIT_HEADER_LIMIT                X-Ratelimit-Limit
	// RATELIMIT_HEADER_REMAINING            X-Ratelimit-Remaining
	// RATELIMIT_HEADER_RESET                X-Ratelimit-Reset
	// RATELIMIT_HEADER_RETRY_AFTER          Retry-After
	// RATELIMIT_HEADER_RETRY_AFTER_VALUE    delta-seconds
	// RATELIMIT_IETF_HEADERS                false
	// RATELIMIT_SWALLOW_ERRORS              false
	// RATELIMIT_IN_MEMORY_FALLBACK_ENABLED  true
	// RATELIMIT_IN_MEMORY_FALLBACK          10 per 1 minute
	// RATELIMIT_SHADOW_MODE                 false
	// key func                              RemoteAddress (default)
	// clock                                 Now (default)
	// request filters                       0
	// on breach                             -
	// breach response                       -
	// context results                       false
}
