package errmissingfunc

import "net/http"

func clientKey(r *http.Request) string { return "" }

//limit:"1 per second" key=clientKy
//limit:route /a
func a(w http.ResponseWriter, r *http.Request) {}

//limit:"1 per second" exempt-when=nobody
//limit:route /b
func b(w http.ResponseWriter, r *http.Request) {}
