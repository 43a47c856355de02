package errtypo

import "net/http"

//limits:"1 per second"
//limit:route /a
func a(w http.ResponseWriter, r *http.Request) {}

//limit: exempt
//limit:route /b
func b(w http.ResponseWriter, r *http.Request) {}

//Limit:"1 per day"
//limit:exemt
//limit:route /c
func c(w http.ResponseWriter, r *http.Request) {}
