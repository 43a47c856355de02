// Package users is a class-based view: the limit on the Users type covers
// each of its handler methods, and a method's own limit replaces it. The
// methods have no //limit:route, so the generated code has one wrapper per
// method (LimitedUsersGet, LimitedUsersPost) to mount on any router.
package users

//go:generate go run github.com/limitgen/limitgen/cmd/limitgen

import (
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"
)

// Users serves the users resource. Its zero value is ready to use: the
// generated code calls the methods of new(Users).
//
// limit:"5 per minute"
type Users struct{}

// Get shows one user; it has the view's limit.
func (*Users) Get(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "user "+chi.URLParam(r, "id"))
}

// Post creates a user, at most once a minute per client.
//
// limit:"1 per minute"
func (*Users) Post(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, "created")
}
