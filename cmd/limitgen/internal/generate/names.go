package generate

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The names generated code declares in the package.
const (
	// GroupVar is the package-level runtime.Group holding the route table.
	GroupVar = "LimitGroup"
	// RegisterFunc mounts every route with a pattern on a runtime.Mux.
	RegisterFunc = "RegisterLimits"
	// WrapperPrefix starts the name of each route's wrapper func, e.g.
	// LimitedSlow for endpoint "slow", LimitedUsersGet for "Users.Get".
	WrapperPrefix = "Limited"
)

// IsGeneratedName reports whether name is one limitgen may generate.
func IsGeneratedName(name string) bool {
	return name == GroupVar || name == RegisterFunc ||
		strings.HasPrefix(name, WrapperPrefix) && len(name) > len(WrapperPrefix)
}

// WrapperName returns the wrapper func name for an endpoint: "Limited"
// followed by each dot-separated part of the endpoint with its first letter
// upper-cased, e.g. "Users.Get" -> "LimitedUsersGet".
func WrapperName(endpoint string) string {
	var b strings.Builder
	b.WriteString(WrapperPrefix)
	for part := range strings.SplitSeq(endpoint, ".") {
		r, n := utf8.DecodeRuneInString(part)
		if n == 0 {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(part[n:])
	}
	return b.String()
}
