// Package options uses every option of a //limit:"…" annotation.
package options

import (
	"net/http"

	"github.com/limitgen/limitgen/runtime"
)

const searchCost = 3

func userKey(r *http.Request) string { return r.Header.Get("X-User") }

func isAdmin(r *http.Request) bool { return r.Header.Get("X-Admin") == "1" }

func failed(r *http.Request, status int) bool { return status >= 400 }

func logBreach(w http.ResponseWriter, r *http.Request, b *runtime.Breach) bool { return false }

func uploadCost(r *http.Request) int64 { return 1 + r.ContentLength/1024 }

func uploadMessage(r *http.Request) string { return "uploads of " + r.Header.Get("X-User") + " are paused" }

func planLimits(r *http.Request) string {
	if r.Header.Get("X-Plan") == "pro" {
		return "100 per minute"
	}
	return "10 per minute"
}

//limit:"10/hour; 100/day" key=userKey scope=search cost=searchCost
//limit:"5 per minute" per-method methods=GET,POST error="slow down"
//limit:route GET /search
func search(w http.ResponseWriter, r *http.Request) {}

//limit:"1 per second" exempt-when=isAdmin deduct-when=failed on-breach=logBreach override-defaults=false
//limit:route POST /login
func login(w http.ResponseWriter, r *http.Request) {}

//limit:"20 per hour" cost=uploadCost error=uploadMessage
//limit:shared uploads "100 per day"
//limit:route POST /upload
func upload(w http.ResponseWriter, r *http.Request) {}

//limit:shared uploads "100 per day"
//limit:route POST /upload/bulk
func bulkUpload(w http.ResponseWriter, r *http.Request) {}

//limit:dynamic planLimits key=userKey
//limit:route GET /export
func export(w http.ResponseWriter, r *http.Request) {}

//limit:exempt default,meta
//limit:route GET /health
func health(w http.ResponseWriter, r *http.Request) {}

// unrouted has limits but no pattern: mount it with LimitedUnrouted.
//
//limit:"3 per 10 seconds" cost=2
func unrouted(w http.ResponseWriter, r *http.Request) {}
