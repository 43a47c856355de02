package redis_test

import (
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// TestConformance runs the shared suite on the single server, the cluster
// and the sentinel set in client-clock mode (tables over instants, Redis
// keeps time in microseconds), and on the single server in server-clock
// mode (real-time cases), coalescing decisions (the default) and sending
// each on its own connection (pipelines=0).
func TestConformance(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			backendtest.ServerURI(t, mode)
			backendtest.Run(t, func(t *testing.T) backends.Storage {
				return open(t, mode, "clock=client")
			})
		})
	}
	t.Run("LIMITGEN_REDIS_URI/server-clock", func(t *testing.T) {
		backendtest.ServerURI(t, "LIMITGEN_REDIS_URI")
		backendtest.Run(t, func(t *testing.T) backends.Storage {
			return open(t, "LIMITGEN_REDIS_URI")
		}, backendtest.WithGranularity(time.Millisecond))
	})
	t.Run("LIMITGEN_REDIS_URI/server-clock/pipelines=0", func(t *testing.T) {
		backendtest.ServerURI(t, "LIMITGEN_REDIS_URI")
		backendtest.Run(t, func(t *testing.T) backends.Storage {
			return open(t, "LIMITGEN_REDIS_URI", "pipelines=0")
		}, backendtest.WithGranularity(time.Millisecond))
	})
}
