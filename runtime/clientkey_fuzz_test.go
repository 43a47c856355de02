package runtime

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// FuzzRemoteAddress checks that RemoteAddress never panics, agrees with
// netip on every address with a port, and otherwise returns the input or a
// part of it.
func FuzzRemoteAddress(f *testing.F) {
	for _, s := range []string{"192.0.2.1:80", "[2001:db8::1]:80", "[fe80::1%eth0]:80", "[::ffff:192.0.2.1]:1", "2001:db8::1", "@", "", "[", "[]:"} {
		f.Add(s)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	f.Fuzz(func(t *testing.T, remote string) {
		r.RemoteAddr = remote
		got := RemoteAddress(r)
		if ap, err := netip.ParseAddrPort(remote); err == nil {
			want := ap.Addr().Unmap().String()
			if ap.Addr().Zone() != "" {
				// Zoned addresses are kept as written.
				if !strings.Contains(remote, got) {
					t.Fatalf("RemoteAddress(%q) = %q, not part of the input", remote, got)
				}
				return
			}
			if got != want {
				t.Fatalf("RemoteAddress(%q) = %q, want %q", remote, got, want)
			}
			return
		}
		if _, err := netip.ParseAddr(got); err != nil && !strings.Contains(remote, got) {
			t.Fatalf("RemoteAddress(%q) = %q: neither an address nor part of the input", remote, got)
		}
	})
}

// FuzzTrustedProxyKey checks that whatever the headers say, the key is the
// connection's address or a valid IP address, and that an untrusted
// connection's headers are never read.
func FuzzTrustedProxyKey(f *testing.F) {
	f.Add("10.0.0.1:1", "1.2.3.4, 198.51.100.1", "for=198.51.100.1", false)
	f.Add("203.0.113.5:1", "198.51.100.1", `for="[2001:db8::1]:80"`, true)
	f.Add("10.0.0.1:1", "unknown", `for="x`, true)
	f.Add("[::ffff:10.0.0.1]:1", "::ffff:1.2.3.4", `for=_a;for=_b`, true)
	keys := map[bool]KeyFunc{}
	for _, fwd := range []bool{false, true} {
		cfg := TrustedProxies{CIDRs: []string{"10.0.0.0/8", "2001:db8:ffff::/48"}}
		if fwd {
			cfg.Header = "Forwarded"
		}
		k, err := TrustedProxyKey(cfg)
		if err != nil {
			f.Fatal(err)
		}
		keys[fwd] = k
	}
	trusted := netip.MustParsePrefix("10.0.0.0/8")
	f.Fuzz(func(t *testing.T, remote, xff, fwd string, useForwarded bool) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		r.Header["X-Forwarded-For"] = []string{xff}
		r.Header["Forwarded"] = []string{fwd}
		got := keys[useForwarded](r)
		peer := RemoteAddress(r)
		if got == peer {
			return
		}
		ip, err := netip.ParseAddr(peer)
		if err != nil {
			t.Fatalf("connection %q is not IP, yet its headers were read: key %q", remote, got)
		}
		if ip = ip.Unmap(); !trusted.Contains(ip) && !netip.MustParsePrefix("2001:db8:ffff::/48").Contains(ip.WithZone("")) {
			t.Fatalf("untrusted connection %q: key %q, want %q", remote, got, peer)
		}
		a, err := netip.ParseAddr(got)
		if err != nil || a.Zone() != "" || a.Is4In6() || a.String() != got {
			t.Fatalf("key %q (headers %q, %q) is not a canonical IP address", got, xff, fwd)
		}
	})
}

// FuzzIsCanonicalIPv6 checks the parse-free fast path against netip.
func FuzzIsCanonicalIPv6(f *testing.F) {
	for _, s := range []string{"::", "::1", "1::", "2001:db8::1", "2001:db8:0:0:1::1", "2001:db8::1:0:0:1", "1:0:0:2:0:0:0:3",
		"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "1:0:3:4:5:6:7:8", "1::3:4:5:6:7:8", "2001:DB8::1", "::ffff:1.2.3.4", "fe80::1%eth0", "0:0::1", "1:2:3:4:5:6:7:8:9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ip, err := netip.ParseAddr(s)
		want := err == nil && ip.Is6() && ip.Zone() == "" && !ip.Is4In6() && !strings.Contains(s, ".") && ip.String() == s
		if got := isCanonicalIPv6(s); got != want {
			t.Fatalf("isCanonicalIPv6(%q) = %v, want %v", s, got, want)
		}
	})
}

// TestIsCanonicalIPv6Random compares the fast path with netip over
// addresses rich in zero groups, in canonical and expanded spelling.
func TestIsCanonicalIPv6Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var b [16]byte
		for g := 0; g < 8; g++ {
			switch rng.IntN(4) {
			case 0, 1: // zero group
			case 2:
				b[2*g+1] = byte(rng.IntN(16))
			default:
				b[2*g], b[2*g+1] = byte(rng.IntN(256)), byte(rng.IntN(256))
			}
		}
		if rng.IntN(8) == 0 {
			b[10], b[11] = 0xff, 0xff // IPv4-mapped, sometimes
		}
		ip := netip.AddrFrom16(b)
		for _, s := range []string{ip.String(), ip.StringExpanded(), strings.ToUpper(ip.String())} {
			p, err := netip.ParseAddr(s)
			want := err == nil && !p.Is4In6() && !strings.Contains(s, ".") && p.String() == s
			if got := isCanonicalIPv6(s); got != want {
				t.Fatalf("isCanonicalIPv6(%q) = %v, want %v", s, got, want)
			}
		}
	}
}
