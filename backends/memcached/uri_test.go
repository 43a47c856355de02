package memcached_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/memcached"
)

func TestSchemeRegistered(t *testing.T) {
	if !slices.Contains(backends.Schemes(), "memcached") {
		t.Fatalf("schemes %v lack memcached", backends.Schemes())
	}
}

// TestOpenErrors: every malformed URI is refused with an error that names
// the problem and never shows a password.
func TestOpenErrors(t *testing.T) {
	cases := []struct{ uri, want string }{
		{"memcached://127.0.0.1:11211?colour=blue", "unknown parameter(s) colour"},
		{"memcached://127.0.0.1:11211?timeout=soon", `timeout="soon" is not a duration`},
		{"memcached://127.0.0.1:11211?timeout=0", "needs a positive bound"},
		{"memcached://127.0.0.1:11211?timeout=-1s", `timeout="-1s" is negative`},
		{"memcached://127.0.0.1:11211?max_idle_conns=many", "not an integer"},
		{"memcached://127.0.0.1:11211?max_idle_conns=-1", "max_idle_conns=-1 is negative"},
		{"memcached://127.0.0.1:11211?max_item_size=100", "max_item_size=100 is below 1024"},
		{"memcached://127.0.0.1:11211?prefix=a%20b", "spaces or control characters"},
		{"memcached://127.0.0.1:11211?prefix=" + strings.Repeat("p", 65), "longer than 64 bytes"},
		{"memcached://app:s3cret@127.0.0.1:11211", "no authentication"},
		{"memcached://:s3cret@127.0.0.1:11211", "no authentication"},
		{"memcached://127.0.0.1:11211/3", "no databases"},
		{"memcached://", "no host:port"},
		{"memcached://127.0.0.1:11211,bad:port:x", "memcached: storage URI"},
	}
	for _, c := range cases {
		st, err := backends.Open(c.uri)
		if err == nil {
			st.Close()
			t.Errorf("Open(%q): no error, want one containing %q", c.uri, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q) = %v, want an error containing %q", c.uri, err, c.want)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q): the error reveals the password: %v", c.uri, err)
		}
	}
}

// TestOpenParams: the documented parameters are accepted (opening does not
// connect).
func TestOpenParams(t *testing.T) {
	st, err := backends.Open("memcached://127.0.0.1:1,127.0.0.1:2?prefix=app:&timeout=250ms&max_idle_conns=32&max_item_size=4096")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	c := memcache.New("127.0.0.1:1")
	for _, c := range []struct {
		client *memcache.Client
		o      memcached.Options
		want   string
	}{
		{nil, memcached.Options{}, "nil client"},
		{c, memcached.Options{Timeout: -time.Second}, "negative timeout"},
		{c, memcached.Options{MaxItemSize: -1}, "negative item size"},
		{c, memcached.Options{Prefix: "a\nb"}, "control characters"},
	} {
		if _, err := memcached.New(c.client, c.o); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "memcached: ") {
			t.Errorf("New(%+v): %v, want an error about %s", c.o, err, c.want)
		}
	}
	st, err := memcached.New(c, memcached.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := st.Close(); !errors.Is(err, backends.ErrClosed) {
		t.Errorf("second Close: %v, want ErrClosed", err)
	}
}
