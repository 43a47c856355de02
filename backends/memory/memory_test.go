package memory_test

import (
	"context"
	"fmt"
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

// fixedOnly is a storage that supports only the fixed window, to exercise
// the suite's WithStrategies knob.
type fixedOnly struct{ backends.Storage }

func (f fixedOnly) Hit(ctx context.Context, req *backends.Request, res []backends.Result) (bool, error) {
	if req.Strategy != backends.FixedWindow {
		return false, fmt.Errorf("fixedonly: strategy %v is not supported", req.Strategy)
	}
	return f.Storage.Hit(ctx, req, res)
}

func (f fixedOnly) Test(ctx context.Context, req *backends.Request, res []backends.Result) (bool, error) {
	if req.Strategy != backends.FixedWindow {
		return false, fmt.Errorf("fixedonly: strategy %v is not supported", req.Strategy)
	}
	return f.Storage.Test(ctx, req, res)
}

func TestConformanceSomeStrategies(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backends.Storage {
		s, err := backends.Open("memory://")
		if err != nil {
			t.Fatal(err)
		}
		return fixedOnly{s}
	}, backendtest.WithStrategies(backends.FixedWindow), backendtest.WithKeyPrefix("fixed-only"), backendtest.WithConcurrency(2))
}
