package backends

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// URI is a parsed storage URI:
//
//	scheme://[user[:password]@]host1:port1[,host2:port2…][/path][?param=value&…]
//
// Several hosts are separated by commas. A URI is not safe for concurrent
// use; openers read it once, in one goroutine.
type URI struct {
	// Scheme is lower case, e.g. "redis+cluster".
	Scheme string
	// Username and Password come from the userinfo; empty when absent.
	Username, Password string
	// Hosts are the host:port pairs in the order written; empty for schemes
	// such as memory:// or redis+unix:///path.sock.
	Hosts []string
	// Path is the unescaped path, including its leading slash, or "".
	Path string

	query url.Values
	used  map[string]bool
}

// ParseURI parses s. Errors quote s with its password replaced by "xxxxx".
func ParseURI(s string) (*URI, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || scheme == "" {
		return nil, fmt.Errorf("backends: storage URI %q has no scheme (want e.g. memory:// or redis://host:port)", redact(s))
	}
	u := &URI{Scheme: strings.ToLower(scheme), used: map[string]bool{}}
	rest, rawQuery, _ := strings.Cut(rest, "?")
	authority, path, hasPath := strings.Cut(rest, "/")
	if hasPath {
		p, err := url.PathUnescape("/" + path)
		if err != nil {
			return nil, fmt.Errorf("backends: storage URI %q: bad path: %v", redact(s), err)
		}
		u.Path = p
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo := authority[:at]
		authority = authority[at+1:]
		user, pass, _ := strings.Cut(userinfo, ":")
		var err error
		if u.Username, err = url.PathUnescape(user); err != nil {
			return nil, fmt.Errorf("backends: storage URI %q: bad user name escape", redact(s))
		}
		if u.Password, err = url.PathUnescape(pass); err != nil {
			return nil, fmt.Errorf("backends: storage URI %q: bad password escape", redact(s))
		}
	}
	if authority != "" {
		for _, h := range strings.Split(authority, ",") {
			h = strings.TrimSpace(h)
			if h == "" {
				return nil, fmt.Errorf("backends: storage URI %q has an empty host", redact(s))
			}
			u.Hosts = append(u.Hosts, h)
		}
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("backends: storage URI %q: bad query: %v", redact(s), err)
	}
	u.query = q
	return u, nil
}

// Param returns the value of the query parameter name and whether it was
// given, and marks it as understood for CheckParams.
func (u *URI) Param(name string) (string, bool) {
	u.used[name] = true
	v, ok := u.query[name]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

// IntParam reads an integer parameter; def is returned when it is absent.
func (u *URI) IntParam(name string, def int) (int, error) {
	v, ok := u.Param(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("backends: storage URI %q: parameter %s=%q is not an integer", u.Redacted(), name, v)
	}
	return n, nil
}

// DurationParam reads a duration parameter written for time.ParseDuration
// ("250ms", "2s") or as a plain number of seconds ("0.5"); def is returned
// when it is absent. A negative duration, or a number of seconds beyond
// what a time.Duration holds (about 292 years), is an error.
func (u *URI) DurationParam(name string, def time.Duration) (time.Duration, error) {
	v, ok := u.Param(name)
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || math.IsNaN(f) {
			return 0, fmt.Errorf("backends: storage URI %q: parameter %s=%q is not a duration (e.g. 500ms, 2s)", u.Redacted(), name, v)
		}
		if f*float64(time.Second) >= math.MaxInt64 {
			return 0, fmt.Errorf("backends: storage URI %q: parameter %s=%q is longer than a duration can be (about 292 years)", u.Redacted(), name, v)
		}
		d = time.Duration(f * float64(time.Second))
	}
	if d < 0 {
		return 0, fmt.Errorf("backends: storage URI %q: parameter %s=%q is negative", u.Redacted(), name, v)
	}
	return d, nil
}

// BoolParam reads a boolean parameter (strconv.ParseBool spellings); def is
// returned when it is absent.
func (u *URI) BoolParam(name string, def bool) (bool, error) {
	v, ok := u.Param(name)
	if !ok {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("backends: storage URI %q: parameter %s=%q is not a boolean", u.Redacted(), name, v)
	}
	return b, nil
}

// CheckParams returns an error naming every query parameter that no call to
// Param (or its typed variants) has read.
func (u *URI) CheckParams() error {
	var unknown []string
	for k := range u.query {
		if !u.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	known := make([]string, 0, len(u.used))
	for k := range u.used {
		known = append(known, k)
	}
	sort.Strings(known)
	return fmt.Errorf("backends: storage URI %q: unknown parameter(s) %s (known for %s://: %s)",
		u.Redacted(), strings.Join(unknown, ", "), u.Scheme, strings.Join(known, ", "))
}

// Redacted returns the URI as text with the password, and the value of every
// query parameter whose name says it holds a credential (it contains
// "password", "secret" or "token", in any case), replaced by "xxxxx", safe
// for errors and logs.
func (u *URI) Redacted() string {
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	if u.Username != "" || u.Password != "" {
		b.WriteString(url.PathEscape(u.Username))
		if u.Password != "" {
			b.WriteString(":xxxxx")
		}
		b.WriteByte('@')
	}
	b.WriteString(strings.Join(u.Hosts, ","))
	b.WriteString(u.Path)
	if len(u.query) > 0 {
		b.WriteByte('?')
		q := u.query
		for k := range q {
			if isCredentialParam(k) {
				q = make(url.Values, len(u.query))
				for k, v := range u.query {
					if isCredentialParam(k) {
						v = []string{"xxxxx"}
					}
					q[k] = v
				}
				break
			}
		}
		b.WriteString(q.Encode())
	}
	return b.String()
}

// redact hides the password of a URI that could not be parsed.
func redact(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	authEnd := strings.IndexAny(rest, "/?")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	at := strings.LastIndexByte(rest[:authEnd], '@')
	if at < 0 {
		return s
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return s
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

// isCredentialParam reports whether a query parameter's name says that its
// value is a credential.
func isCredentialParam(name string) bool {
	name = strings.ToLower(name)
	return strings.Contains(name, "password") || strings.Contains(name, "secret") || strings.Contains(name, "token")
}
