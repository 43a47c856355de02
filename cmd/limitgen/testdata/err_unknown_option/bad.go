package errunknownoption

import "net/http"

//limit:"1 per second" methd=GET
//limit:route /a
func a(w http.ResponseWriter, r *http.Request) {}

//limit:"1 per second" cost=-1 per-method=maybe
//limit:route /b
func b(w http.ResponseWriter, r *http.Request) {}
