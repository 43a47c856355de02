package runtime

import (
	"net/http"
	"net/netip"
	"strings"
)

// RemoteAddress is the default KeyFunc: the address of the connection the
// request arrived on (r.RemoteAddr) without its port. It never reads request
// headers, so a client cannot choose its own key by sending
// X-Forwarded-For; behind a reverse proxy use TrustedProxyKey instead.
//
// Forms it accepts, as net/http and other servers set RemoteAddr:
//
//	"192.0.2.1:1234"          -> "192.0.2.1"
//	"[2001:db8::1]:1234"      -> "2001:db8::1"
//	"[fe80::1%eth0]:1234"     -> "fe80::1%eth0"
//	"[::ffff:192.0.2.1]:1234" -> "192.0.2.1"   (IPv4-mapped IPv6 is IPv4)
//	"[2001:DB8:0::1]:1234"    -> "2001:db8::1" (IPv6 in canonical RFC 5952 form)
//
// A RemoteAddr without a port ("192.0.2.1", "2001:db8::1", "[2001:db8::1]")
// is returned as it is, brackets removed; one that is not an address at all
// is returned unchanged. net/http reports a Unix-socket connection as "@" on
// Linux, so all such requests share the key "@"; an empty RemoteAddr gives
// the empty key, which the Limiter, like Flask-Limiter, does not limit.
//
// RemoteAddress does not allocate for the addresses net/http produces. It
// is safe for concurrent use.
func RemoteAddress(r *http.Request) string {
	return hostOf(r.RemoteAddr)
}

// hostOf returns the host part of a "host:port" address, as RemoteAddress
// documents, normalised with canonicalIP.
func hostOf(s string) string {
	host := s
	if len(s) > 0 && s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return s // "[2001:db8::1" : not an address, keep it whole
		}
		rest := s[end+1:]
		if rest != "" && (rest[0] != ':' || !allDigits(rest[1:])) {
			return s // "[::1]x" : not an address, keep it whole
		}
		host = s[1:end]
	} else if i := strings.LastIndexByte(s, ':'); i >= 0 && strings.IndexByte(s[:i], ':') < 0 {
		// Exactly one colon: "host:port". Several colons without brackets
		// are an IPv6 address without a port and stay whole.
		host = s[:i]
	}
	return canonicalIP(host)
}

// canonicalIP returns host in the form netip.Addr.String prints when host
// is an IPv6 address, with IPv4-mapped IPv6 addresses unmapped to IPv4.
// Anything else (IPv4 text, names, garbage) is returned unchanged. It
// allocates only when host is IPv6 text that is not canonical already.
func canonicalIP(host string) string {
	if strings.IndexByte(host, ':') < 0 || strings.IndexByte(host, '%') >= 0 {
		// IPv4 (as servers print it) or a name: already its own key.
		// Zoned link-local addresses are kept verbatim: the zone is part
		// of the address and parsing it would intern a string.
		return host
	}
	if isCanonicalIPv6(host) {
		return host // what net/http reports: no need to parse
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if ip.Is4In6() {
		// "::ffff:192.0.2.1": the IPv4 text is the tail of host.
		if i := strings.LastIndexByte(host, ':'); strings.IndexByte(host[i+1:], '.') >= 0 {
			return host[i+1:]
		}
		ip = ip.Unmap()
	}
	return canonicalText(host, ip)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isCanonicalIPv6 reports whether s is an IPv6 address without zone or
// embedded IPv4, written exactly as netip.Addr.String writes it (RFC 5952:
// lower case, no leading zeros, the longest run of two or more zero groups,
// the first of equals, shortened to "::"). It lets the common case skip
// parsing; false only means "parse to find out".
func isCanonicalIPv6(s string) bool {
	if len(s) < 2 || len(s) > 39 {
		return false
	}
	groups := 0          // explicit groups
	elided := -1         // groups before "::", or -1
	zeroRun, run := 0, 0 // longest explicit zero run before "::", current run
	zeroRunAfter := 0    // longest explicit zero run after "::"
	i := 0
	if s[0] == ':' {
		if s[1] != ':' {
			return false
		}
		elided = 0
		i = 2
		if i == len(s) {
			return true // "::"
		}
	}
	for {
		// One group: 1 to 4 lower-case hex digits, no leading zero.
		start := i
		for i < len(s) && i-start < 5 && ('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			i++
		}
		n := i - start
		if n == 0 || n > 4 || n > 1 && s[start] == '0' {
			return false
		}
		groups++
		if n == 1 && s[start] == '0' {
			if groups == elided+1 {
				return false // a zero group right after "::" belongs in it
			}
			run++
		} else {
			run = 0
		}
		if elided < 0 {
			zeroRun = max(zeroRun, run)
		} else {
			zeroRunAfter = max(zeroRunAfter, run)
		}
		if i == len(s) {
			break
		}
		if s[i] != ':' || i+1 == len(s) {
			return false // a dot, zone, other byte, or a trailing single ':'
		}
		i++
		if s[i] == ':' {
			if elided >= 0 || run > 0 {
				return false // a second "::", or a zero group right before it
			}
			elided = groups
			run = 0
			i++
			if i == len(s) {
				break // trailing "::"
			}
		}
	}
	if elided < 0 {
		return groups == 8 && zeroRun < 2
	}
	if elided == 0 && groups == 3 && s[2:7] == "ffff:" {
		return false // IPv4-mapped: netip writes "::ffff:192.0.2.1"
	}
	gap := 8 - groups // groups "::" stands for
	return gap >= 2 && zeroRun < gap && zeroRunAfter <= gap
}
