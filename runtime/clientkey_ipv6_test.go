package runtime

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestIPv6Prefix(t *testing.T) {
	tests := []struct {
		bits   int
		remote string
		want   string
	}{
		{64, "[2001:db8:1:2:3:4:5:6]:80", "2001:db8:1:2::/64"},
		{64, "[2001:db8:1:2::ffff]:80", "2001:db8:1:2::/64"},
		{64, "[2001:db8:1:3::1]:80", "2001:db8:1:3::/64"},
		{56, "[2001:db8:1:2ff::1]:80", "2001:db8:1:200::/56"},
		{48, "[2001:DB8:1:2::1]:80", "2001:db8:1::/48"},
		{1, "[2001:db8::1]:80", "::/1"},
		{128, "[2001:db8::1]:80", "2001:db8::1/128"},
		{64, "[fe80::1:2:3:4%eth0]:80", "fe80::/64"},
		{64, "192.0.2.1:80", "192.0.2.1"},
		{64, "[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{64, "@", "@"},
		{64, "", ""},
	}
	for _, tt := range tests {
		key, err := IPv6Prefix(tt.bits, nil)
		if err != nil {
			t.Fatalf("IPv6Prefix(%d, nil): %v", tt.bits, err)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.remote
		if got := key(r); got != tt.want {
			t.Errorf("IPv6Prefix(%d) of RemoteAddr %q = %q, want %q", tt.bits, tt.remote, got, tt.want)
		}
	}
}

func TestIPv6PrefixNext(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"user:42", "user:42"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"::ffff:c000:201", "192.0.2.1"},
		{"2001:db8::1", "2001:db8::/32"},
		{"192.0.2.1", "192.0.2.1"},
		{"", ""},
	} {
		key, err := IPv6Prefix(32, func(*http.Request) string { return tt.in })
		if err != nil {
			t.Fatal(err)
		}
		if got := key(httptest.NewRequest(http.MethodGet, "/", nil)); got != tt.want {
			t.Errorf("IPv6Prefix(32) of key %q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIPv6PrefixErrors(t *testing.T) {
	for _, bits := range []int{0, -1, 129, 1 << 20} {
		key, err := IPv6Prefix(bits, nil)
		if err == nil || key != nil {
			t.Errorf("IPv6Prefix(%d) gave no error", bits)
			continue
		}
		if !strings.HasPrefix(err.Error(), "runtime: ") || !strings.Contains(err.Error(), "length "+strconv.Itoa(bits)+" ") {
			t.Errorf("IPv6Prefix(%d) error %q does not quote the value", bits, err)
		}
	}
}
