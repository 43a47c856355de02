// Package handlertype annotates a type that implements http.Handler.
package handlertype

import "net/http"

// Static serves files.
//
//limit:"50 per second"
//limit:route GET /static/
type Static struct{}

func (s *Static) ServeHTTP(w http.ResponseWriter, r *http.Request) {}

// Echo has a value receiver.
//
//limit:"1 per second"
//limit:route /echo
type Echo struct{}

func (Echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {}
