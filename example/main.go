// Command example serves the quickstart of Flask-Limiter's documentation
// with limitgen's runtime: default limits of 2 per minute and 1 per second,
// /slow limited to 1 per day, /fast on the defaults and /ping exempt.
//
//	go run ./example                  # listens on 127.0.0.1:5000
//	go run ./example -addr :8080
//	go run ./example -limits          # prints the routes and their limits
//	RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 go run ./example
//
// The routes are wired by hand here; limitgen's generator replaces the
// wiring with annotations on the handlers.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	_ "github.com/limitgen/limitgen/backends/redis" // so RATELIMIT_STORAGE_URI may name Redis
	"github.com/limitgen/limitgen/runtime"
)

func slow(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "24") }

func fast(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "42") }

func ping(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "PONG") }

// app is the route table: what `//limit:"1 per day"` and `//limit:exempt`
// on the handlers will generate.
func app() *runtime.Group {
	return &runtime.Group{Name: "app", Routes: []runtime.Route{
		{Endpoint: "fast", Pattern: "GET /fast", Handler: http.HandlerFunc(fast)},
		{Endpoint: "ping", Pattern: "GET /ping", Handler: http.HandlerFunc(ping), Exempt: runtime.ExemptAll},
		{Endpoint: "slow", Pattern: "GET /slow", Handler: http.HandlerFunc(slow),
			Rules: []runtime.Rule{{Limits: runtime.MustParseLimits("1 per day")}}},
	}}
}

// newServer builds the limiter (settings from RATELIMIT_* variables, the
// storage from RATELIMIT_STORAGE_URI, memory:// by default) and the mux.
func newServer(opts ...runtime.Option) (http.Handler, *runtime.Limiter, error) {
	l, err := runtime.New(append([]runtime.Option{
		runtime.FromEnv(),
		runtime.WithDefaultLimits("2 per minute", "1 per second"),
	}, opts...)...)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	if err := l.Mount(mux, app()); err != nil {
		l.Close()
		return nil, nil, err
	}
	return mux, l, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	limits := flag.Bool("limits", false, "print the routes and their limits, and exit")
	flag.Parse()
	h, l, err := newServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
	defer l.Close()
	if *limits {
		if err := l.WriteLimits(os.Stdout, runtime.TreeFilter{}); err != nil {
			fmt.Fprintln(os.Stderr, "example:", err)
			os.Exit(1)
		}
		return
	}
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("example: listening on http://%s", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
}
