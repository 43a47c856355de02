// Command chi serves two packages' routes on a chi router through one
// limitgen Limiter: a blog (example/chi/blog, a blueprint-like package
// whose routes are mounted with RegisterLimits) and a users API
// (example/chi/users, a class-based view mounted method by method with its
// generated wrappers).
//
//	go run ./example/chi                  # listens on 127.0.0.1:5001
//	go run ./example/chi -addr :8080
//	RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 go run ./example/chi
//	go run ./cmd/limitgen limits ./example/chi/...
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5"

	// So that RATELIMIT_STORAGE_URI may name Memcached or Redis; etcd and MongoDB
	// are one import each too (backends/etcd, backends/mongodb).
	_ "github.com/limitgen/limitgen/backends/memcached"
	_ "github.com/limitgen/limitgen/backends/redis"
	"github.com/limitgen/limitgen/example/chi/blog"
	"github.com/limitgen/limitgen/example/chi/users"
	"github.com/limitgen/limitgen/runtime"
)

// newRouter builds the limiter (settings from RATELIMIT_* variables, the
// storage from RATELIMIT_STORAGE_URI, memory:// by default) and the router.
func newRouter(opts ...runtime.Option) (http.Handler, *runtime.Limiter, error) {
	l, err := runtime.New(append([]runtime.Option{
		runtime.FromEnv(),
		runtime.WithDefaultLimits("100 per hour"),
	}, opts...)...)
	if err != nil {
		return nil, nil, err
	}
	r := chi.NewRouter()
	// The blog's routes have patterns: one call mounts them all.
	if err := blog.RegisterLimits(l, r); err != nil {
		l.Close()
		return nil, nil, err
	}
	// The users view is mounted by hand, under a sub-router.
	r.Route("/api/users", func(r chi.Router) {
		r.Method(http.MethodGet, "/{id}", users.LimitedUsersGet(l))
		r.Method(http.MethodPost, "/", users.LimitedUsersPost(l))
	})
	return r, l, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5001", "address to listen on")
	flag.Parse()
	h, l, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chi:", err)
		os.Exit(1)
	}
	defer l.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chi:", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("chi: listening on http://%s", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "chi:", err)
		os.Exit(1)
	}
}
