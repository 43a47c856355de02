package runtime

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

var benchKey string

func benchmarkKey(b *testing.B, key KeyFunc, remote string, header map[string]string) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = remote
	for k, v := range header {
		r.Header.Set(k, v)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := clientKeyCPU()
	for b.Loop() {
		benchKey = key(r)
	}
	reportClientKeyCPU(b, start)
}

func BenchmarkRemoteAddress(b *testing.B) {
	b.Run("ipv4", func(b *testing.B) { benchmarkKey(b, RemoteAddress, "192.0.2.1:51234", nil) })
	b.Run("ipv6", func(b *testing.B) { benchmarkKey(b, RemoteAddress, "[2001:db8:85a3::8a2e:370:7334]:51234", nil) })
}

func BenchmarkIPv6Prefix(b *testing.B) {
	key, err := IPv6Prefix(64, RemoteAddress)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ipv4", func(b *testing.B) { benchmarkKey(b, key, "192.0.2.1:51234", nil) })
	b.Run("ipv6", func(b *testing.B) { benchmarkKey(b, key, "[2001:db8:85a3::8a2e:370:7334]:51234", nil) })
}

func BenchmarkTrustedProxyKey(b *testing.B) {
	xff, err := TrustedProxyKey(TrustedProxies{CIDRs: []string{"10.0.0.0/8"}})
	if err != nil {
		b.Fatal(err)
	}
	fwd, err := TrustedProxyKey(TrustedProxies{CIDRs: []string{"10.0.0.0/8"}, Header: "Forwarded"})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("untrusted", func(b *testing.B) {
		benchmarkKey(b, xff, "203.0.113.5:1", map[string]string{"X-Forwarded-For": "198.51.100.1"})
	})
	b.Run("xff-2hops", func(b *testing.B) {
		benchmarkKey(b, xff, "10.0.0.1:1", map[string]string{"X-Forwarded-For": "1.2.3.4, 198.51.100.1, 10.0.0.7"})
	})
	b.Run("forwarded-2hops", func(b *testing.B) {
		benchmarkKey(b, fwd, "10.0.0.1:1", map[string]string{"Forwarded": `for=1.2.3.4, for=198.51.100.1;proto=https, for="10.0.0.7:80"`})
	})
}
