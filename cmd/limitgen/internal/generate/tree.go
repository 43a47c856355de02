package generate

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/limitgen/limitgen/annotations"
	"github.com/limitgen/limitgen/runtime"
)

// Filter narrows the routes the tree shows, as the flags of
// `flask limiter limits` do. The zero value selects every route.
type Filter struct {
	// Endpoint selects the route with this endpoint name.
	Endpoint string
	// Path selects the route a request for this URL path would be routed
	// to, matched like http.ServeMux matches patterns.
	Path string
	// Method selects routes that serve this HTTP method (with Path: the
	// method of the request matched).
	Method string
}

// Selected returns, per result, the routes f selects. An Endpoint or Path
// that matches no route in any package is an error naming it.
func (f Filter) Selected(results []*Result) ([][]*annotations.Route, error) {
	out := make([][]*annotations.Route, len(results))
	found := false
	for i, r := range results {
		if r.Model == nil {
			continue
		}
		var matched string
		if f.Path != "" {
			matched = matchPath(r.Model.Routes, f.Method, f.Path)
		}
		for _, rt := range r.Model.Routes {
			switch {
			case f.Endpoint != "" && rt.Endpoint != f.Endpoint:
			case f.Path != "" && (matched == "" || rt.Pattern != matched):
			case f.Path == "" && f.Method != "" && rt.Method != "" && rt.Method != strings.ToUpper(f.Method):
			default:
				out[i] = append(out[i], rt)
				found = true
			}
		}
	}
	if !found {
		switch {
		case f.Endpoint != "" && f.Path != "":
			return nil, fmt.Errorf("limitgen: no endpoint %q serving path %s", f.Endpoint, f.Path)
		case f.Endpoint != "":
			return nil, fmt.Errorf("limitgen: no endpoint %q", f.Endpoint)
		case f.Path != "":
			return nil, fmt.Errorf("limitgen: no route matches %s %s", cmpOr(strings.ToUpper(f.Method), "GET"), f.Path)
		}
	}
	return out, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// matchPath returns the pattern of the route a ServeMux holding routes
// would serve a request for method and path with, or "".
func matchPath(routes []*annotations.Route, method, path string) string {
	mux := http.NewServeMux()
	for _, rt := range routes {
		if rt.Pattern == "" {
			continue
		}
		func() {
			defer func() { _ = recover() }() // a pattern ServeMux refuses matches nothing
			mux.Handle(rt.Pattern, http.NotFoundHandler())
		}()
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	req := httptest.NewRequest(cmpOr(strings.ToUpper(method), http.MethodGet), "http://localhost"+path, nil)
	_, pattern := mux.Handler(req)
	return pattern
}

// DefaultsOf returns the first constant default limits found in results, in
// load order (an application passes them once, to runtime.New).
func DefaultsOf(results []*Result) []runtime.Limit {
	for _, r := range results {
		if r.Defaults.Pos.IsValid() {
			return r.Defaults.Limits
		}
	}
	return nil
}

// WriteTree prints each package's routes and the limits that apply to
// them, as `flask limiter limits` prints an app: the group name, then one
// branch per endpoint ("name: path") with its limits, or "Exempt".
// defaults are shown for routes without limits of their own.
func WriteTree(w io.Writer, results []*Result, defaults []runtime.Limit, f Filter) error {
	selected, err := f.Selected(results)
	if err != nil {
		return err
	}
	var b strings.Builder
	for i, r := range results {
		routes := selected[i]
		if len(routes) == 0 {
			continue
		}
		b.WriteString(r.Group + "\n")
		for j, rt := range routes {
			branch, indent := "├── ", "│   "
			if j == len(routes)-1 {
				branch, indent = "└── ", "    "
			}
			b.WriteString(branch + rt.Endpoint)
			if rt.Path != "" {
				b.WriteString(": " + rt.Path)
			}
			b.WriteByte('\n')
			lines := RouteLimits(r.Model, rt, defaults)
			for k, line := range lines {
				if k == len(lines)-1 {
					b.WriteString(indent + "└── " + line + "\n")
				} else {
					b.WriteString(indent + "├── " + line + "\n")
				}
			}
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// RouteLimits returns the lines the tree shows under a route: "Exempt" for
// a route exempt from its own limits, else the limits that apply to it in
// Flask-Limiter's order: the route's, its view's, its package's, and the
// defaults when none of those replaces them.
func RouteLimits(g *annotations.Package, rt *annotations.Route, defaults []runtime.Limit) []string {
	exempt := rt.Exempt | g.Exempt
	if exempt&runtime.ExemptRoute != 0 {
		return []string{"Exempt"}
	}
	var lines []string
	keep := true // whether the next outer level still applies
	for _, level := range [][]annotations.Rule{rt.Rules, rt.ViewRules, g.Rules} {
		if !keep || len(level) == 0 {
			continue
		}
		keep = slices.ContainsFunc(level, func(r annotations.Rule) bool { return r.KeepDefaults })
		for _, rule := range level {
			for _, l := range rule.Limits {
				line := l.String()
				if rule.Shared != "" {
					line += " (shared: " + rule.Shared + ")"
				}
				lines = append(lines, line)
			}
		}
	}
	if keep && exempt&runtime.ExemptDefault == 0 {
		for _, l := range defaults {
			lines = append(lines, l.String())
		}
	}
	if len(lines) == 0 && exempt != 0 {
		return []string{"Exempt"}
	}
	return lines
}
