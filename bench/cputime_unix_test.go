//go:build unix

package bench

import (
	"syscall"
	"testing"
)

// cpuClock measures the CPU time (user + system, all threads, so garbage
// collection included) the process spends during a benchmark. On a shared
// machine wall-clock ns/op also counts the time the benchmark waited for a
// CPU; cpu-ns/op does not, so it stays comparable under load.
type cpuClock struct{ start int64 }

func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// startCPU is called right after b.ResetTimer.
func startCPU() cpuClock { return cpuClock{start: processCPU()} }

// report adds the cpu-ns/op metric; call it before b.StopTimer.
func (c cpuClock) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-c.start)/float64(b.N), "cpu-ns/op")
	}
}
