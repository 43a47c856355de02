package runtime

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"
	"unsafe"
)

// TestNetworkTexts checks that a network's text is always its own, also
// when far more networks pass than there are slots, and that a network
// seen again gets the very string handed out before.
func TestNetworkTexts(t *testing.T) {
	var c networkTexts
	for round := range 2 {
		for i := range 4 * networkTextSlots {
			for _, bits := range []int{48, 64} {
				p := netip.MustParsePrefix(fmt.Sprintf("2001:db8:%x:%x::/%d", i>>8, i&0xff, bits)).Masked()
				if got := c.text(p); got != p.String() {
					t.Fatalf("round %d: text(%v) = %q", round, p, got)
				}
			}
		}
	}
	p := netip.MustParsePrefix("2001:db8:1:2::/64")
	a, b := c.text(p), c.text(p)
	if unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("text(%v) twice made two strings; want the remembered one", p)
	}
}

// TestIPv6PrefixAllocs checks that grouping an IPv6 client seen before
// allocates nothing, through IPv6Prefix and TrustedProxyKey.
func TestIPv6PrefixAllocs(t *testing.T) {
	direct, err := IPv6Prefix(64, nil)
	if err != nil {
		t.Fatal(err)
	}
	proxied, err := TrustedProxyKey(TrustedProxies{CIDRs: []string{"10.0.0.0/8"}, IPv6Prefix: 64})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest("GET", "/", nil)
	r.RemoteAddr = "[2001:db8:1:2::7]:443"
	if got := direct(r); got != "2001:db8:1:2::/64" {
		t.Fatalf("IPv6Prefix(64) = %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { direct(r) }); n != 0 {
		t.Errorf("IPv6Prefix: %v allocations per request for a network seen before, want 0", n)
	}
	r.RemoteAddr = "10.1.2.3:443"
	r.Header.Set("X-Forwarded-For", "2001:db8:1:2::7")
	if got := proxied(r); got != "2001:db8:1:2::/64" {
		t.Fatalf("TrustedProxyKey with IPv6Prefix 64 = %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { proxied(r) }); n != 0 {
		t.Errorf("TrustedProxyKey: %v allocations per request for a network seen before, want 0", n)
	}
}
