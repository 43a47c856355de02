package backends_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

func TestTLSParams(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(notPEM, []byte("hello"), 0o600)

	parse := func(uri string) *backends.URI {
		u, err := backends.ParseURI(uri)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	u := parse("x://u:s3cret@h:1?ca=" + ca + "&server_name=db.internal")
	c, err := u.TLSParams(true, "xs://")
	if err != nil || c == nil || c.RootCAs == nil || c.ServerName != "db.internal" || c.InsecureSkipVerify {
		t.Fatalf("TLSParams with a CA = %+v, %v", c, err)
	}
	if err := u.CheckParams(); err != nil {
		t.Errorf("TLSParams left parameters unread: %v", err)
	}
	if c, err := parse("x://h:1").TLSParams(false, "xs://"); c != nil || err != nil {
		t.Errorf("no TLS, no parameters = %v, %v; want nil, nil", c, err)
	}
	for _, tc := range []struct {
		uri    string
		useTLS bool
		want   string
	}{
		{"x://u:s3cret@h:1?ca=" + ca, false, "TLS parameters need xs://"},
		{"x://u:s3cret@h:1?insecure_skip_verify=true", false, "TLS parameters need xs://"},
		{"x://u:s3cret@h:1?ca=" + notPEM, true, "holds no PEM certificate"},
		{"x://u:s3cret@h:1?ca=" + filepath.Join(dir, "missing.pem"), true, "ca: "},
		{"x://u:s3cret@h:1?cert=" + ca, true, "cert= and key= go together"},
		{"x://u:s3cret@h:1?cert=" + ca + "&key=" + notPEM, true, "client certificate"},
		{"x://u:s3cret@h:1?insecure_skip_verify=maybe", true, "not a boolean"},
	} {
		_, err := parse(tc.uri).TLSParams(tc.useTLS, "xs://")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s (TLS %v): %v; want an error containing %q, without the password", tc.uri, tc.useTLS, err, tc.want)
		}
	}
}
