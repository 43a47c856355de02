// Package errmany has problems in two files and a type error: all are
// reported at once, sorted.
package errmany

import "net/http"

//limit:"1 per fortnight"
//limit:route /b
func b(w http.ResponseWriter, r *http.Request) { undefinedThing() }
