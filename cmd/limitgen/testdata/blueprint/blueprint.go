// Package blueprint has limits on its package clause: every route of the
// package gets them unless it declares its own.
//
//limit:"30 per minute"
package blueprint

import "net/http"

//limit:route GET /blog/
func index(w http.ResponseWriter, r *http.Request) {}

//limit:"5 per minute"
//limit:route GET /blog/{slug}
func post(w http.ResponseWriter, r *http.Request) {}

//limit:exempt
//limit:route GET /blog/feed
func feed(w http.ResponseWriter, r *http.Request) {}
