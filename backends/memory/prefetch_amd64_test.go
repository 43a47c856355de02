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
	agrees, listed := cpuinfoAgrees(string(info), hasPrefetchW)
	if !listed {
		t.Logf("/proc/cpuinfo lists no flags; hasPrefetchW = %v", hasPrefetchW)
		return
	}
	if !agrees {
		t.Errorf("hasPrefetchW = %v, but /proc/cpuinfo disagrees about 3dnowprefetch", hasPrefetchW)
	}
}

// cpuinfoAgrees reports whether the first CPU that Linux's /proc/cpuinfo
// text lists agrees with has, a CPUID reading of PREFETCHW, and whether
// it lists flags at all. Linux's 3dnowprefetch flag is the CPUID bit, but
// Linux also sets it for an AMD CPU with 3DNow! or long mode whose CPUID
// does not report it ("3DNow or LM implies PREFETCHW", in
// arch/x86/kernel/cpu/amd.c), as QEMU's default model, qemu64, does not.
func cpuinfoAgrees(cpuinfo string, has bool) (agrees, listed bool) {
	var vendor, flags string
	for line := range strings.Lines(cpuinfo) {
		if strings.HasPrefix(line, "vendor_id") && vendor == "" {
			vendor = line
		}
		if strings.HasPrefix(line, "flags") {
			flags = line + " " // each flag then ends with a space
			break
		}
	}
	if flags == "" {
		return false, false
	}
	linux := strings.Contains(flags, " 3dnowprefetch ")
	implied := strings.Contains(vendor, "AuthenticAMD") && (strings.Contains(flags, " lm ") || strings.Contains(flags, " 3dnow "))
	return linux == has || linux && implied, true
}

// TestCpuinfoAgrees checks cpuinfoAgrees on what Linux lists for an Intel
// CPU with and without PREFETCHW and for a QEMU guest whose AMD model does
// not report it, where Linux lists the flag anyway.
func TestCpuinfoAgrees(t *testing.T) {
	const (
		intel     = "vendor_id\t: GenuineIntel\nflags\t\t: fpu sse2 lm 3dnowprefetch avx2\n"
		oldIntel  = "vendor_id\t: GenuineIntel\nflags\t\t: fpu sse2 lm avx2\n"
		qemuGuest = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 syscall nx lm rep_good nopl cpuid pni cx16 hypervisor lahf_lm svm 3dnowprefetch vmmcall\n"
	)
	for _, c := range []struct {
		name, cpuinfo string
		has, want     bool
	}{
		{"Intel with it", intel, true, true},
		{"Intel with it, CPUID says not", intel, false, false},
		{"Intel without it", oldIntel, false, true},
		{"Intel without it, CPUID says so", oldIntel, true, false},
		{"QEMU's AMD model, CPUID says not", qemuGuest, false, true},
		{"QEMU's AMD model, CPUID says so", qemuGuest, true, true},
	} {
		if agrees, listed := cpuinfoAgrees(c.cpuinfo, c.has); agrees != c.want || !listed {
			t.Errorf("%s: agrees = %v, listed = %v; want %v, true", c.name, agrees, listed, c.want)
		}
	}
}
