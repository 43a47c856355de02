package runtime

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies configures TrustedProxyKey: which hops in front of the
// application are reverse proxies whose forwarding headers may be believed.
// At least one of CIDRs, Prefixes, Hops and UnixSockets must be set.
// The zero value trusts nothing and is rejected.
type TrustedProxies struct {
	// CIDRs lists the trusted proxies' networks in text form, such as
	// "10.0.0.0/8", "2001:db8::/32", or a single address "192.0.2.7"
	// (meaning /32, or /128 for IPv6). Host bits are masked off
	// ("10.1.2.3/8" is 10.0.0.0/8). IPv4-mapped IPv6 networks
	// ("::ffff:10.0.0.0/104") match the IPv4 addresses they map. Empty:
	// no network is trusted by address (see Hops).
	CIDRs []string

	// Prefixes are more trusted networks, already parsed (see ParseCIDRs);
	// they add to CIDRs.
	Prefixes []netip.Prefix

	// Hops is the number of proxies in front of the application, the
	// connection's own peer included: 1 means the client is the last
	// address the one proxy appended. 0 means no limit: every hop whose
	// address is in CIDRs/Prefixes is trusted. With no CIDRs, Hops alone
	// trusts every connection as coming from a proxy; use that only when
	// the application cannot be reached except through the proxies.
	// Negative is an error.
	Hops int

	// Header names the one header to read: "X-Forwarded-For" (the
	// default, when empty), "Forwarded" (RFC 7239, its for= parameters),
	// or another comma-separated address list such as "X-Real-IP". Several
	// lines of the header form one list, in order. Only this header is
	// read: a proxy that sets one header passes a client's forged copy of
	// the other through untouched.
	Header string

	// UnixSockets trusts connections that do not come over IP, such as
	// from a reverse proxy on the same host over a Unix domain socket
	// (net/http then reports RemoteAddr "@" or ""), as the first hop.
	// false: such connections' headers are read only under Hops alone,
	// which trusts every connection.
	UnixSockets bool

	// IPv6Prefix groups IPv6 clients by this many leading bits, as
	// IPv6Prefix does (64 counts a /64 as one client). 0 keeps whole
	// addresses; otherwise it must be 1 to 128.
	IPv6Prefix int
}

// TrustedProxyKey returns a KeyFunc for applications behind reverse
// proxies. It reads cfg.Header only when the connection itself comes from
// a trusted proxy; otherwise, and when the header is absent, the key is the
// connection's address as RemoteAddress returns it.
//
// It walks the hops from the right: the connection's peer, then the
// header's addresses from the last (appended by the nearest proxy) to the
// first (written by whoever sent the request, and so forgeable). A hop is a
// trusted proxy when its address is in the trusted networks (if any are
// configured) and it is among the first cfg.Hops hops (if Hops is set). The
// key is the first address that is not a trusted proxy; when every hop is
// trusted, the leftmost address.
//
// If the walk reaches a value that is not an IP address before it finds
// the client, such as garbage, "unknown" or an RFC 7239 obfuscated
// identifier ("_hidden", which a proxy may generate per request), the key
// falls back to the connection's address: nothing unparsable is ever used
// as a key. Values to the left of the client's address are never looked
// at. Addresses may carry ports ("192.0.2.1:80", "[2001:db8::1]:80") and
// brackets; IPv4-mapped IPv6 addresses count as IPv4; keys are canonical
// text (netip.Addr.String), so one client has one key however a proxy
// spells its address.
//
// A malformed configuration (a bad CIDR, a negative Hops, an IPv6Prefix
// out of range, an invalid header name, or nothing trusted at all) is an
// error quoting the value. cfg is copied: changing it afterwards has no
// effect. The returned KeyFunc is safe for concurrent use.
func TrustedProxyKey(cfg TrustedProxies) (KeyFunc, error) {
	p := &proxyKey{hops: cfg.Hops, bits: cfg.IPv6Prefix, unix: cfg.UnixSockets}
	if p.bits > 0 {
		p.texts = new(networkTexts)
	}
	for _, c := range cfg.CIDRs {
		pfx, err := parseCIDR(c)
		if err != nil {
			return nil, err
		}
		p.prefixes = append(p.prefixes, pfx)
	}
	for _, pfx := range cfg.Prefixes {
		if !pfx.IsValid() {
			return nil, fmt.Errorf("runtime: trusted proxies: invalid prefix %q", pfx.String())
		}
		p.prefixes = append(p.prefixes, normalizePrefix(pfx))
	}
	if cfg.Hops < 0 {
		return nil, fmt.Errorf("runtime: trusted proxies: hop count %d is negative", cfg.Hops)
	}
	if len(p.prefixes) == 0 && cfg.Hops == 0 && !cfg.UnixSockets {
		return nil, errors.New("runtime: trusted proxies: no CIDRs, no hop count and no Unix sockets; use RemoteAddress to trust no proxy")
	}
	if cfg.IPv6Prefix < 0 || cfg.IPv6Prefix > 128 {
		return nil, fmt.Errorf("runtime: trusted proxies: IPv6 prefix length %d out of range: want 0 to 128", cfg.IPv6Prefix)
	}
	switch {
	case cfg.Header == "":
		p.header = "X-Forwarded-For"
	case !validHeaderName(cfg.Header):
		return nil, fmt.Errorf("runtime: trusted proxies: invalid header name %q", cfg.Header)
	default:
		p.header = http.CanonicalHeaderKey(cfg.Header)
	}
	p.forwarded = p.header == "Forwarded"
	return p.key, nil
}

// ParseCIDRs parses a comma-separated list of networks or single
// addresses, such as an environment variable's
// "10.0.0.0/8, 192.168.0.0/16, ::1", as TrustedProxies.CIDRs accepts them.
// Spaces around items are ignored; an empty list gives nil. A bad or empty
// item is an error quoting it.
func ParseCIDRs(list string) ([]netip.Prefix, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []netip.Prefix
	for item := range strings.SplitSeq(list, ",") {
		pfx, err := parseCIDR(item)
		if err != nil {
			return nil, err
		}
		out = append(out, pfx)
	}
	return out, nil
}

// parseCIDR parses one trusted network: a CIDR or a single address.
func parseCIDR(s string) (netip.Prefix, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return netip.Prefix{}, fmt.Errorf("runtime: trusted proxies: empty CIDR in %q", s)
	}
	if strings.IndexByte(t, '/') >= 0 {
		pfx, err := netip.ParsePrefix(t)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("runtime: trusted proxies: bad CIDR %q: %v", s, unwrapParseError(err))
		}
		return normalizePrefix(pfx), nil
	}
	ip, err := netip.ParseAddr(t)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("runtime: trusted proxies: bad CIDR %q: not a network or an address", s)
	}
	if ip.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("runtime: trusted proxies: bad CIDR %q: zones are not allowed", s)
	}
	ip = ip.Unmap()
	return netip.PrefixFrom(ip, ip.BitLen()), nil
}

// unwrapParseError drops netip's quoting of the input, which the caller's
// message already carries.
func unwrapParseError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "): "); i >= 0 {
		return msg[i+3:]
	}
	return msg
}

// normalizePrefix masks host bits and turns an IPv4-mapped IPv6 network
// into the IPv4 network it maps, since addresses are unmapped before they
// are matched.
func normalizePrefix(p netip.Prefix) netip.Prefix {
	if ip := p.Addr(); ip.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(ip.Unmap(), p.Bits()-96)
	}
	return p.Masked()
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// proxyKey is the configuration TrustedProxyKey compiled; it is not
// modified after construction (texts, a cache, is safe for concurrent use).
type proxyKey struct {
	prefixes  []netip.Prefix
	hops      int
	header    string        // canonical name
	forwarded bool          // header is RFC 7239 Forwarded
	bits      int           // IPv6 grouping, 0 for none
	texts     *networkTexts // the grouped networks' texts, when bits > 0
	unix      bool          // trust connections that are not IP
}

// trusted reports whether the hop-th hop (0 is the connection's peer),
// whose address is ip, is a trusted proxy.
func (p *proxyKey) trusted(hop int, ip netip.Addr) bool {
	if p.hops > 0 && hop >= p.hops {
		return false
	}
	if len(p.prefixes) == 0 {
		return p.hops > 0 // Hops alone; UnixSockets alone trusts no IP hop
	}
	ip = ip.WithZone("")
	for _, pfx := range p.prefixes {
		if pfx.Contains(ip) {
			return true
		}
	}
	return false
}

func (p *proxyKey) key(r *http.Request) string {
	peerKey := hostOf(r.RemoteAddr)
	fallback := peerKey
	peer, err := netip.ParseAddr(peerKey)
	if err != nil {
		// Not an IP connection: a Unix socket, trusted only if asked to
		// or by Hops alone, which trusts every connection.
		if !p.unix && (len(p.prefixes) > 0 || p.hops == 0) {
			return fallback
		}
	} else {
		peer = peer.Unmap()
		fallback = p.group(peerKey, peer)
		if !p.trusted(0, peer) {
			return fallback
		}
	}
	lines := r.Header[p.header]
	hop := 1
	lastKey, last, lastLine := peerKey, peer, ""
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		if p.forwarded {
			var stack [8]string
			nodes, ok := appendForwardedFor(stack[:0], line)
			if !ok {
				return fallback
			}
			for j := len(nodes) - 1; j >= 0; j-- {
				ip, key, ok := parseNode(nodes[j], true)
				if !ok {
					return fallback
				}
				if !p.trusted(hop, ip) {
					return p.result(key, ip, line)
				}
				lastKey, last, lastLine = key, ip, line
				hop++
			}
			continue
		}
		// A comma-separated list: walk it from the right without
		// splitting it.
		rest := line
		for len(rest) > 0 {
			item := rest
			if k := strings.LastIndexByte(rest, ','); k >= 0 {
				item, rest = rest[k+1:], rest[:k]
			} else {
				rest = ""
			}
			item = trimOWS(item)
			if item == "" {
				continue // empty list elements are allowed (RFC 9110 §5.6.1)
			}
			ip, key, ok := parseNode(item, false)
			if !ok {
				return fallback
			}
			if !p.trusted(hop, ip) {
				return p.result(key, ip, line)
			}
			lastKey, last, lastLine = key, ip, line
			hop++
		}
	}
	if hop == 1 {
		return fallback // no header: the proxy's own request
	}
	return p.result(lastKey, last, lastLine)
}

// group returns the key of ip, whose canonical text is key, grouped by
// the configured IPv6 prefix.
func (p *proxyKey) group(key string, ip netip.Addr) string {
	if p.bits == 0 || !ip.Is6() {
		return key // hostOf and parseNode give canonical text already
	}
	return groupAddr(key, ip, p.bits, p.texts)
}

// result returns the key of the client address ip, whose text key was
// cut from line. A key cut from a long header line is copied, so that a
// stored key does not keep the whole header alive.
func (p *proxyKey) result(key string, ip netip.Addr, line string) string {
	k := p.group(key, ip)
	if len(line) > 64 && k == key {
		k = strings.Clone(k)
	}
	return k
}

// parseNode parses one hop's address: "192.0.2.1", "192.0.2.1:80",
// "2001:db8::1", "[2001:db8::1]" or "[2001:db8::1]:80". Ports may be RFC
// 7239 obfuscated ports ("_p1") when forwarded is true. It returns the
// unmapped address without zone and its canonical text, and false for
// anything else ("unknown", obfuscated identifiers, names, garbage).
func parseNode(s string, forwarded bool) (netip.Addr, string, bool) {
	host := s
	if len(s) > 0 && s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}, "", false
		}
		if rest := s[end+1:]; rest != "" && (rest[0] != ':' || !validPort(rest[1:], forwarded)) {
			return netip.Addr{}, "", false
		}
		host = s[1:end]
		if strings.IndexByte(host, ':') < 0 {
			return netip.Addr{}, "", false // brackets hold IPv6 only
		}
	} else if i := strings.IndexByte(s, ':'); i >= 0 && strings.IndexByte(s[i+1:], ':') < 0 {
		if !validPort(s[i+1:], forwarded) {
			return netip.Addr{}, "", false
		}
		host = s[:i]
		if strings.IndexByte(host, '.') < 0 {
			return netip.Addr{}, "", false // "host:port" is IPv4 only
		}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, "", false
	}
	if ip.Zone() != "" {
		// A zone names an interface of the proxy that saw the address;
		// it does not identify the client. Drop it.
		ip = ip.WithZone("")
		host = host[:strings.IndexByte(host, '%')]
	}
	if ip.Is4In6() {
		ip = ip.Unmap()
		if i := strings.LastIndexByte(host, ':'); strings.IndexByte(host[i+1:], '.') >= 0 {
			return ip, host[i+1:], true
		}
	}
	return ip, canonicalText(host, ip), true
}

// validPort reports whether s is a port number, or with obfuscated set
// also an RFC 7239 obfuscated port ("_" followed by ALPHA / DIGIT / "." /
// "_" / "-").
func validPort(s string, obfuscated bool) bool {
	if s == "" {
		return false
	}
	if obfuscated && s[0] == '_' {
		for i := 1; i < len(s); i++ {
			c := s[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
				return false
			}
		}
		return len(s) > 1
	}
	return len(s) <= 5 && allDigits(s)
}

func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
