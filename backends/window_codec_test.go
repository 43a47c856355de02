package backends

import (
	"bytes"
	"errors"
	"testing"
)

func TestWindowStatesRoundTrip(t *testing.T) {
	for _, s := range []FixedWindowState{{}, {Start: 1_700_000_000_123_456_789, Count: 3}, {Start: -5, Count: 1<<63 - 1}} {
		b, _ := s.AppendBinary(nil)
		var got FixedWindowState
		if err := got.UnmarshalBinary(b); err != nil || got != s {
			t.Errorf("fixed %+v: decoded %+v, %v", s, got, err)
		}
	}
	for _, s := range []SlidingWindowState{{}, {Start: 60e9 * 28_000_000, Prev: 7, Cur: 2}} {
		b, _ := s.AppendBinary(nil)
		var got SlidingWindowState
		if err := got.UnmarshalBinary(b); err != nil || got != s {
			t.Errorf("sliding %+v: decoded %+v, %v", s, got, err)
		}
	}

	const w = 60e9
	var l MovingWindowLog
	t0 := int64(1_700_000_000_000_000_000)
	for i := range int64(40) {
		l.Current(t0+i*1e9, w)
		l.Charge(t0+i*1e9, 1+i%3)
	}
	l.Current(t0+50e9, w) // drops the first 11 instants
	b, _ := l.AppendBinary([]byte("prefix"))
	if !bytes.HasPrefix(b, []byte("prefix")) {
		t.Fatal("AppendBinary did not append")
	}
	var got MovingWindowLog
	got.Charge(5, 5) // state to be replaced
	if err := got.UnmarshalBinary(b[len("prefix"):]); err != nil {
		t.Fatal(err)
	}
	if got.Count() != l.Count() || got.Entries() != l.Entries() || got.last != l.last {
		t.Fatalf("moving: decoded count %d entries %d last %d, want %d %d %d", got.Count(), got.Entries(), got.last, l.Count(), l.Entries(), l.last)
	}
	r1, s1 := l.Stats(t0+50e9, w, 100)
	r2, s2 := got.Stats(t0+50e9, w, 100)
	if r1 != r2 || s1 != s2 {
		t.Fatalf("moving: decoded stats %d %d, want %d %d", r2, s2, r1, s1)
	}
	var empty MovingWindowLog
	b, _ = empty.AppendBinary(nil)
	if err := got.UnmarshalBinary(b); err != nil || got.Count() != 0 || got.Entries() != 0 {
		t.Fatalf("empty moving log: count %d entries %d, %v", got.Count(), got.Entries(), err)
	}
}

func TestWindowStatesMalformed(t *testing.T) {
	fixed, _ := FixedWindowState{Start: 10, Count: 2}.AppendBinary(nil)
	sliding, _ := SlidingWindowState{Start: 10, Prev: 1, Cur: 2}.AppendBinary(nil)
	var l MovingWindowLog
	l.Charge(100, 1)
	l.Charge(200, 2)
	moving, _ := l.AppendBinary(nil)
	cases := []struct {
		name string
		into interface{ UnmarshalBinary([]byte) error }
		b    []byte
	}{
		{"empty", new(FixedWindowState), nil},
		{"fixed read as sliding", new(SlidingWindowState), fixed},
		{"sliding read as moving", new(MovingWindowLog), sliding},
		{"moving read as fixed", new(FixedWindowState), moving},
		{"truncated fixed", new(FixedWindowState), fixed[:len(fixed)-1]},
		{"trailing byte", new(SlidingWindowState), append(sliding[:len(sliding):len(sliding)], 0)},
		{"truncated moving", new(MovingWindowLog), moving[:len(moving)-1]},
		{"instants not ascending", new(MovingWindowLog), []byte{'M', 0, 2, 200, 1, 2, 0, 2}},
		{"entry of no hits", new(MovingWindowLog), []byte{'M', 0, 1, 2, 0}},
		{"count beyond int64", new(FixedWindowState), []byte{'F', 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"huge entry count", new(MovingWindowLog), []byte{'M', 0, 0xff, 0xff, 0xff, 0xff, 0x0f}},
	}
	for _, c := range cases {
		if err := c.into.UnmarshalBinary(c.b); !errors.Is(err, ErrMalformedState) {
			t.Errorf("%s: got %v, want ErrMalformedState", c.name, err)
		}
	}
}

// FuzzMovingWindowLogDecode checks that any bytes either fail to decode or
// decode to a log that encodes back to the same bytes.
func FuzzMovingWindowLogDecode(f *testing.F) {
	var l MovingWindowLog
	l.Charge(1_700_000_000_000_000_000, 2)
	l.Charge(1_700_000_000_500_000_000, 1)
	b, _ := l.AppendBinary(nil)
	f.Add(b)
	f.Add([]byte{'M', 0, 0})
	f.Add([]byte{'F', 2, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		var l MovingWindowLog
		if l.UnmarshalBinary(b) != nil {
			return
		}
		again, _ := l.AppendBinary(nil)
		var l2 MovingWindowLog
		if err := l2.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoding of %x does not decode: %v", b, err)
		}
		if l2.Count() != l.Count() || l2.Entries() != l.Entries() {
			t.Fatalf("re-encoding of %x changed the log", b)
		}
	})
}
