// Package view has a class-based view: limits on a type cover its handler
// methods, and a method's own limits replace them.
package view

import "net/http"

// Users is a view: every handler method gets its limits.
//
//limit:"100 per hour"
type Users struct {
	store map[string]string
}

//limit:route GET /users
func (u *Users) Get(w http.ResponseWriter, r *http.Request) {}

//limit:"10 per hour"
//limit:route POST /users
func (u *Users) Post(w http.ResponseWriter, r *http.Request) {}

//limit:route DELETE /users/{id}
func (u Users) Delete(w http.ResponseWriter, r *http.Request) {}

// helper is not a handler: views only route handler methods.
func (u *Users) helper() string { return "" }
