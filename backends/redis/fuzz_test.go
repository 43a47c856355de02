package redis

import (
	"strings"
	"testing"

	"github.com/limitgen/limitgen/backends"
)

// FuzzParseOptions: no URI makes the option parser panic, and no error
// shows the URI's password or sentinel password.
func FuzzParseOptions(f *testing.F) {
	for _, s := range []string{
		"redis://127.0.0.1:6379/0",
		"redis://u:pw1234@h:1/2?pool_size=3&timeout=1s&clock=client&prefix=a",
		"rediss://h:1?ca=/nonexistent&insecure_skip_verify=true",
		"redis+unix:///tmp/r.sock?db=3",
		"redis+cluster://a:1,b:2?tls=true&read_timeout=0.5",
		"redis+sentinel://:pw1234@a:1,b:2/svc?sentinel_password=pw5678&db=1",
		"redis+sentinel://a:1?service=x&service=y",
		"redis://h:1/-1",
		"redis://h:1?db=1&db=2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := backends.ParseURI(s)
		if err != nil {
			return
		}
		secrets := []string{u.Password}
		if probe, _ := backends.ParseURI(s); probe != nil {
			if v, ok := probe.Param("sentinel_password"); ok {
				secrets = append(secrets, v)
			}
		}
		_, err = parseOptions(u)
		if err == nil {
			return
		}
		for _, secret := range secrets {
			if len(secret) >= 4 && strings.Count(s, secret) == 1 && strings.Contains(err.Error(), secret) {
				t.Errorf("error for %q shows the password %q: %v", s, secret, err)
			}
		}
	})
}
