package mongodb_test

import (
	"strings"
	"testing"

	"github.com/limitgen/limitgen/backends"
)

// FuzzOpen: no mongodb:// URI makes Open panic, and no error shows the
// password. The fuzzer writes what follows "mongodb://user:PASSWORD@"
// (mongodb+srv is left out, since opening one looks up DNS).
func FuzzOpen(f *testing.F) {
	const secret = "Zq9-s3cret-Xk"
	for _, s := range []string{
		"127.0.0.1:1/",
		"127.0.0.1:1/db?maxPoolSize=x&timeout=1s",
		"h1:1,h2:2/db?replicaSet=rs&w=majority&colour=1",
		"127.0.0.1:1/?authMechanism=PLAIN&authSource=$external",
		"127.0.0.1:1/?tlsCertificateKeyFilePassword=x&tls=maybe",
		"/",
		"[::1]:1/a/b",
		"127.0.0.1:1/?sweep=-1&prefix=%zz",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		if strings.Contains(rest, secret) {
			return // shown as a host or a parameter, not as the password
		}
		uri := "mongodb://user:" + secret + "@" + rest
		st, err := backends.Open(uri)
		if err != nil {
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("Open(%q): the error shows the password: %v", uri, err)
			}
			return
		}
		st.Close()
	})
}
