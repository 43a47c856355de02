package errduplicateroute

import "net/http"

//limit:"1 per second"
//limit:route GET /a
func a(w http.ResponseWriter, r *http.Request) {}

//limit:"1 per second"
//limit:route GET /a
func b(w http.ResponseWriter, r *http.Request) {}

//limit:route GET a/b/{
func c(w http.ResponseWriter, r *http.Request) {}
