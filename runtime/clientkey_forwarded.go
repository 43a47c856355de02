package runtime

import "strings"

// appendForwardedFor parses one line of an RFC 7239 Forwarded header,
//
//	for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"
//
// and appends each element's for= value to dst, unquoted, or "" for an
// element that has none. Empty elements and empty pairs are skipped, and
// spaces around separators are tolerated. It returns false when the line
// is malformed: a parameter name that is not a token, a missing value, an
// unterminated quoted string, a control character, or for= twice in one
// element. Parameter names are case-insensitive. It allocates only to
// unescape a quoted-pair or when dst is full.
func appendForwardedFor(dst []string, line string) ([]string, bool) {
	i, n := 0, len(line)
	for {
		// The start of an element, which may be empty.
		i = skipOWS(line, i)
		if i == n {
			return dst, true
		}
		if line[i] == ',' {
			i++
			continue
		}
		forVal, hasFor := "", false
		for {
			// A pair, which may be empty.
			i = skipOWS(line, i)
			if i < n && line[i] != ';' && line[i] != ',' {
				j := i
				for j < n && isTokenChar(line[j]) {
					j++
				}
				if j == i || j == n || line[j] != '=' {
					return dst, false
				}
				name := line[i:j]
				val, next, ok := forwardedValue(line, j+1)
				if !ok {
					return dst, false
				}
				if strings.EqualFold(name, "for") {
					if hasFor {
						return dst, false
					}
					forVal, hasFor = val, true
				}
				i = skipOWS(line, next)
			}
			if i == n {
				return append(dst, forVal), true
			}
			switch line[i] {
			case ';':
				i++
				continue
			case ',':
				i++
				dst = append(dst, forVal)
			default:
				return dst, false
			}
			break
		}
	}
}

// forwardedValue parses the value starting at line[i]: a quoted string or
// a token. Tokens may also hold ':', '[' and ']', which RFC 7239 requires
// to be quoted but some proxies send bare. It returns the value, the index
// after it, and false when there is no valid value.
func forwardedValue(line string, i int) (string, int, bool) {
	n := len(line)
	if i < n && line[i] == '"' {
		start, escaped := i+1, false
		for j := start; j < n; j++ {
			switch c := line[j]; {
			case c == '"':
				if !escaped {
					return line[start:j], j + 1, true
				}
				return unescapeQuoted(line[start:j]), j + 1, true
			case c == '\\':
				if j+1 == n {
					return "", n, false
				}
				escaped = true
				j++
				if d := line[j]; d < 0x20 && d != '\t' || d == 0x7f {
					return "", n, false
				}
			case c < 0x20 && c != '\t' || c == 0x7f:
				return "", n, false
			}
		}
		return "", n, false // unterminated
	}
	j := i
	for j < n && (isTokenChar(line[j]) || line[j] == ':' || line[j] == '[' || line[j] == ']') {
		j++
	}
	if j == i {
		return "", i, false
	}
	return line[i:j], j, true
}

// unescapeQuoted removes the backslashes of quoted-pairs from s, the
// inside of a well-formed quoted string.
func unescapeQuoted(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func skipOWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}
