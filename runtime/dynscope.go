package runtime

import "strings"

// scopeFor is the rule's counter scope for this request: the rule's own
// (see rule.scopeFor) with the ScopeFunc's value after it. m.dyn holds the
// rule's scope and that value, joined once per request.
func (m *ruleMemo) scopeFor(ru *rule, method string) string {
	if m.dyn == "" {
		return ru.scopeFor(method)
	}
	if ru.r.PerMethod {
		return m.dyn + ":" + method
	}
	return m.dyn
}

// escapeScope percent-escapes the characters of a scope computed from a
// request that would blur the key layout ("prefix/{client}/scope/limit"):
// '/', braces and '%'.
func escapeScope(s string) string {
	if !strings.ContainsAny(s, "/{}%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '/':
			b.WriteString("%2F")
		case '{':
			b.WriteString("%7B")
		case '}':
			b.WriteString("%7D")
		case '%':
			b.WriteString("%25")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
