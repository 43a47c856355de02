package redis_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// helperEnv tells a re-executed test binary to act as one application
// process of TestTwoProcesses.
const helperEnv = "LIMITGEN_REDIS_HELPER_PROCESS"

// hammer hits one limit from g goroutines × n hits and returns how many
// were admitted.
func hammer(st backends.Storage, s backends.Strategy, l backends.Limit, g, n int) (int64, error) {
	var admitted atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range g {
		wg.Go(func() {
			res := make([]backends.Result, 1)
			for range n {
				ok, err := st.Hit(context.Background(), &backends.Request{Strategy: s, Now: time.Now(), Limits: []backends.Limit{l}}, res)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				if ok {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return admitted.Load(), nil
}

// TestHelperProcess is not a test: it is the second application process
// of TestTwoProcesses, started by re-executing the test binary.
func TestHelperProcess(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		return // only a helper of TestTwoProcesses
	}
	// spec: uri|strategy|key|amount|goroutines|hits
	f := strings.Split(spec, "|")
	s, _ := backends.ParseStrategy(f[1])
	amount, _ := strconv.ParseInt(f[3], 10, 64)
	g, _ := strconv.Atoi(f[4])
	n, _ := strconv.Atoi(f[5])
	st, err := backends.Open(f[0])
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	if err := st.Ping(context.Background()); err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	// Wait for the parent's go, so both processes hit at the same time.
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	got, err := hammer(st, s, backends.Limit{Key: f[2], Amount: amount, Window: time.Hour, Cost: 1}, g, n)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	fmt.Printf("admitted=%d\n", got)
	os.Exit(0)
}

// TestTwoProcesses: two OS processes (this one and a re-executed copy),
// each with 8 goroutines, share one limit through one Redis and together
// admit exactly the limit, for every strategy and server set-up.
func TestTwoProcesses(t *testing.T) {
	const amount, g, n = 2000, 8, 400 // 2 × 3200 attempts for 2000 places
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			uri := backendtest.URIWithParams(backendtest.ServerURI(t, mode), "prefix="+backendtest.UniquePrefix(t))
			st, err := backends.Open(uri)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
			for _, s := range backends.Strategies() {
				key := backends.Key("L", "shared-"+s.String(), "s", "2000 per 1 hour")
				cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
				cmd.Env = append(os.Environ(), helperEnv+"="+strings.Join([]string{uri, s.String(), key, strconv.Itoa(amount), strconv.Itoa(g), strconv.Itoa(n)}, "|"))
				stdin, err := cmd.StdinPipe()
				if err != nil {
					t.Fatal(err)
				}
				stdout, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				var out strings.Builder
				lines := bufio.NewScanner(stdout)
				for lines.Scan() && lines.Text() != "ready" {
					out.WriteString(lines.Text() + "\n")
				}
				io.WriteString(stdin, "go\n")
				done := make(chan struct{})
				go func() {
					for lines.Scan() {
						out.WriteString(lines.Text() + "\n")
					}
					close(done)
				}()
				mine, err := hammer(st, s, backends.Limit{Key: key, Amount: amount, Window: time.Hour, Cost: 1}, g, n)
				<-done
				werr := cmd.Wait()
				if err != nil {
					t.Fatal(err)
				}
				if werr != nil {
					t.Fatalf("%v: helper process: %v\n%s", s, werr, out.String())
				}
				var theirs int64
				for _, line := range strings.Split(out.String(), "\n") {
					if v, ok := strings.CutPrefix(line, "admitted="); ok {
						theirs, _ = strconv.ParseInt(v, 10, 64)
					}
				}
				if mine+theirs != amount || theirs == 0 || mine == 0 {
					t.Errorf("%v: admitted %d here + %d in the other process = %d, want exactly %d with both taking part", s, mine, theirs, mine+theirs, amount)
				}
			}
		})
	}
}
