package memory_test

import (
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	_ "github.com/limitgen/limitgen/backends/memory"
)

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backends.Storage {
		s, err := backends.Open("memory://")
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestConformanceCapped(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backends.Storage {
		s, err := backends.Open("memory://?max_keys=100000")
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestConformanceRealTime runs the suite's variant for storages that keep
// their own clock: the memory store follows Request.Now, which the suite
// then sets to the current time, so the real-time cases hold for it too.
func TestConformanceRealTime(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backends.Storage {
		s, err := backends.Open("memory://")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, backendtest.WithServerClock(true), backendtest.WithConcurrency(3), backendtest.WithGranularity(200*time.Millisecond))
}
