package memcached_test

import (
	"testing"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// TestConformance runs the shared suite on the two test servers, every
// strategy, with nanosecond windows (decisions follow Request.Now; only
// the items' lifetimes are in seconds), and against a closed port for the
// "server gone" errors.
func TestConformance(t *testing.T) {
	serverURI(t)
	backendtest.Run(t, func(t *testing.T) backends.Storage {
		return open(t)
	}, backendtest.WithUnreachable("memcached://127.0.0.1:1?timeout=200ms"))
}
