// Package noannotations has no //limit: annotation: limitgen writes no file.
package noannotations

import "net/http"

// Hello is an ordinary handler.
func Hello(w http.ResponseWriter, r *http.Request) {}
