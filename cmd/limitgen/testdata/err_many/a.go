package errmany

import "net/http"

//limit:"1 per second" bogus=1
//limit:route /a
func a(w http.ResponseWriter, r *http.Request) {}
