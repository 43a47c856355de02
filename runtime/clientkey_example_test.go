package runtime_test

import (
	"fmt"
	"net/http/httptest"

	limitgenrt "github.com/limitgen/limitgen/runtime"
)

func ExampleRemoteAddress() {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Forwarded-For", "198.51.100.1") // ignored: never read

	for _, addr := range []string{"192.0.2.1:51234", "[2001:db8::1]:51234", "[::ffff:192.0.2.1]:51234"} {
		r.RemoteAddr = addr
		fmt.Println(limitgenrt.RemoteAddress(r))
	}
	// Output:
	// 192.0.2.1
	// 2001:db8::1
	// 192.0.2.1
}

func ExampleTrustedProxyKey() {
	// The application runs behind load balancers in 10.0.0.0/8.
	key, err := limitgenrt.TrustedProxyKey(limitgenrt.TrustedProxies{
		CIDRs: []string{"10.0.0.0/8"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	r := httptest.NewRequest("GET", "/", nil)
	// The client forged the first address; the load balancer appended
	// the address it saw.
	r.Header.Set("X-Forwarded-For", "1.2.3.4, 198.51.100.7")

	r.RemoteAddr = "10.0.0.1:40000" // from the load balancer
	fmt.Println(key(r))

	r.RemoteAddr = "203.0.113.9:40000" // straight from the internet
	fmt.Println(key(r))

	_, err = limitgenrt.TrustedProxyKey(limitgenrt.TrustedProxies{CIDRs: []string{"10.0.0.0/33"}})
	fmt.Println(err)
	// Output:
	// 198.51.100.7
	// 203.0.113.9
	// runtime: trusted proxies: bad CIDR "10.0.0.0/33": prefix length out of range
}

func ExampleTrustedProxyKey_forwarded() {
	// One proxy in front of the application, writing RFC 7239 headers.
	key, err := limitgenrt.TrustedProxyKey(limitgenrt.TrustedProxies{
		CIDRs:      []string{"127.0.0.1"},
		Header:     "Forwarded",
		IPv6Prefix: 64,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:40000"
	r.Header.Set("Forwarded", `for="[2001:db8:cafe:1:2:3:4:5]:4711";proto=https`)
	fmt.Println(key(r))
	r.Header.Set("Forwarded", "for=unknown")
	fmt.Println(key(r))
	// Output:
	// 2001:db8:cafe:1::/64
	// 127.0.0.1
}

func ExampleIPv6Prefix() {
	key, err := limitgenrt.IPv6Prefix(64, limitgenrt.RemoteAddress)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := httptest.NewRequest("GET", "/", nil)
	for _, addr := range []string{"[2001:db8:1:2::10]:443", "[2001:db8:1:2:aaaa::1]:443", "192.0.2.1:443"} {
		r.RemoteAddr = addr
		fmt.Println(key(r))
	}
	// Output:
	// 2001:db8:1:2::/64
	// 2001:db8:1:2::/64
	// 192.0.2.1
}

func ExampleParseCIDRs() {
	// For example from an environment variable.
	prefixes, err := limitgenrt.ParseCIDRs("10.0.0.0/8, 192.168.0.1, fd00::/8")
	fmt.Println(prefixes, err)
	_, err = limitgenrt.ParseCIDRs("10.0.0.0/8, 10.0.0.300")
	fmt.Println(err)
	// Output:
	// [10.0.0.0/8 192.168.0.1/32 fd00::/8] <nil>
	// runtime: trusted proxies: bad CIDR " 10.0.0.300": not a network or an address
}
