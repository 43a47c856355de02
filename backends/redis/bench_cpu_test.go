//go:build unix

package redis_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// cpuMeter measures the CPU time a benchmark costs the client process and
// the Redis server, so that it can report client-cpu-ns/op and
// server-cpu-ns/op: on a shared machine these vary far less than ns/op,
// and their sum bounds the throughput when client and server share cores.
// It also reports exec-ns/op: the time the server spent executing the
// benchmark's commands (cmds, by INFO commandstats), without reading,
// parsing or writing them. It is the least noisy of the figures and the
// one a script's changes move: a script's commands run inside it.
type cpuMeter struct {
	c              *goredis.Client
	cmds           []string
	client, server time.Duration
	exec           time.Duration
}

// processCPU returns the user+system CPU time of this process so far.
func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// serverCPU returns the user+system CPU time of the Redis server so far,
// from INFO cpu (microsecond resolution).
func serverCPU(b *testing.B, c *goredis.Client) time.Duration {
	info, err := c.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for line := range strings.Lines(info) {
		name, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || (name != "used_cpu_sys" && name != "used_cpu_user") {
			continue
		}
		s, err := strconv.ParseFloat(v, 64)
		if err != nil {
			b.Fatalf("INFO cpu: %s is %q", name, v)
		}
		total += time.Duration(s * 1e9)
	}
	return total
}

// commandTime returns the time the server has spent executing the
// commands named cmds (lower case, e.g. "evalsha") since its statistics
// were last reset, from INFO commandstats (microsecond resolution).
func commandTime(b *testing.B, c *goredis.Client, cmds []string) time.Duration {
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for line := range strings.Lines(info) {
		name, stats, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !slices.Contains(cmds, strings.TrimPrefix(name, "cmdstat_")) {
			continue
		}
		for field := range strings.SplitSeq(stats, ",") {
			if v, ok := strings.CutPrefix(field, "usec="); ok {
				us, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					b.Fatalf("INFO commandstats: %s has usec=%q", name, v)
				}
				total += time.Duration(us) * time.Microsecond
			}
		}
	}
	return total
}

// startCPU starts measuring; cmds are the commands whose execution time
// exec-ns/op counts: the benchmark's own, not those its scripts call.
func startCPU(b *testing.B, c *goredis.Client, cmds ...string) *cpuMeter {
	return &cpuMeter{c: c, cmds: cmds, client: processCPU(), server: serverCPU(b, c), exec: commandTime(b, c, cmds)}
}

// report adds the metrics for the b.N operations since startCPU.
func (m *cpuMeter) report(b *testing.B) {
	client, server := processCPU()-m.client, serverCPU(b, m.c)-m.server
	exec := commandTime(b, m.c, m.cmds) - m.exec
	b.ReportMetric(float64(client.Nanoseconds())/float64(b.N), "client-cpu-ns/op")
	b.ReportMetric(float64(server.Nanoseconds())/float64(b.N), "server-cpu-ns/op")
	b.ReportMetric(float64(exec.Nanoseconds())/float64(b.N), "exec-ns/op")
}
