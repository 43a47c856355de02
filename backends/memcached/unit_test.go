package memcached

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

func TestExpiration(t *testing.T) {
	wall := time.Unix(1_800_000_000, 0)
	const s = int64(time.Second)
	cases := []struct {
		name         string
		expires, now int64
		want         int32
	}{
		{"gone", 10 * s, 10 * s, -1},
		{"past", 9 * s, 10 * s, -1},
		{"1ns left", 10*s + 1, 10 * s, 2},
		{"exactly 1s", 11 * s, 10 * s, 2},
		{"1.5s", 10*s + 3*s/2, 10 * s, 3},
		{"a minute", 70 * s, 10 * s, 61},
		{"30 days less 1s: relative", 10*s + (maxRelative-1)*s, 10 * s, maxRelative},
		{"30 days: absolute", 10*s + maxRelative*s, 10 * s, int32(1_800_000_000 + maxRelative + 1)},
		{"360 days", 360 * 86400 * s, 0, int32(1_800_000_000 + 360*86400 + 1)},
		{"beyond 2038", 1 << 62, 0, 0},
	}
	for _, c := range cases {
		if got := expiration(c.expires, c.now, wall); got != c.want {
			t.Errorf("%s: expiration(%d, %d) = %d, want %d", c.name, c.expires, c.now, got, c.want)
		}
	}
}

func TestItemKey(t *testing.T) {
	if got := itemKey("app:", "203.0.113.7"); got != "app:lg:203.0.113.7" {
		t.Errorf("readable tag: %q", got)
	}
	for _, tag := range []string{"has space", "tab\there", "del\x7f", strings.Repeat("x", 248)} {
		k := itemKey("app:", tag)
		if !strings.HasPrefix(k, "app:lg#") || len(k) > maxKey || !legalKey(k) {
			t.Errorf("tag %q: key %q is not a hashed legal key", tag, k)
		}
	}
	if itemKey("", "a b") == itemKey("", "a\tb") {
		t.Error("two tags share a hashed key")
	}
	long := strings.Repeat("y", 250-len("p:lg:"))
	if got := itemKey("p:", long); got != "p:lg:"+long {
		t.Errorf("a tag that just fits is hashed: %q", got)
	}
}

func TestParseItem(t *testing.T) {
	var st backends.WindowState
	_ = st.Load(backends.FixedWindow, nil)
	st.Charge(5, 2)
	v := []byte{itemVersion}
	b, _ := st.AppendBinary(nil)
	v = appendEntry(v, "P/{c}/s/2 per 1 minute", 15, b)
	v = appendEntry(v, "P/{c}/s/3 per 1 hour", 99, []byte("S\x00\x00\x01"))
	es, err := parseItem(nil, v)
	if err != nil || len(es) != 2 {
		t.Fatalf("parseItem = %v, %v", es, err)
	}
	if string(es[0].key) != "P/{c}/s/2 per 1 minute" || es[0].expires != 15 || es[1].expires != 99 || string(es[1].state) != "S\x00\x00\x01" {
		t.Errorf("entries %+v", es)
	}
	if string(es[0].raw)+string(es[1].raw) != string(v[1:]) {
		t.Error("raw entries do not cover the value")
	}
	for _, bad := range [][]byte{[]byte("x"), v[:len(v)-1], append([]byte{itemVersion}, 5, 'a')} {
		if _, err := parseItem(nil, bad); !errors.Is(err, errMalformedItem) {
			t.Errorf("parseItem(%q) = %v, want errMalformedItem", bad, err)
		}
	}
}

// TestUndoMoving: a refund takes the hits out of the log's entry at their
// instant, and leaves the other entries and the log's latest instant.
func TestUndoMoving(t *testing.T) {
	const w = 100
	var l backends.MovingWindowLog
	l.Current(10, w)
	l.Charge(10, 2)
	l.Current(20, w)
	l.Charge(20, 3)
	b, _ := l.AppendBinary(nil)
	out, changed, err := undo(backends.MovingWindow, b, 20, w, 1)
	if err != nil || !changed {
		t.Fatalf("undo: %v %v", changed, err)
	}
	var got backends.MovingWindowLog
	if err := got.UnmarshalBinary(out); err != nil {
		t.Fatal(err)
	}
	got.Current(20, w)
	if got.Count() != 4 || got.Entries() != 2 {
		t.Errorf("after refunding 1 of 3 at 20: count %d entries %d, want 4, 2", got.Count(), got.Entries())
	}
	if out, changed, _ = undo(backends.MovingWindow, out, 20, w, 2); !changed {
		t.Fatal("second refund: no change")
	}
	_ = got.UnmarshalBinary(out)
	if rem, reset := got.Stats(20, w, 5); rem != 3 || reset != 10+w || got.Entries() != 1 {
		t.Errorf("after refunding all hits at 20: remaining %d reset %d entries %d", rem, reset, got.Entries())
	}
	if _, changed, _ := undo(backends.MovingWindow, out, 15, w, 1); changed {
		t.Error("refund at an instant with no hits changed the log")
	}
	if out, _, _ := undo(backends.MovingWindow, out, 10, w, 2); out != nil {
		t.Errorf("refund of the last hits left %q", out)
	}
}

// TestRetryDeadline: no retry starts after the deadline or once the
// context is done, and the error says why.
func TestRetryDeadline(t *testing.T) {
	s := &Storage{}
	err := s.retryAllowed(context.Background(), time.Now().Add(-time.Millisecond), 5, "k")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "5 compare-and-swap conflicts") {
		t.Errorf("past the deadline: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.retryAllowed(ctx, time.Now().Add(time.Hour), 1, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	start := time.Now()
	if err := s.retryAllowed(context.Background(), time.Now().Add(time.Hour), 20, "k"); err != nil || time.Since(start) > 100*time.Millisecond {
		t.Errorf("a retry well within the deadline: %v after %v", err, time.Since(start))
	}
}
