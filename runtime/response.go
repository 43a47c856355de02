package runtime

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
)

// WriteTooManyRequests writes the limiter's 429 response: a Flask-style
// HTML page whose paragraph is description (the breached limit, "2 per 1
// minute", or the rule's error message), or an RFC 9457
// application/problem+json document with description as its detail when the
// request's Accept header prefers JSON. BreachFuncs may call it after
// setting headers of their own.
func WriteTooManyRequests(w http.ResponseWriter, r *http.Request, description string) {
	writeTooMany(w, r, newBody(description))
}

// body is a 429 response's two renderings, built once per limit of a rule.
type body struct {
	html, json []byte
}

func newBody(description string) *body {
	detail, _ := json.Marshal(description)
	return &body{
		json: []byte(`{"type":"about:blank","title":"Too Many Requests","status":429,"detail":` + string(detail) + "}\n"),
		html: []byte("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n" +
			"<title>429 Too Many Requests</title>\n" +
			"<h1>Too Many Requests</h1>\n" +
			"<p>" + html.EscapeString(description) + "</p>\n"),
	}
}

// writeTooMany writes b as WriteTooManyRequests does. Writers only read
// what they are given (io.Writer), so b is shared by every request.
func writeTooMany(w http.ResponseWriter, r *http.Request, b *body) {
	h := w.Header()
	if wantsJSON(r.Header.Get("Accept")) {
		h["Content-Type"] = problemJSON
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write(b.json)
		return
	}
	h["Content-Type"] = textHTML
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write(b.html)
}

// Shared Content-Type values; net/http only reads them.
var (
	problemJSON = []string{"application/problem+json"}
	textHTML    = []string{"text/html; charset=utf-8"}
)

// wantsJSON reports whether an Accept header asks for JSON before HTML:
// "application/json", "application/problem+json" or any "+json" type listed
// before "text/html" (or without it). "*/*" and an empty header get HTML.
func wantsJSON(accept string) bool {
	if accept == "" {
		return false
	}
	j := strings.Index(accept, "json")
	if j < 0 {
		return false
	}
	h := strings.Index(accept, "text/html")
	return h < 0 || j < h
}

// writeStorageError answers a request that could not be decided.
func writeStorageError(w http.ResponseWriter) {
	http.Error(w, "Internal Server Error", http.StatusInternalServerError)
}
