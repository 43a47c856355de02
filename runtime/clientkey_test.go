package runtime

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRemoteAddress(t *testing.T) {
	tests := []struct {
		remote string
		want   string
	}{
		{"192.0.2.1:1234", "192.0.2.1"},
		{"192.0.2.1:0", "192.0.2.1"},
		{"192.0.2.1:", "192.0.2.1"},
		{"192.0.2.1", "192.0.2.1"},
		{"[2001:db8::1]:1234", "2001:db8::1"},
		{"[2001:db8::1]", "2001:db8::1"},
		{"[2001:DB8:0:0::1]:1234", "2001:db8::1"},
		{"2001:db8::1", "2001:db8::1"},
		{"2001:DB8::1", "2001:db8::1"},
		{"[::1]:80", "::1"},
		{"[fe80::1%eth0]:80", "fe80::1%eth0"},
		{"fe80::1%eth0", "fe80::1%eth0"},
		{"[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{"[::FFFF:192.0.2.1]:80", "192.0.2.1"},
		{"[::ffff:c000:201]:80", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"example.com:80", "example.com"},
		{"@", "@"},
		{"", ""},
		// Malformed: kept whole rather than guessed at.
		{"[2001:db8::1", "[2001:db8::1"},
		{"[2001:db8::1]x", "[2001:db8::1]x"},
		{"[2001:db8::1]:8x", "[2001:db8::1]:8x"},
		{"[]:80", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.remote
		r.Header.Set("X-Forwarded-For", "203.0.113.9")
		r.Header.Set("Forwarded", "for=203.0.113.9")
		r.Header.Set("X-Real-Ip", "203.0.113.9")
		if got := RemoteAddress(r); got != tt.want {
			t.Errorf("RemoteAddress(RemoteAddr=%q) = %q, want %q", tt.remote, got, tt.want)
		}
	}
}

func TestRemoteAddressAllocs(t *testing.T) {
	for _, remote := range []string{"192.0.2.1:1234", "[2001:db8::1]:1234", "[fe80::1%eth0]:80", "[::ffff:192.0.2.1]:80", "192.0.2.1"} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		if n := testing.AllocsPerRun(100, func() { _ = RemoteAddress(r) }); n != 0 {
			t.Errorf("RemoteAddress(RemoteAddr=%q) allocates %v times per call, want 0", remote, n)
		}
	}
}
