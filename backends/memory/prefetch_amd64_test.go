//go:build !purego

package memory

import (
	"os"
	"strings"
	"testing"
)

// TestHasPrefetchWAgreesWithLinux checks the CPUID reading against the
// kernel's own (the 3dnowprefetch flag in /proc/cpuinfo), where there is
// one to compare with.
func TestHasPrefetchWAgreesWithLinux(t *testing.T) {
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Logf("no /proc/cpuinfo to compare with (%v); hasPrefetchW = %v", err, hasPrefetchW)
		return
	}
	var flags string
	for line := range strings.Lines(string(info)) {
		if strings.HasPrefix(line, "flags") {
			flags = line
			break
		}
	}
	if flags == "" {
		t.Logf("/proc/cpuinfo lists no flags; hasPrefetchW = %v", hasPrefetchW)
		return
	}
	if linux := strings.Contains(flags, " 3dnowprefetch"); linux != hasPrefetchW {
		t.Errorf("hasPrefetchW = %v, but /proc/cpuinfo says 3dnowprefetch: %v", hasPrefetchW, linux)
	}
}
