package errnameclash

import "net/http"

// RegisterLimits is the user's own func of the generated name.
func RegisterLimits() {}

//limit:"1 per second"
//limit:route /slow
func slow(w http.ResponseWriter, r *http.Request) {}

// LimitedSlow clashes with the wrapper of endpoint slow.
var LimitedSlow = 1
