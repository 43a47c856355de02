package backendtest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// ServerURI returns the URI of a test server that scripts/services wrote
// to the environment variable name (LIMITGEN_REDIS_URI, LIMITGEN_ETCD_URI,
// …). When it is unset the test is skipped with a message saying how to
// start the servers, unless CI=true: there a missing server fails the test,
// so a CI run never passes by skipping.
func ServerURI(t testing.TB, name string) string {
	t.Helper()
	if v := os.Getenv(name); v != "" {
		return v
	}
	msg := name + " is not set: start the servers with scripts/services start and eval \"$(scripts/services env)\", or run every test with scripts/test"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// UniquePrefix returns a key prefix that no other test or run uses on a
// shared server: "test-", the test's name, random hex digits and "/".
func UniquePrefix(t testing.TB) string {
	var b [6]byte
	rand.Read(b[:])
	return "test-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + hex.EncodeToString(b[:]) + "/"
}

// URIWithParams returns uri with the query parameters params ("name=value",
// already escaped) appended.
func URIWithParams(uri string, params ...string) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	for _, p := range params {
		uri += sep + p
		sep = "&"
	}
	return uri
}
