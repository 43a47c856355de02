package errexemptwithlimits

import "net/http"

//limit:exempt
//limit:"1 per second"
//limit:route /a
func a(w http.ResponseWriter, r *http.Request) {}
