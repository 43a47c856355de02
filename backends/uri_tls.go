package backends

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// TLSParams reads the TLS parameters every storage spells alike: ca= (a
// PEM file of the certificates that may sign the server's), cert= and key=
// (the client's certificate and key, PEM files, together), server_name=
// and insecure_skip_verify= (default false). When useTLS is false it
// returns nil, and any of these parameters is an error, since it would be
// ignored; need says what turns TLS on ("rediss://", "etcds:// or
// tls=true"). The configuration asks for TLS 1.2 at least.
func (u *URI) TLSParams(useTLS bool, need string) (*tls.Config, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("backends: storage URI %q: "+format, append([]any{u.Redacted()}, args...)...)
	}
	ca, hasCA := u.Param("ca")
	cert, hasCert := u.Param("cert")
	key, hasKey := u.Param("key")
	serverName, hasName := u.Param("server_name")
	skip, err := u.BoolParam("insecure_skip_verify", false)
	if err != nil {
		return nil, err
	}
	if !useTLS {
		if hasCA || hasCert || hasKey || hasName || skip {
			return nil, bad("TLS parameters need %s", need)
		}
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName, InsecureSkipVerify: skip}
	if hasCA {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, bad("ca: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, bad("ca=%q holds no PEM certificate", ca)
		}
		c.RootCAs = pool
	}
	if hasCert != hasKey {
		return nil, bad("cert= and key= go together")
	}
	if hasCert {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, bad("client certificate: %v", err)
		}
		c.Certificates = []tls.Certificate{pair}
	}
	return c, nil
}
