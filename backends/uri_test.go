package backends_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

func TestParseURI(t *testing.T) {
	cases := []struct {
		in                 string
		scheme, user, pass string
		hosts              []string
		path               string
		redacted           string
	}{
		{"memory://", "memory", "", "", nil, "", "memory://"},
		{"Redis://127.0.0.1:6379/0", "redis", "", "", []string{"127.0.0.1:6379"}, "/0", "redis://127.0.0.1:6379/0"},
		{"redis://:p%40ss@h:1", "redis", "", "p@ss", []string{"h:1"}, "", "redis://:xxxxx@h:1"},
		{"redis://u%20x:pw@h:1/2?db=3", "redis", "u x", "pw", []string{"h:1"}, "/2", "redis://u%20x:xxxxx@h:1/2?db=3"},
		{"memcached://h1:1, h2:2,h3:3", "memcached", "", "", []string{"h1:1", "h2:2", "h3:3"}, "", "memcached://h1:1,h2:2,h3:3"},
		{"redis+unix:///tmp/redis.sock", "redis+unix", "", "", nil, "/tmp/redis.sock", "redis+unix:///tmp/redis.sock"},
		{"redis+sentinel://u:a@b@h:26379/mymaster", "redis+sentinel", "u", "a@b", []string{"h:26379"}, "/mymaster", "redis+sentinel://u:xxxxx@h:26379/mymaster"},
		{"etcd://user@h:2379", "etcd", "user", "", []string{"h:2379"}, "", "etcd://user@h:2379"},
		{"redis+sentinel://h:1/m?sentinel_password=s3&db=1", "redis+sentinel", "", "", []string{"h:1"}, "/m", "redis+sentinel://h:1/m?db=1&sentinel_password=xxxxx"},
		{"x://h:1?client_secret=s3&AuthToken=t0k&timeout=1s", "x", "", "", []string{"h:1"}, "", "x://h:1?AuthToken=xxxxx&client_secret=xxxxx&timeout=1s"},
	}
	for _, c := range cases {
		u, err := backends.ParseURI(c.in)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", c.in, err)
			continue
		}
		if u.Scheme != c.scheme || u.Username != c.user || u.Password != c.pass || !slices.Equal(u.Hosts, c.hosts) || u.Path != c.path {
			t.Errorf("ParseURI(%q) = %q %q %q %q %q, want %q %q %q %q %q", c.in,
				u.Scheme, u.Username, u.Password, u.Hosts, u.Path, c.scheme, c.user, c.pass, c.hosts, c.path)
		}
		if got := u.Redacted(); got != c.redacted {
			t.Errorf("ParseURI(%q).Redacted() = %q, want %q", c.in, got, c.redacted)
		}
	}
}

func TestParseURIErrors(t *testing.T) {
	for in, want := range map[string]string{
		"redis":                     "no scheme",
		"redis://u:s3cret@h1:1,,h2": "empty host",
		"redis://u:s3cret@h:1/%x":   "bad path",
		"redis://u%zz:s3cret@h:1":   "bad user name",
		"redis://u:s3%zzcret@h:1":   "bad password",
		"redis://u:s3cret@h:1?a=%z": "bad query",
	} {
		_, err := backends.ParseURI(in)
		if err == nil {
			t.Errorf("ParseURI(%q): no error", in)
			continue
		}
		if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "s3%zzcret") {
			t.Errorf("ParseURI(%q) = %v, want an error about %q that hides the password", in, err, want)
		}
	}
}

func TestURIParams(t *testing.T) {
	u, err := backends.ParseURI("redis://u:s3cret@h:1/0?pool=5&timeout=250ms&ssl=true&idle=1.5&name=a&name=b&extra=1&other=2")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := u.IntParam("pool", 1); n != 5 || err != nil {
		t.Errorf("IntParam(pool) = %d, %v", n, err)
	}
	if n, err := u.IntParam("absent", 7); n != 7 || err != nil {
		t.Errorf("IntParam(absent) = %d, %v; want the default", n, err)
	}
	if d, err := u.DurationParam("timeout", 0); d != 250*time.Millisecond || err != nil {
		t.Errorf("DurationParam(timeout) = %v, %v", d, err)
	}
	if d, err := u.DurationParam("idle", 0); d != 1500*time.Millisecond || err != nil {
		t.Errorf("DurationParam(idle) = %v, %v; want seconds", d, err)
	}
	if b, err := u.BoolParam("ssl", false); !b || err != nil {
		t.Errorf("BoolParam(ssl) = %v, %v", b, err)
	}
	if v, ok := u.Param("name"); v != "b" || !ok {
		t.Errorf("Param(name) = %q, %v; want the last value", v, ok)
	}
	err = u.CheckParams()
	if err == nil || !strings.Contains(err.Error(), "extra, other") || strings.Contains(err.Error(), "s3cret") ||
		!strings.Contains(err.Error(), "known for redis://: absent, idle, name, pool, ssl, timeout") {
		t.Errorf("CheckParams = %v; want extra and other named, the known ones listed, no password", err)
	}
	for name, read := range map[string]func(*backends.URI) error{
		"n": func(u *backends.URI) error { _, err := u.IntParam("n", 0); return err },
		"d": func(u *backends.URI) error { _, err := u.DurationParam("d", 0); return err },
		"b": func(u *backends.URI) error { _, err := u.BoolParam("b", false); return err },
	} {
		u, _ := backends.ParseURI("redis://u:s3cret@h:1?n=x1&d=-3&b=maybe")
		err := read(u)
		if err == nil || !strings.Contains(err.Error(), name+"=") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("bad parameter %s: %v; want an error quoting it without the password", name, err)
		}
	}
	for _, c := range []struct{ v, want string }{
		{"-1s", "negative"}, {"-0.5", "negative"}, {"1e30", "longer than a duration"},
		{"Inf", "longer than a duration"}, {"NaN", "not a duration"}, {"soon", "not a duration"},
	} {
		u, _ := backends.ParseURI("redis://h:1?timeout=" + c.v)
		if d, err := u.DurationParam("timeout", time.Second); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("timeout=%s: %v, %v; want an error saying %q", c.v, d, err, c.want)
		}
	}
	u, _ = backends.ParseURI("memory://?a=1")
	_, _ = u.Param("a")
	if err := u.CheckParams(); err != nil {
		t.Errorf("CheckParams after reading every parameter: %v", err)
	}
}
