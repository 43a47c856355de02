package mongodb_test

import (
	"testing"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// TestConformance runs the shared suite, every strategy at nanosecond
// precision on the application's clock, 8 goroutines at once (through one
// connection on FerretDB, see serverParams), and a server that does not
// answer.
func TestConformance(t *testing.T) {
	serverURI(t)
	backendtest.Run(t, func(t *testing.T) backends.Storage {
		return open(t)
	}, backendtest.WithUnreachable("mongodb://limitgen:s3cret-unreachable@127.0.0.1:1/?serverSelectionTimeoutMS=100&timeout=2s"))
}
