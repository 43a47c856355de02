// Package fix has typos whose corrections the analyzer offers as
// suggested fixes; a.go.golden is this file with every fix applied.
package fix

import "net/http"

func clientKey(r *http.Request) string { return r.RemoteAddr }

// want +1 `misspelled annotation "// limits:"`
// limits:"1 per day"
// want +1 `unknown option "key_func" \(did you mean key\?\)`
// limit:"1 per day" key_func=clientKey
// want +1 `unknown option "cots" \(did you mean cost\?\)`
// limit:"1 per day" cots=2
func a(w http.ResponseWriter, r *http.Request) {}

// want +2 `unknown annotation keyword "exmept" \(did you mean exempt\?\)`
//
//limit:exmept
func b(w http.ResponseWriter, r *http.Request) {}

// want +2 `unknown exempt flag "defualt" \(did you mean default\?\)`
//
//limit:exempt defualt,meta
func c(w http.ResponseWriter, r *http.Request) {}

// want +1 `space after "limit:" in "// limit: exempt"`
// limit: exempt
func d(w http.ResponseWriter, r *http.Request) {}
