//go:build unix

package runtime

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used (user + system), so
// benchmarks can report CPU per operation on a machine shared with other
// loads, where wall time per operation mostly measures waiting.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
