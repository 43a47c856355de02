// Command example serves the quickstart of Flask-Limiter's documentation
// with limitgen's runtime: default limits of 2 per minute and 1 per second,
// /slow limited to 1 per day, /fast on the defaults and /ping exempt.
//
//	go run ./example                  # listens on 127.0.0.1:5000
//	go run ./example -addr :8080
//	go run ./example -limits          # prints the routes and their limits
//	RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 go run ./example
//
// The limits are annotations on the handlers; `go generate ./example`
// turns them into limits_gen.go (LimitGroup, RegisterLimits), and
// `go run ./cmd/limitgen limits ./example` prints them without running
// the server.
package main

//go:generate go run github.com/limitgen/limitgen/cmd/limitgen

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	// So that RATELIMIT_STORAGE_URI may name Memcached or Redis; etcd and MongoDB
	// are one import each too (backends/etcd, backends/mongodb).
	_ "github.com/limitgen/limitgen/backends/memcached"
	_ "github.com/limitgen/limitgen/backends/redis"
	"github.com/limitgen/limitgen/runtime"
)

// limit:"1 per day"
//
//limit:route GET /slow
func slow(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "24") }

//limit:route GET /fast
func fast(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "42") }

//limit:exempt
//limit:route GET /ping
func ping(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "PONG") }

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
	if err := RegisterLimits(l, mux); err != nil {
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
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("example: listening on http://%s", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
}
