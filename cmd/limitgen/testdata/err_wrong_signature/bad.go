package errwrongsignature

import "net/http"

func userKey(r *http.Request) int { return 0 }

func isAdmin() bool { return false }

//limit:"1 per second" key=userKey exempt-when=isAdmin
//limit:route /a
func a(w http.ResponseWriter, r *http.Request) {}

// notHandler has the wrong signature for a handler.
//
//limit:"1 per second"
//limit:route /b
func notHandler(r *http.Request) {}
