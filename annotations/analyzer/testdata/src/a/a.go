// Package a has every kind of annotation problem; the file is gofmt-clean,
// so it also shows the diagnostics for gofmt's spelling of annotations.
// Each "want +N" comment points N lines down, at the annotation.
package a

import "net/http"

func clientKey(r *http.Request) string { return r.RemoteAddr }

// want +1 `invalid limit "2 per fortnight" in "1 per day; 2 per fortnight": unknown unit "fortnight"`
// limit:"1 per day; 2 per fortnight"
// want +1 `unknown option "kye" \(did you mean key\?\)`
// limit:"1 per day" kye=clientKey
// want +1 `key=clientKee: no func clientKee in package a \(did you mean clientKey\?\)`
// limit:"1 per day" key=clientKee
// want +1 `exempt-when=clientKey: clientKey has type func\(r \*http.Request\) string, want func\(\*http.Request\) bool \(runtime.ExemptFunc\)`
// limit:"1 per day" exempt-when=clientKey
// want +1 `error=oops: no func oops in package a; a message is quoted`
// limit:"1 per day" error=oops
// want +1 `methods=GET,PSOT: "PSOT" is not an HTTP method \(did you mean POST\?\)`
// limit:"1 per day" methods=GET,PSOT
// want +1 `cost=0: want a positive whole number`
// limit:"1 per day" cost=0
//
//limit:route GET /bad
func bad(w http.ResponseWriter, r *http.Request) {}

// want +3 `//limit:exempt together with limits on func mixed`
// limit:"1 per day"
//
//limit:exempt
func mixed(w http.ResponseWriter, r *http.Request) {}

// want +2 `duplicate route pattern "GET /bad": endpoint bad already has it`
//
//limit:route GET /bad
func dup(w http.ResponseWriter, r *http.Request) {}

// want +2 `invalid route pattern "GET /x/{rest...}/y": \{rest...\} must be the last segment of the path`
//
//limit:route GET /x/{rest...}/y
func badPattern(w http.ResponseWriter, r *http.Request) {}

// want +3 `second //limit:route on func twoRoutes`
//
//limit:route GET /a
//limit:route GET /b
func twoRoutes(w http.ResponseWriter, r *http.Request) {}

// limit:"1 per day"
func notHandler(w http.ResponseWriter) {} // want `func notHandler has //limit: annotations but is not an HTTP handler`

// want +1 `misspelled annotation "// limits:"; write //limit:`
// limits:"1 per day"
// want +1 `misspelled annotation "// Limit:"`
// Limit:"1 per day"
// want +1 `space after "limit:" in "// limit: exempt" makes it ordinary text; write //limit:exempt`
// limit: exempt
// want +3 `unknown annotation keyword "exmept" \(did you mean exempt\?\)`
// want +3 `unknown exempt flag "defualt" \(did you mean default\?\)`
//
//limit:exmept
//limit:exempt defualt
func typos(w http.ResponseWriter, r *http.Request) {}

// want +1 `//limit: annotation on a var declaration`
// limit:"1 per day"
var v int

func body() {
	// want +1 `//limit: annotation inside the body of func body`
	// limit:"1 per day"
}

// want +1 `//limit: annotation not attached to a declaration`
// limit:"1 per day"

func floating(w http.ResponseWriter, r *http.Request) {}
