package memcached_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// TestUnixSocket: memcached:///path.sock reaches a server on a Unix
// socket. The test starts its own memcached there (the services script
// runs TCP servers only) and stops it by its process.
func TestUnixSocket(t *testing.T) {
	serverURI(t) // the services are up, so memcached is installed
	bin, err := exec.LookPath("memcached")
	if err != nil {
		t.Skip("no memcached binary: ", err)
	}
	sock := filepath.Join(t.TempDir(), "mc.sock")
	args := []string{"-s", sock, "-m", "8"}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "root")
	}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatal("memcached did not create its socket")
		}
	}
	st, err := backends.Open("memcached://" + sock + "?timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	l := limit("unix", "2", 2, time.Minute)
	for i, want := range []bool{true, true, false} {
		if ok, _ := hit(t, st, backends.MovingWindow, t0, l); ok != want {
			t.Errorf("hit %d over the socket: %v, want %v", i, ok, want)
		}
	}
}
