package etcd_test

import (
	"testing"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// TestConformance runs the shared suite on the etcd server: every strategy,
// on the client's clock to the nanosecond, and errors (never decisions)
// from a server that is gone, without revealing the password.
func TestConformance(t *testing.T) {
	serverURI(t)
	backendtest.Run(t, func(t *testing.T) backends.Storage {
		return open(t)
	}, backendtest.WithUnreachable("etcd://127.0.0.1:1?timeout=300ms"))
}
