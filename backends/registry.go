package backends

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Opener opens a storage from a parsed URI. It must read every query
// parameter it understands through [URI.Param] and then call
// [URI.CheckParams], so that unknown parameters are reported as errors.
// Errors must not contain the password; quote [URI.Redacted] instead.
type Opener func(u *URI) (Storage, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Opener{}
)

// packageOfScheme names the package that registers each scheme the project
// ships, for the "forgotten import?" hint.
var packageOfScheme = map[string]string{
	"memory":          "memory",
	"redis":           "redis",
	"rediss":          "redis",
	"redis+unix":      "redis",
	"redis+cluster":   "redis",
	"redis+sentinel":  "redis",
	"valkey":          "redis",
	"valkeys":         "redis",
	"valkey+unix":     "redis",
	"valkey+cluster":  "redis",
	"valkey+sentinel": "redis",
	"memcached":       "memcached",
	"mongodb":         "mongodb",
	"mongodb+srv":     "mongodb",
	"etcd":            "etcd",
	"etcds":           "etcd",
}

// Register makes a storage available under scheme (lower case, without
// "://"). It is meant to be called from a backend package's init function
// and panics if open is nil or the scheme is already registered.
func Register(scheme string, open Opener) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if open == nil {
		panic("backends: Register of nil opener for scheme " + scheme)
	}
	if _, dup := registry[scheme]; dup {
		panic("backends: Register called twice for scheme " + scheme)
	}
	registry[scheme] = open
}

// Schemes returns the registered schemes, sorted.
func Schemes() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	s := make([]string, 0, len(registry))
	for k := range registry {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Open parses uri and opens the storage registered for its scheme. An
// unregistered scheme is an error that names the package to import; a
// malformed URI or an unknown parameter is an error that quotes the URI with
// its password redacted.
func Open(uri string) (Storage, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	registryMu.RLock()
	open := registry[u.Scheme]
	registryMu.RUnlock()
	if open == nil {
		if pkg, ok := packageOfScheme[u.Scheme]; ok {
			return nil, fmt.Errorf("backends: no storage registered for scheme %q in %q (forgotten import? add _ \"github.com/limitgen/limitgen/backends/%s\")", u.Scheme, u.Redacted(), pkg)
		}
		known := slices.Sorted(func(yield func(string) bool) {
			for k := range packageOfScheme {
				if !yield(k) {
					return
				}
			}
		})
		return nil, fmt.Errorf("backends: unknown scheme %q in %q (known: %s)", u.Scheme, u.Redacted(), strings.Join(known, ", "))
	}
	return open(u)
}
