package annotations

import (
	"fmt"
	"go/token"
	"net/http"
	"path"
	"strings"
)

// httpMethods are the methods route patterns and methods= accept.
var httpMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"}

// parsedPattern is a route pattern split like http.ServeMux splits it.
type parsedPattern struct {
	method, host, path string
	canonical          string
}

// patternError is a problem at byte offset off of the pattern text.
type patternError struct {
	off int
	msg string
}

// parsePattern checks a ServeMux pattern "[METHOD ][HOST]/[PATH]" as
// net/http does (Go 1.22 and later), with messages quoting the text.
// Methods must be one of httpMethods, in upper case.
func parsePattern(s string) (parsedPattern, *patternError) {
	var p parsedPattern
	rest, restOff := s, 0
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		p.method = s[:i]
		rest = strings.TrimLeft(s[i:], " \t")
		restOff = len(s) - len(rest)
		if p.method == "" {
			return p, &patternError{0, "empty method"}
		}
		if !isMethod(p.method) {
			if up := strings.ToUpper(p.method); isMethod(up) {
				return p, &patternError{0, fmt.Sprintf("method %q must be upper case: %s", p.method, up)}
			}
			return p, &patternError{0, fmt.Sprintf("unknown HTTP method %q%s", p.method, didYouMean(strings.ToUpper(p.method), httpMethods))}
		}
		if j := strings.IndexAny(rest, " \t"); j >= 0 {
			return p, &patternError{restOff + j, fmt.Sprintf("unexpected space in %q; a pattern is \"[METHOD ][host]/path\"", rest)}
		}
	} else if isMethod(s) {
		return p, &patternError{0, fmt.Sprintf("pattern %q has a method but no path", s)}
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return p, &patternError{restOff, fmt.Sprintf("path %q must start with '/'", rest)}
	}
	p.host, p.path = rest[:slash], rest[slash:]
	if i := strings.IndexByte(p.host, '{'); i >= 0 {
		return p, &patternError{restOff + i, fmt.Sprintf("host %q must not contain wildcards", p.host)}
	}
	pathOff := restOff + slash
	seen := map[string]bool{}
	segOff := 1
	segs := strings.Split(p.path[1:], "/")
	for i, seg := range segs {
		off := pathOff + segOff
		segOff += len(seg) + 1
		last := i == len(segs)-1
		j := strings.IndexByte(seg, '{')
		if j < 0 {
			continue
		}
		if j != 0 {
			return p, &patternError{off + j, fmt.Sprintf("wildcard in %q must be a whole path segment, e.g. /items/{id}", seg)}
		}
		if !strings.HasSuffix(seg, "}") {
			return p, &patternError{off, fmt.Sprintf("wildcard segment %q must end with '}'", seg)}
		}
		name := seg[1 : len(seg)-1]
		if name == "$" {
			if !last {
				return p, &patternError{off, "{$} must be the last segment of the path"}
			}
			continue
		}
		multi := strings.HasSuffix(name, "...")
		if multi {
			name = strings.TrimSuffix(name, "...")
			if !last {
				return p, &patternError{off, fmt.Sprintf("%s must be the last segment of the path", seg)}
			}
		}
		if name == "" {
			return p, &patternError{off, fmt.Sprintf("wildcard %q has no name", seg)}
		}
		if !token.IsIdentifier(name) {
			return p, &patternError{off + 1, fmt.Sprintf("wildcard name %q is not a Go identifier", name)}
		}
		if seen[name] {
			return p, &patternError{off + 1, fmt.Sprintf("wildcard name %q is used twice", name)}
		}
		seen[name] = true
	}
	if p.method != "CONNECT" {
		clean := path.Clean(p.path)
		if strings.HasSuffix(p.path, "/") && clean != "/" {
			clean += "/"
		}
		if clean != p.path {
			return p, &patternError{pathOff, fmt.Sprintf("path %q is not clean (no //, /./ or /../) and can never match; write %q", p.path, clean)}
		}
	}
	p.canonical = p.host + p.path
	if p.method != "" {
		p.canonical = p.method + " " + p.canonical
	}
	// The standard library is the final word on what a ServeMux accepts.
	if err := tryRegister(http.NewServeMux(), p.canonical); err != nil {
		return p, &patternError{0, err.Error()}
	}
	return p, nil
}

func isMethod(s string) bool {
	for _, m := range httpMethods {
		if s == m {
			return true
		}
	}
	return false
}

// tryRegister registers pattern on mux, turning ServeMux's panic (malformed
// or conflicting pattern) into an error.
func tryRegister(mux *http.ServeMux, pattern string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	mux.Handle(pattern, http.NotFoundHandler())
	return nil
}
