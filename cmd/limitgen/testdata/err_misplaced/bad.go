package errmisplaced

import "net/http"

//limit:"1 per second"

//limit:route /a
func a(w http.ResponseWriter, r *http.Request) {
	//limit:"2 per second"
	w.WriteHeader(200)
}

var handler = a //limit:"1 per day"
