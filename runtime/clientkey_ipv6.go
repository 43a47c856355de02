package runtime

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// IPv6Prefix returns a KeyFunc that counts IPv6 clients per network of
// bits leading bits instead of per address: with bits 64, every address of
// 2001:db8:1:2::/64 shares the key "2001:db8:1:2::/64". A single IPv6
// subscriber usually holds a whole /64 (often a /56 or /48), so per-address
// keys would let it rotate addresses to escape its limits.
//
// next computes the key to group; nil means RemoteAddress. Keys that are
// IPv4 addresses, or IPv4-mapped IPv6 addresses (::ffff:192.0.2.1, which
// count as the IPv4 address 192.0.2.1), are returned as IPv4 addresses, and
// keys that are not IP addresses are returned unchanged. A zone
// (fe80::1%eth0) is dropped before grouping.
//
// bits must be between 1 and 128; anything else is an error that quotes
// it. 128 only canonicalises the text. The returned KeyFunc is safe for
// concurrent use if next is. It remembers the text of the last 1024 or so
// networks it met, so a network that comes back costs no allocation.
func IPv6Prefix(bits int, next KeyFunc) (KeyFunc, error) {
	if bits < 1 || bits > 128 {
		return nil, fmt.Errorf("runtime: IPv6 prefix length %d out of range: want 1 to 128", bits)
	}
	if next == nil {
		next = RemoteAddress
	}
	texts := new(networkTexts)
	return func(r *http.Request) string {
		key := next(r)
		if strings.IndexByte(key, ':') < 0 {
			return key // IPv4 or not an address: IPv6 text has a colon
		}
		ip, err := netip.ParseAddr(key)
		if err != nil {
			return key
		}
		return groupAddr(key, ip, bits, texts)
	}, nil
}

// groupAddr returns the key of ip, whose text is key: the IPv4 address
// for IPv4 and IPv4-mapped addresses, the masked "/bits" network for IPv6
// when bits is 1 to 128 (its text from texts), and the canonical text
// otherwise (bits 0).
func groupAddr(key string, ip netip.Addr, bits int, texts *networkTexts) string {
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if ip.Is4() || bits == 0 {
		return canonicalText(key, ip)
	}
	p, err := ip.WithZone("").Prefix(bits)
	if err != nil { // unreachable: bits was checked to be 1..128
		return canonicalText(key, ip)
	}
	return texts.text(p)
}

// canonicalText returns text if it is already ip's canonical form
// (netip.Addr.String), which it is for IPv4 and for the addresses net/http
// reports, and the canonical form otherwise. It allocates only in the
// second case. Zoned addresses are returned as written, as RemoteAddress
// returns them.
func canonicalText(text string, ip netip.Addr) string {
	if ip.Zone() != "" {
		return text
	}
	var buf [46]byte // longest IPv6 text without zone is 45 bytes
	b := ip.AppendTo(buf[:0])
	if string(b) == text {
		return text
	}
	return string(b)
}
