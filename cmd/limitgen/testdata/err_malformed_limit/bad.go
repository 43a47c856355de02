package errmalformedlimit

import "net/http"

//limit:"2 per minute; 1 per secnd"
//limit:route /a
func a(w http.ResponseWriter, r *http.Request) {}

//limit:"ten per hour"
//limit:route /b
func b(w http.ResponseWriter, r *http.Request) {}

//limit:"5 per hour
//limit:route /c
func c(w http.ResponseWriter, r *http.Request) {}
