//go:build unix

package runtime

import (
	"syscall"
	"testing"
)

// clientKeyCPU returns the process's CPU time (user + system, all threads)
// in nanoseconds, so that the client-key benchmarks can report cpu-ns/op:
// on a shared machine wall-clock ns/op also counts waiting for a CPU.
func clientKeyCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func reportClientKeyCPU(b *testing.B, start int64) {
	if b.N > 0 {
		b.ReportMetric(float64(clientKeyCPU()-start)/float64(b.N), "cpu-ns/op")
	}
}
