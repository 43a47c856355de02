//go:build unix

package redis_test

import (
	"context"
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
type cpuMeter struct {
	c              *goredis.Client
	client, server time.Duration
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

func startCPU(b *testing.B, c *goredis.Client) *cpuMeter {
	return &cpuMeter{c: c, client: processCPU(), server: serverCPU(b, c)}
}

// report adds the metrics for the b.N operations since startCPU.
func (m *cpuMeter) report(b *testing.B) {
	client, server := processCPU()-m.client, serverCPU(b, m.c)-m.server
	b.ReportMetric(float64(client.Nanoseconds())/float64(b.N), "client-cpu-ns/op")
	b.ReportMetric(float64(server.Nanoseconds())/float64(b.N), "server-cpu-ns/op")
}
