// Package gofmtspelling is written as gofmt leaves it: // limit:"…" with a
// space, and directives after the text.
package gofmtspelling

import "net/http"

// slow is slow.
// limit:"1 per day"
//
//limit:route /slow
func slow(w http.ResponseWriter, r *http.Request) {}

// limit:"2 per minute"
// limit:"1 per second"
//
//limit:route /fast
func fast(w http.ResponseWriter, r *http.Request) {}
