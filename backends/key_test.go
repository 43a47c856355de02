package backends_test

import (
	"strings"
	"testing"

	"github.com/limitgen/limitgen/backends"
)

func TestKey(t *testing.T) {
	cases := []struct {
		prefix, client, scope, limit string
		want                         string
	}{
		{"LIMITER", "127.0.0.1", "fast", "2 per 1 minute", "LIMITER/{127.0.0.1}/fast/2 per 1 minute"},
		{"p", "", "s", "l", "p/{}/s/l"},
		{"p", "a{b}c", "s", "l", "p/{a%7Bb%7Dc}/s/l"},
		{"p", "100%", "s", "l", "p/{100%25}/s/l"},
		{"p", "%7B", "s", "l", "p/{%257B}/s/l"}, // an escape in the input stays distinct
		{"p", "::1", "a/b", "1 per 1 second", "p/{::1}/a/b/1 per 1 second"},
	}
	for _, c := range cases {
		if got := backends.Key(c.prefix, c.client, c.scope, c.limit); got != c.want {
			t.Errorf("Key(%q, %q, %q, %q) = %q, want %q", c.prefix, c.client, c.scope, c.limit, got, c.want)
		}
		buf := []byte("x:")
		if got := string(backends.AppendKey(buf, c.prefix, c.client, c.scope, c.limit)); got != "x:"+c.want {
			t.Errorf("AppendKey = %q, want %q", got, "x:"+c.want)
		}
	}
}

func TestKeyHashTag(t *testing.T) {
	// Every key of one client has the client's hash tag, whatever the
	// client's text, and different clients have different tags.
	// (An empty client has an empty tag, which Redis Cluster ignores: see
	// the report of issue 2; it is left out here.)
	clients := []string{"127.0.0.1", "a{b", "a}b", "{x}", "}{", "%", "%7B", "%7D", "-"}
	tags := map[string]string{}
	for _, c := range clients {
		k1 := backends.Key("P", c, "s1", "1 per 1 second")
		k2 := backends.Key("P", c, "s2/{y}", "2 per 1 day")
		t1, t2 := backends.HashTag(k1), backends.HashTag(k2)
		if t1 != t2 {
			t.Errorf("client %q: tags %q and %q differ", c, t1, t2)
		}
		if strings.ContainsAny(t1, "{}") {
			t.Errorf("client %q: tag %q contains a brace", c, t1)
		}
		if prev, dup := tags[t1]; dup {
			t.Errorf("clients %q and %q share the tag %q", prev, c, t1)
		}
		tags[t1] = c
	}
	for key, want := range map[string]string{
		"no tag":      "no tag",
		"a{}b":        "a{}b", // an empty tag hashes the whole key
		"a{b}c{d}":    "b",
		"a{b":         "a{b",
		"}{x}":        "x",
		"p/{1.2}/s/l": "1.2",
	} {
		if got := backends.HashTag(key); got != want {
			t.Errorf("HashTag(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestAppendKeyNoAlloc(t *testing.T) {
	buf := make([]byte, 0, 128)
	n := testing.AllocsPerRun(100, func() {
		buf = backends.AppendKey(buf[:0], "LIMITER", "10.1.2.3", "index", "10 per 1 minute")
	})
	if n != 0 {
		t.Errorf("AppendKey with room allocates %v times", n)
	}
}
