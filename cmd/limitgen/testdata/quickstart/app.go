// Package quickstart is Flask-Limiter's quickstart written with limitgen.
package quickstart

import (
	"io"
	"net/http"

	"github.com/limitgen/limitgen/runtime"
)

// NewLimiter builds the limiter with the quickstart's default limits.
func NewLimiter() (*runtime.Limiter, error) {
	return runtime.New(runtime.WithDefaultLimits("2 per minute", "1 per second"))
}

//limit:"1 per day"
//limit:route /slow
func slow(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "24") }

//limit:route /fast
func fast(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "42") }

//limit:exempt
//limit:route /ping
func ping(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "PONG") }
