package runtime

import (
	"net/http"
	"sync"
	"sync/atomic"
)

// maxDynamicStrings bounds how many distinct LimitsFunc strings a Limiter
// keeps parsed; past it, further strings are parsed on every request.
const maxDynamicStrings = 1024

// dynamicLimits caches the entries of the limit strings LimitsFunc rules
// return, by string. It is safe for concurrent use.
type dynamicLimits struct {
	parsed sync.Map // string -> []entry, rule unset
	n      atomic.Int64
}

// dynamicEntries returns the entries of rule ru's limits for r, from its
// LimitsFunc: parsed once per distinct string, shared and read-only, with
// the rule unset (the caller sets it on its copies). A malformed
// string is logged (once while it is cached) and gives no limits, as
// Flask-Limiter skips a callable limit it cannot parse.
func (l *Limiter) dynamicEntries(ru *rule, r *http.Request) []entry {
	s := ru.r.LimitsFunc(r)
	if s == "" {
		return nil
	}
	var es []entry
	if v, ok := l.dyn.parsed.Load(s); ok {
		es = v.([]entry)
	} else {
		ls, err := ParseLimits(s)
		if err != nil {
			l.log.Error("ratelimit: a LimitsFunc returned a malformed limit; the rule is skipped", "scope", ru.scope, "error", err)
		}
		for _, lim := range ls {
			es = append(es, entry{limit: lim, text: lim.String(), window: lim.Window(), gran: lim.Unit.Duration()})
		}
		if l.dyn.n.Add(1) <= maxDynamicStrings {
			l.dyn.parsed.Store(s, es)
		}
	}
	return es
}
