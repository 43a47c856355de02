package etcd_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// TestTLS opens an etcds:// storage on the etcd server that requires
// client certificates, named by LIMITGEN_ETCD_TLS_URI
// ("etcds://127.0.0.1:P?ca=CA&cert=CRT&key=KEY"), decides on it, and checks
// that without the client certificate every call fails.
func TestTLS(t *testing.T) {
	uri := backendtest.ServerURI(t, "LIMITGEN_ETCD_TLS_URI")
	st, err := backends.Open(backendtest.URIWithParams(uri, "prefix="+backendtest.UniquePrefix(t), "timeout=10s"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping over TLS: %v", err)
	}
	l := limit("tls", "1 per 1h", 1, time.Hour)
	res := make([]backends.Result, 1)
	for i, want := range []bool{true, false} {
		ok, err := st.Hit(ctx, &backends.Request{Now: t0, Limits: []backends.Limit{l}}, res)
		if err != nil || ok != want {
			t.Fatalf("Hit %d over TLS: %v, %v; want %v", i, ok, err, want)
		}
	}

	// Without the client certificate the server refuses the connection.
	u, err := backends.ParseURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := u.Param("ca")
	noCert, err := backends.Open("etcds://" + strings.Join(u.Hosts, ",") + "?timeout=500ms&ca=" + ca)
	if err != nil {
		t.Fatal(err)
	}
	defer noCert.Close()
	if err := noCert.Ping(ctx); err == nil {
		t.Error("Ping without a client certificate: no error")
	}
	// A plain etcd:// URI cannot talk to a TLS server.
	plain, err := backends.Open("etcd://" + strings.Join(u.Hosts, ",") + "?timeout=500ms")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if err := plain.Ping(ctx); err == nil {
		t.Error("Ping over plain gRPC to a TLS server: no error")
	}
}
