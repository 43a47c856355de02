package runtime

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestWriteConfigRedactsAndNamesFuncs: the storage URI's password never
// shows, and funcs and the coarse clock are named, not printed.
func TestWriteConfigRedactsAndNamesFuncs(t *testing.T) {
	l, err := New(WithCoarseClock(time.Millisecond), WithDefaultLimits("1/second"),
		WithDefaultLimitsCostFunc(func(*http.Request) int64 { return 2 }), WithKeyFunc(RemoteAddress))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.cfg.storageURI = "redis://user:s3cret@cache.internal:6379/0" // as WithStorageURI would keep it
	var b strings.Builder
	if err := l.WriteConfig(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "s3cret") || !strings.Contains(out, "redis://user:xxxxx@cache.internal:6379/0") {
		t.Errorf("storage line not redacted:\n%s", out)
	}
	for _, want := range []string{"RATELIMIT_DEFAULTS_COST               func", "key func                              func", "clock                                 CoarseClock of 1ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}
