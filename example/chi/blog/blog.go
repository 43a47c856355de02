// Package blog is a blueprint: the limit on its package clause covers
// every route of the package that declares none of its own. Its routes
// carry ServeMux-style patterns, so one call, RegisterLimits, mounts them
// all on any router whose Handle accepts "METHOD /path" (http.ServeMux,
// chi).
//
// limit:"10 per minute"
package blog

//go:generate go run github.com/limitgen/limitgen/cmd/limitgen

import (
	"io"
	"net/http"
)

// index lists the posts; it has the package's limit.
//
//limit:route GET /blog
func index(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "posts: hello") }

// post shows one post, with a limit of its own that replaces the package's.
// limit:"2 per minute"
//
//limit:route GET /blog/{slug}
func post(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "post: "+r.PathValue("slug"))
}

// feed is for feed readers that poll often: not limited at all.
//
//limit:exempt
//limit:route GET /blog/feed
func feed(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<feed/>") }
