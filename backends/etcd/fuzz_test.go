package etcd_test

import (
	"strings"
	"testing"

	"github.com/limitgen/limitgen/backends/etcd"
)

// FuzzParseURI: any text after the credentials parses or fails without
// panicking, and an error never shows the password.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		"127.0.0.1:2379",
		"h1:1,h2:2?prefix=p/&timeout=2s&dial_timeout=1",
		"h:1?tls=true&server_name=x&insecure_skip_verify=1",
		"h:1/path?ca=/nope",
		"h:1?timeout=%zz",
		",?",
	} {
		f.Add(s)
	}
	const secret = "Pw0rd-fuzz-Z"
	f.Fuzz(func(t *testing.T, rest string) {
		for _, scheme := range []string{"etcd", "etcds"} {
			_, _, err := etcd.ParseURI(scheme + "://u:" + secret + "@" + rest)
			if err != nil && strings.Contains(err.Error(), secret) && !strings.Contains(rest, secret) {
				t.Fatalf("error reveals the password: %v", err)
			}
		}
	})
}
