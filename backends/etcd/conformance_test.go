package etcd_test

import (
	"testing"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// TestConformance runs the shared suite on the etcd server: every strategy,
// on the client's clock to the nanosecond, and errors (never decisions)
// from a server that is gone, without revealing the password. The timeout
// is raised from 1s to 10s: the concurrency cases queue 8 goroutines behind
// one client lock, and on a loaded test machine one etcd write can take a
// few hundred milliseconds.
func TestConformance(t *testing.T) {
	serverURI(t)
	backendtest.Run(t, func(t *testing.T) backends.Storage {
		return open(t, "timeout=10s")
	}, backendtest.WithUnreachable("etcd://app:s3cret@127.0.0.1:1?timeout=300ms&dial_timeout=300ms"))
}
