package runtime_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	limitgenrt "github.com/limitgen/limitgen/runtime"
)

// A Limiter behind a load balancer in 10.0.0.0/8 counts each client by the
// address the load balancer saw, and a client that forges X-Forwarded-For
// gains nothing.
func ExampleTrustedProxyKey_limiter() {
	key, err := limitgenrt.TrustedProxyKey(limitgenrt.TrustedProxies{CIDRs: []string{"10.0.0.0/8"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	l, err := limitgenrt.New(limitgenrt.WithKeyFunc(key), limitgenrt.WithDefaultLimits("1 per minute"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	mux := http.NewServeMux()
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	err = l.Mount(mux, &limitgenrt.Group{Name: "app", Routes: []limitgenrt.Route{{Endpoint: "hello", Pattern: "GET /hello", Handler: hello}}})
	if err != nil {
		fmt.Println(err)
		return
	}

	get := func(remote, xff string) {
		r := httptest.NewRequest("GET", "/hello", nil)
		r.RemoteAddr = remote
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	get("10.0.0.1:40000", "198.51.100.7")          // client A through the load balancer
	get("10.0.0.2:40000", "198.51.100.8")          // client B through another one
	get("10.0.0.1:40000", "1.2.3.4, 198.51.100.7") // A again, forging a first hop
	get("203.0.113.9:40000", "198.51.100.9")       // straight from the internet
	get("203.0.113.9:40000", "198.51.100.10")      // same connection, other forged header
	// Output:
	// 200
	// 200
	// 429
	// 200
	// 429
}
