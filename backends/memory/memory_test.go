package memory_test

import (
	"testing"

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
