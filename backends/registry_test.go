package backends_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/backends"
	_ "github.com/limitgen/limitgen/backends/memory"
)

func TestRegisterPanics(t *testing.T) {
	open := func(*backends.URI) (backends.Storage, error) { return nil, nil }
	backends.Register("test+dup", open)
	for name, f := range map[string]func(){
		"duplicate":  func() { backends.Register("test+dup", open) },
		"nil opener": func() { backends.Register("test+nil", nil) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("Register with %s did not panic", name)
				} else if !strings.Contains(r.(string), "test+") {
					t.Errorf("Register with %s: panic %q does not name the scheme", name, r)
				}
			}()
			f()
		}()
	}
	if s := backends.Schemes(); !slices.Contains(s, "test+dup") || !slices.Contains(s, "memory") || !slices.IsSorted(s) {
		t.Errorf("Schemes() = %v, want sorted, with memory and test+dup", s)
	}
}

func TestOpenErrors(t *testing.T) {
	cases := []struct {
		uri  string
		want []string // substrings of the error
	}{
		{"redis://user:s3cret@127.0.0.1:6379/0", []string{`"redis"`, `backends/redis"`, "forgotten import", "xxxxx"}},
		{"redis+cluster://h1:1,h2:2", []string{`backends/redis"`}},
		{"memcached://127.0.0.1:11211", []string{`"memcached"`, `backends/memcached"`, "forgotten import"}},
		{"mongodb+srv://u:s3cret@cluster0.example.net/db", []string{`backends/mongodb"`, "forgotten import", "xxxxx"}},
		{"etcd://127.0.0.1:2379", []string{`backends/etcd"`, "forgotten import"}},
		{"etcds://u:s3cret@127.0.0.1:2379", []string{`backends/etcd"`, "xxxxx"}},
		{"postgres://u:s3cret@db/x", []string{`unknown scheme "postgres"`, "known:", "memory", "redis+sentinel"}},
		{"127.0.0.1:6379", []string{"no scheme"}},
		{"://x", []string{"no scheme"}},
		{"memory://?max_key=10", []string{"unknown parameter(s) max_key", "max_keys"}},
		{"memory://?max_keys=ten", []string{`max_keys="ten"`, "not an integer"}},
		{"memory://?max_keys=0", []string{`max_keys="0"`, "positive"}},
		{"memory://host:1", []string{"takes no host"}},
		{"redis://u:s3cret@h:1/%zz", []string{"bad path"}},
	}
	for _, c := range cases {
		s, err := backends.Open(c.uri)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q): no error", c.uri)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "s3cret") {
			t.Errorf("Open(%q): error reveals the password: %s", c.uri, msg)
		}
		if !strings.HasPrefix(msg, "backends: ") && !strings.HasPrefix(msg, "memory: ") {
			t.Errorf("Open(%q): error %q does not start with the package name", c.uri, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("Open(%q): error %q does not contain %q", c.uri, msg, w)
			}
		}
	}
}

func TestOpenMemory(t *testing.T) {
	for _, uri := range []string{"memory://", "MEMORY://", "memory:///", "memory://?max_keys=5"} {
		s, err := backends.Open(uri)
		if err != nil {
			t.Errorf("Open(%q): %v", uri, err)
			continue
		}
		if _, ok := s.(backends.KeyCounter); !ok {
			t.Errorf("Open(%q): %T is not a KeyCounter", uri, s)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}
