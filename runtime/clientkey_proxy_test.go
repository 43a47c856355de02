package runtime

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"unsafe"
)

// proxyCase is one request: its connection address, its header lines and
// the key wanted.
type proxyCase struct {
	name   string
	remote string
	xff    []string // X-Forwarded-For lines
	fwd    []string // Forwarded lines
	want   string
}

func runProxyCases(t *testing.T, cfg TrustedProxies, cases []proxyCase) {
	t.Helper()
	key, err := TrustedProxyKey(cfg)
	if err != nil {
		t.Fatalf("TrustedProxyKey(%+v): %v", cfg, err)
	}
	for _, tt := range cases {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.remote
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		for _, v := range tt.fwd {
			r.Header.Add("Forwarded", v)
		}
		if got := key(r); got != tt.want {
			t.Errorf("%s: RemoteAddr=%q X-Forwarded-For=%q Forwarded=%q: key %q, want %q",
				tt.name, tt.remote, tt.xff, tt.fwd, got, tt.want)
		}
	}
}

func TestTrustedProxyKeyCIDRs(t *testing.T) {
	cfg := TrustedProxies{CIDRs: []string{"10.0.0.0/8", "2001:db8:ffff::/48"}}
	const proxy = "10.0.0.1:5555"
	runProxyCases(t, cfg, []proxyCase{
		// Spoofing: headers from an untrusted connection are ignored.
		{"spoof xff direct", "203.0.113.5:1234", []string{"198.51.100.1"}, nil, "203.0.113.5"},
		{"spoof xff trusted-looking", "203.0.113.5:1234", []string{"10.0.0.7"}, nil, "203.0.113.5"},
		{"spoof forwarded direct", "203.0.113.5:1234", nil, []string{"for=198.51.100.1"}, "203.0.113.5"},
		{"spoof ipv6 direct", "[2001:db8::5]:1234", []string{"198.51.100.1"}, nil, "2001:db8::5"},
		// One proxy.
		{"proxy without header", proxy, nil, nil, "10.0.0.1"},
		{"one hop", proxy, []string{"198.51.100.1"}, nil, "198.51.100.1"},
		{"client prepends a forged hop", proxy, []string{"1.2.3.4, 198.51.100.1"}, nil, "198.51.100.1"},
		{"client prepends a trusted-looking hop", proxy, []string{"10.9.9.9, 198.51.100.1"}, nil, "198.51.100.1"},
		{"only the configured header is read", proxy, nil, []string{"for=198.51.100.1"}, "10.0.0.1"},
		// Several proxies.
		{"two trusted hops", proxy, []string{"198.51.100.1, 10.0.0.7"}, nil, "198.51.100.1"},
		{"three hops, forged leftmost", proxy, []string{"1.2.3.4, 198.51.100.1, 10.0.0.7, 10.0.0.8"}, nil, "198.51.100.1"},
		{"every hop trusted: leftmost", proxy, []string{"10.0.0.9, 10.0.0.7"}, nil, "10.0.0.9"},
		{"untrusted hop in the middle stops the walk", proxy, []string{"198.51.100.1, 203.0.113.9, 10.0.0.7"}, nil, "203.0.113.9"},
		// Several header lines are one list, in order.
		{"two lines", proxy, []string{"1.2.3.4", "198.51.100.1, 10.0.0.7"}, nil, "198.51.100.1"},
		{"one address per line", proxy, []string{"198.51.100.1", "10.0.0.7"}, nil, "198.51.100.1"},
		{"empty last line", proxy, []string{"198.51.100.1", ""}, nil, "198.51.100.1"},
		{"empty elements", proxy, []string{" , 198.51.100.1 ,, "}, nil, "198.51.100.1"},
		{"tabs", proxy, []string{"\t198.51.100.1\t"}, nil, "198.51.100.1"},
		// Ports, brackets, IPv6 spellings.
		{"ipv4 with port", proxy, []string{"198.51.100.1:4711"}, nil, "198.51.100.1"},
		{"bracketed ipv6 with port", proxy, []string{"[2001:db8::1]:4711"}, nil, "2001:db8::1"},
		{"bracketed ipv6", proxy, []string{"[2001:db8::1]"}, nil, "2001:db8::1"},
		{"bare ipv6", proxy, []string{"2001:db8::1"}, nil, "2001:db8::1"},
		{"ipv6 canonicalised", proxy, []string{"2001:DB8:0:0:0:0:0:1"}, nil, "2001:db8::1"},
		{"ipv6 zone dropped", proxy, []string{"fe80::1%eth0"}, nil, "fe80::1"},
		{"ipv4-mapped is ipv4", proxy, []string{"::ffff:198.51.100.1"}, nil, "198.51.100.1"},
		{"ipv4-mapped hex is ipv4", proxy, []string{"::ffff:c633:6401"}, nil, "198.51.100.1"},
		{"ipv4-mapped trusted hop", proxy, []string{"198.51.100.1, ::ffff:10.0.0.7"}, nil, "198.51.100.1"},
		{"ipv6 proxy", "[2001:db8:ffff::1]:443", []string{"198.51.100.1, 2001:db8:ffff::2"}, nil, "198.51.100.1"},
		{"ipv6 proxy, ipv6 client", "[2001:db8:ffff::1]:443", []string{"2001:db8:1::99"}, nil, "2001:db8:1::99"},
		{"ipv4-mapped proxy connection", "[::ffff:10.0.0.1]:443", []string{"198.51.100.1"}, nil, "198.51.100.1"},
		{"zoned proxy connection", "[fe80::1%eth0]:443", []string{"198.51.100.1"}, nil, "fe80::1%eth0"},
		// Malformed values where the client should be: fall back to the
		// connection, never use the garbage.
		{"garbage", proxy, []string{"garbage"}, nil, "10.0.0.1"},
		{"unknown", proxy, []string{"unknown"}, nil, "10.0.0.1"},
		{"obfuscated", proxy, []string{"_hidden"}, nil, "10.0.0.1"},
		{"name", proxy, []string{"client.example.com"}, nil, "10.0.0.1"},
		{"garbage behind a trusted hop", proxy, []string{"garbage, 10.0.0.7"}, nil, "10.0.0.1"},
		{"space inside", proxy, []string{"198.51.100.1 198.51.100.2"}, nil, "10.0.0.1"},
		{"bad port", proxy, []string{"198.51.100.1:http"}, nil, "10.0.0.1"},
		{"empty port", proxy, []string{"198.51.100.1:"}, nil, "10.0.0.1"},
		{"port too long", proxy, []string{"198.51.100.1:123456"}, nil, "10.0.0.1"},
		{"obfuscated port in xff", proxy, []string{"198.51.100.1:_p"}, nil, "10.0.0.1"},
		{"ipv4 in brackets", proxy, []string{"[198.51.100.1]"}, nil, "10.0.0.1"},
		{"unclosed bracket", proxy, []string{"[2001:db8::1"}, nil, "10.0.0.1"},
		{"junk after bracket", proxy, []string{"[2001:db8::1]x"}, nil, "10.0.0.1"},
		{"ipv6 with port, no brackets is an address", proxy, []string{"2001:db8::1:80"}, nil, "2001:db8::1:80"},
		{"leading zeros", proxy, []string{"198.051.100.1"}, nil, "10.0.0.1"},
		{"cidr", proxy, []string{"198.51.100.0/24"}, nil, "10.0.0.1"},
		// Garbage to the left of the client is never looked at.
		{"garbage left of client", proxy, []string{"garbage, 198.51.100.1"}, nil, "198.51.100.1"},
		{"garbage line before client line", proxy, []string{"%%%", "198.51.100.1"}, nil, "198.51.100.1"},
		// Connections that are not IP.
		{"unix socket", "@", []string{"198.51.100.1"}, nil, "@"},
		{"empty remote", "", []string{"198.51.100.1"}, nil, ""},
	})
}

func TestTrustedProxyKeyHops(t *testing.T) {
	runProxyCases(t, TrustedProxies{Hops: 1}, []proxyCase{
		{"no header", "203.0.113.5:1", nil, nil, "203.0.113.5"},
		{"rightmost is the client", "203.0.113.5:1", []string{"1.2.3.4, 198.51.100.1"}, nil, "198.51.100.1"},
		{"rightmost is the client even if private", "203.0.113.5:1", []string{"1.2.3.4, 10.0.0.7"}, nil, "10.0.0.7"},
		{"garbage at the client", "203.0.113.5:1", []string{"1.2.3.4, bad"}, nil, "203.0.113.5"},
	})
	runProxyCases(t, TrustedProxies{Hops: 2}, []proxyCase{
		{"two proxies", "203.0.113.5:1", []string{"1.2.3.4, 198.51.100.1, 10.0.0.7"}, nil, "198.51.100.1"},
		{"lines count as one list", "203.0.113.5:1", []string{"1.2.3.4, 198.51.100.1", "10.0.0.7"}, nil, "198.51.100.1"},
		{"shorter chain: leftmost", "203.0.113.5:1", []string{"198.51.100.1"}, nil, "198.51.100.1"},
		{"garbage at a proxy hop", "203.0.113.5:1", []string{"1.2.3.4, 198.51.100.1, bad"}, nil, "203.0.113.5"},
		{"garbage left of the client", "203.0.113.5:1", []string{"bad, 198.51.100.1, 10.0.0.7"}, nil, "198.51.100.1"},
	})
	// Hops and CIDRs together: the connection must be trusted by address,
	// and at most Hops hops are trusted even if more are in the CIDRs.
	runProxyCases(t, TrustedProxies{CIDRs: []string{"10.0.0.0/8"}, Hops: 2}, []proxyCase{
		{"untrusted connection", "203.0.113.5:1", []string{"198.51.100.1, 10.0.0.7"}, nil, "203.0.113.5"},
		{"within the hop count", "10.0.0.1:1", []string{"198.51.100.1, 10.0.0.7"}, nil, "198.51.100.1"},
		{"hop count caps the trusted hops", "10.0.0.1:1", []string{"198.51.100.1, 10.0.0.7, 10.0.0.8"}, nil, "10.0.0.7"},
		{"a hop outside the CIDRs stops first", "10.0.0.1:1", []string{"1.2.3.4, 198.51.100.1"}, nil, "198.51.100.1"},
	})
	// The same request under CIDRs alone walks further.
	runProxyCases(t, TrustedProxies{CIDRs: []string{"10.0.0.0/8"}}, []proxyCase{
		{"cidrs alone", "10.0.0.1:1", []string{"198.51.100.1, 10.0.0.7, 10.0.0.8"}, nil, "198.51.100.1"},
	})
}

func TestTrustedProxyKeyForwarded(t *testing.T) {
	cfg := TrustedProxies{CIDRs: []string{"10.0.0.0/8"}, Header: "forwarded"}
	const proxy = "10.0.0.1:5555"
	runProxyCases(t, cfg, []proxyCase{
		{"spoof direct", "203.0.113.5:1234", nil, []string{"for=198.51.100.1"}, "203.0.113.5"},
		{"xff is not read", proxy, []string{"198.51.100.1"}, nil, "10.0.0.1"},
		{"xff beside forwarded is not read", proxy, []string{"1.2.3.4"}, []string{"for=198.51.100.1"}, "198.51.100.1"},
		{"simple", proxy, nil, []string{"for=198.51.100.1"}, "198.51.100.1"},
		{"other params", proxy, nil, []string{"by=10.0.0.1;for=198.51.100.1;host=example.com;proto=https"}, "198.51.100.1"},
		{"name case", proxy, nil, []string{"For=198.51.100.1"}, "198.51.100.1"},
		{"quoted ipv4 with port", proxy, nil, []string{`for="198.51.100.1:4711"`}, "198.51.100.1"},
		{"quoted ipv6 with port", proxy, nil, []string{`for="[2001:db8:cafe::17]:4711"`}, "2001:db8:cafe::17"},
		{"quoted ipv6", proxy, nil, []string{`for="[2001:db8:cafe::17]"`}, "2001:db8:cafe::17"},
		{"obfuscated port", proxy, nil, []string{`for="198.51.100.1:_p1"`}, "198.51.100.1"},
		{"bare brackets tolerated", proxy, nil, []string{`for=[2001:db8::1]:80`}, "2001:db8::1"},
		{"quoted-pair", proxy, nil, []string{`for="\[2001:db8::1\]"`}, "2001:db8::1"},
		{"two elements", proxy, nil, []string{"for=1.2.3.4, for=198.51.100.1"}, "198.51.100.1"},
		{"trusted hop", proxy, nil, []string{"for=198.51.100.1, for=10.0.0.7"}, "198.51.100.1"},
		{"every hop trusted", proxy, nil, []string{"for=10.0.0.9;proto=http, for=10.0.0.7"}, "10.0.0.9"},
		{"two lines", proxy, nil, []string{"for=1.2.3.4", "for=198.51.100.1"}, "198.51.100.1"},
		{"spaces around separators", proxy, nil, []string{" for=1.2.3.4 ,  for=198.51.100.1 ; proto=https "}, "198.51.100.1"},
		{"empty elements and pairs", proxy, nil, []string{",for=198.51.100.1;;proto=https;,"}, "198.51.100.1"},
		// Not an address where the client should be: fall back.
		{"unknown", proxy, nil, []string{"for=unknown"}, "10.0.0.1"},
		{"quoted unknown", proxy, nil, []string{`for="unknown"`}, "10.0.0.1"},
		{"obfuscated", proxy, nil, []string{"for=_hidden"}, "10.0.0.1"},
		{"obfuscated with port", proxy, nil, []string{`for="_hidden:_p"`}, "10.0.0.1"},
		{"no for", proxy, nil, []string{"proto=https;by=10.0.0.1"}, "10.0.0.1"},
		{"unknown behind trusted hop", proxy, nil, []string{"for=unknown, for=10.0.0.7"}, "10.0.0.1"},
		{"for twice", proxy, nil, []string{"for=1.2.3.4;for=198.51.100.1"}, "10.0.0.1"},
		{"unterminated quote", proxy, nil, []string{`for="198.51.100.1`}, "10.0.0.1"},
		{"unterminated quote swallows the rest", proxy, nil, []string{`for="1.2.3.4, for=198.51.100.1`}, "10.0.0.1"},
		{"comma inside quotes", proxy, nil, []string{`for="1.2.3.4,198.51.100.1"`}, "10.0.0.1"},
		{"missing value", proxy, nil, []string{"for="}, "10.0.0.1"},
		{"missing equals", proxy, nil, []string{"for"}, "10.0.0.1"},
		{"bad name", proxy, nil, []string{"f(r=198.51.100.1"}, "10.0.0.1"},
		{"space in pair", proxy, nil, []string{"for=198.51.100.1 proto=https"}, "10.0.0.1"},
		{"control char", proxy, nil, []string{"for=\"198.51.100.1\x01\""}, "10.0.0.1"},
		{"trailing backslash", proxy, nil, []string{`for="198.51.100.1\`}, "10.0.0.1"},
		{"xff syntax", proxy, nil, []string{"198.51.100.1"}, "10.0.0.1"},
		// Left of the client, anything goes.
		{"unknown left of client", proxy, nil, []string{"for=unknown, for=198.51.100.1"}, "198.51.100.1"},
		{"malformed line left of client line", proxy, nil, []string{`for="x`, "for=198.51.100.1"}, "198.51.100.1"},
	})
}

func TestTrustedProxyKeyOtherHeader(t *testing.T) {
	key, err := TrustedProxyKey(TrustedProxies{CIDRs: []string{"127.0.0.1"}, Header: "x-real-ip"})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:9"
	r.Header.Set("X-Forwarded-For", "1.2.3.4")
	r.Header.Set("X-Real-IP", "198.51.100.1")
	if got := key(r); got != "198.51.100.1" {
		t.Errorf("X-Real-IP key = %q, want 198.51.100.1", got)
	}
	r.RemoteAddr = "127.0.0.2:9"
	if got := key(r); got != "127.0.0.2" {
		t.Errorf("untrusted connection: key = %q, want 127.0.0.2", got)
	}
}

func TestTrustedProxyKeyIPv6Prefix(t *testing.T) {
	cfg := TrustedProxies{CIDRs: []string{"10.0.0.0/8"}, IPv6Prefix: 64}
	runProxyCases(t, cfg, []proxyCase{
		{"ipv6 client grouped", "10.0.0.1:1", []string{"2001:db8:1:2:3:4:5:6"}, nil, "2001:db8:1:2::/64"},
		{"same /64, same key", "10.0.0.1:1", []string{"[2001:db8:1:2::99]:80"}, nil, "2001:db8:1:2::/64"},
		{"ipv4 client untouched", "10.0.0.1:1", []string{"198.51.100.1"}, nil, "198.51.100.1"},
		{"ipv4-mapped is ipv4", "10.0.0.1:1", []string{"::ffff:198.51.100.1"}, nil, "198.51.100.1"},
		{"untrusted ipv6 connection grouped", "[2001:db8:9::1]:1", []string{"198.51.100.1"}, nil, "2001:db8:9::/64"},
		{"fallback grouped too", "10.0.0.1:1", []string{"unknown"}, nil, "10.0.0.1"},
	})
}

func TestTrustedProxyKeyLongHeaderKeyIsCopied(t *testing.T) {
	key, err := TrustedProxyKey(TrustedProxies{CIDRs: []string{"10.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.1:1"
	line := strings.Repeat("1.2.3.4, ", 20) + "198.51.100.1"
	r.Header.Set("X-Forwarded-For", line)
	got := key(r)
	if got != "198.51.100.1" {
		t.Fatalf("key = %q, want 198.51.100.1", got)
	}
	start := uintptr(unsafe.Pointer(unsafe.StringData(line)))
	p := uintptr(unsafe.Pointer(unsafe.StringData(got)))
	if p >= start && p < start+uintptr(len(line)) {
		t.Errorf("key %q points into the %d-byte header line; want a copy", got, len(line))
	}
}

func TestTrustedProxyKeyErrors(t *testing.T) {
	tests := []struct {
		cfg  TrustedProxies
		want string
	}{
		{TrustedProxies{}, "no CIDRs, no hop count and no Unix sockets"},
		{TrustedProxies{CIDRs: []string{"10.0.0.0/33"}}, `bad CIDR "10.0.0.0/33"`},
		{TrustedProxies{CIDRs: []string{"banana"}}, `bad CIDR "banana"`},
		{TrustedProxies{CIDRs: []string{"10.0.0.0/8", " "}}, `empty CIDR in " "`},
		{TrustedProxies{CIDRs: []string{"fe80::1%eth0"}}, `bad CIDR "fe80::1%eth0": zones are not allowed`},
		{TrustedProxies{CIDRs: []string{"10.0.0.0/8"}, Hops: -1}, "hop count -1 is negative"},
		{TrustedProxies{Hops: 1, IPv6Prefix: 129}, "IPv6 prefix length 129 out of range"},
		{TrustedProxies{Hops: 1, IPv6Prefix: -64}, "IPv6 prefix length -64 out of range"},
		{TrustedProxies{Hops: 1, Header: "X Forwarded For"}, `invalid header name "X Forwarded For"`},
		{TrustedProxies{Hops: 1, Header: "X-Forwarded-For:"}, `invalid header name "X-Forwarded-For:"`},
		{TrustedProxies{Prefixes: []netip.Prefix{{}}}, "invalid prefix"},
	}
	for _, tt := range tests {
		key, err := TrustedProxyKey(tt.cfg)
		if err == nil || key != nil {
			t.Errorf("TrustedProxyKey(%+v) = %v, nil error; want error containing %q", tt.cfg, key != nil, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "runtime: ") {
			t.Errorf("TrustedProxyKey(%+v) error %q, want one starting \"runtime: \" containing %q", tt.cfg, err, tt.want)
		}
	}
}

func TestTrustedProxyKeyCopiesConfig(t *testing.T) {
	cidrs := []string{"10.0.0.0/8"}
	key, err := TrustedProxyKey(TrustedProxies{CIDRs: cidrs})
	if err != nil {
		t.Fatal(err)
	}
	cidrs[0] = "0.0.0.0/0"
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "203.0.113.5:1"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	if got := key(r); got != "203.0.113.5" {
		t.Errorf("after changing the caller's CIDRs, key = %q, want 203.0.113.5", got)
	}
}

func TestParseCIDRs(t *testing.T) {
	tests := []struct {
		in      string
		want    string // prefixes joined by " ", or the error fragment
		wantErr bool
	}{
		{"", "", false},
		{"  ", "", false},
		{"10.0.0.0/8", "10.0.0.0/8", false},
		{"10.0.0.0/8, 192.168.0.1 ,::1", "10.0.0.0/8 192.168.0.1/32 ::1/128", false},
		{"10.1.2.3/8", "10.0.0.0/8", false},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8", false},
		{"::ffff:10.0.0.1", "10.0.0.1/32", false},
		{"2001:db8::1/32", "2001:db8::/32", false},
		{"10.0.0.0/8,,192.168.0.0/16", `empty CIDR in ""`, true},
		{"10.0.0.0/8,", `empty CIDR in ""`, true},
		{"10.0.0.0/8, 300.0.0.0/8", `bad CIDR " 300.0.0.0/8"`, true},
		{"10.0.0.0/-1", `bad CIDR "10.0.0.0/-1"`, true},
		{"localhost", `bad CIDR "localhost"`, true},
	}
	for _, tt := range tests {
		got, err := ParseCIDRs(tt.in)
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseCIDRs(%q) error %v, want one containing %q", tt.in, err, tt.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseCIDRs(%q): %v", tt.in, err)
			continue
		}
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		if strings.Join(s, " ") != tt.want {
			t.Errorf("ParseCIDRs(%q) = %q, want %q", tt.in, s, tt.want)
		}
	}
}

func TestTrustedProxyKeyUnixSockets(t *testing.T) {
	// A proxy on the same host over a Unix socket, nothing else trusted:
	// the client is the last address it appended.
	runProxyCases(t, TrustedProxies{UnixSockets: true}, []proxyCase{
		{"unix proxy", "@", []string{"1.2.3.4, 198.51.100.1"}, nil, "198.51.100.1"},
		{"unix proxy, empty addr", "", []string{"198.51.100.1"}, nil, "198.51.100.1"},
		{"unix proxy, private client", "@", []string{"10.0.0.7"}, nil, "10.0.0.7"},
		{"unix proxy, no header", "@", nil, nil, "@"},
		{"unix proxy, garbage", "@", []string{"garbage"}, nil, "@"},
		{"ip connection not trusted", "10.0.0.1:1", []string{"198.51.100.1"}, nil, "10.0.0.1"},
	})
	// With CIDRs: the Unix-socket proxy, then trusted hops by address.
	runProxyCases(t, TrustedProxies{UnixSockets: true, CIDRs: []string{"10.0.0.0/8"}}, []proxyCase{
		{"unix then trusted hop", "@", []string{"198.51.100.1, 10.0.0.7"}, nil, "198.51.100.1"},
		{"trusted ip connection", "10.0.0.1:1", []string{"198.51.100.1"}, nil, "198.51.100.1"},
		{"untrusted ip connection", "203.0.113.5:1", []string{"198.51.100.1"}, nil, "203.0.113.5"},
	})
	// Without UnixSockets, a Unix connection is trusted only by Hops alone.
	runProxyCases(t, TrustedProxies{CIDRs: []string{"10.0.0.0/8"}}, []proxyCase{
		{"unix not trusted by cidrs", "@", []string{"198.51.100.1"}, nil, "@"},
	})
	runProxyCases(t, TrustedProxies{Hops: 1}, []proxyCase{
		{"unix trusted by hops alone", "@", []string{"1.2.3.4, 198.51.100.1"}, nil, "198.51.100.1"},
	})
}

func TestTrustedProxyKeyForwardedHops(t *testing.T) {
	runProxyCases(t, TrustedProxies{Hops: 2, Header: "Forwarded"}, []proxyCase{
		{"two proxies", "203.0.113.5:1", nil, []string{"for=1.2.3.4, for=198.51.100.1;proto=https, for=10.0.0.7"}, "198.51.100.1"},
		{"ipv6 client", "203.0.113.5:1", nil, []string{`for="[2001:db8::7]:4711", for=10.0.0.7`}, "2001:db8::7"},
		{"unknown at the client", "203.0.113.5:1", nil, []string{"for=unknown, for=10.0.0.7"}, "203.0.113.5"},
		{"xff not read", "203.0.113.5:1", []string{"1.2.3.4, 198.51.100.1, 10.0.0.7"}, nil, "203.0.113.5"},
	})
}
