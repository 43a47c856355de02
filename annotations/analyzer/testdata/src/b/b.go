// Package b is annotated correctly: the analyzer reports nothing.
//
// limit:"1000 per hour"
package b

import (
	"net/http"

	"github.com/limitgen/limitgen/runtime"
)

const weight = 2

func clientKey(r *http.Request) string { return r.RemoteAddr }

func onBreach(w http.ResponseWriter, r *http.Request, b *runtime.Breach) bool { return false }

// slow is slow.
//
// limit:"1 per day" key=clientKey cost=weight on-breach=onBreach
//
//limit:route GET /slow
func slow(w http.ResponseWriter, r *http.Request) {}

//limit:exempt
//limit:route GET /ping
func ping(w http.ResponseWriter, r *http.Request) {}

// Items is a class-based view.
//
// limit:"10 per minute"
type Items struct{}

//limit:route GET /items/{id}
func (Items) Get(w http.ResponseWriter, r *http.Request) {}

// limit:"1 per second" override-defaults=false
//
//limit:route POST /items
func (*Items) Post(w http.ResponseWriter, r *http.Request) {}
