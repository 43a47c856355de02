package backends

import (
	"encoding/binary"
	"errors"
)

// The window states encode to compact bytes for stores that keep a
// limit's state as an opaque value (Memcached items, etcd values, MongoDB
// binary fields) and decide it on the client, writing it back with a
// compare-and-swap. Each encoding starts with a tag byte naming the
// strategy, so a value of one strategy is never read as another's, followed
// by varints (signed instants zig-zag encoded, counts unsigned):
//
//	fixed window            'F' start count
//	sliding window counter  'S' start prev cur
//	moving window           'M' last entries (Δat n)…   Δat from the previous entry's
//	                                                    instant, the first from 0
//
// Encodings are stable: a value written by one version of limitgen is read
// by the next.
const (
	tagFixed   = 'F'
	tagSliding = 'S'
	tagMoving  = 'M'
)

// ErrMalformedState is returned when bytes do not decode to the window
// state asked for: another strategy's state, a truncated value or data not
// written by limitgen.
var ErrMalformedState = errors.New("backends: malformed window state")

// AppendBinary appends the encoding of s to dst (encoding.BinaryAppender).
func (s FixedWindowState) AppendBinary(dst []byte) ([]byte, error) {
	dst = append(dst, tagFixed)
	dst = binary.AppendVarint(dst, s.Start)
	return binary.AppendUvarint(dst, uint64(max(s.Count, 0))), nil
}

// UnmarshalBinary sets s from an encoding made by AppendBinary.
func (s *FixedWindowState) UnmarshalBinary(b []byte) error {
	d := decoder{b: b}
	if !d.tag(tagFixed) {
		return ErrMalformedState
	}
	st := FixedWindowState{Start: d.varint(), Count: d.count()}
	if !d.done() {
		return ErrMalformedState
	}
	*s = st
	return nil
}

// AppendBinary appends the encoding of s to dst (encoding.BinaryAppender).
func (s SlidingWindowState) AppendBinary(dst []byte) ([]byte, error) {
	dst = append(dst, tagSliding)
	dst = binary.AppendVarint(dst, s.Start)
	dst = binary.AppendUvarint(dst, uint64(max(s.Prev, 0)))
	return binary.AppendUvarint(dst, uint64(max(s.Cur, 0))), nil
}

// UnmarshalBinary sets s from an encoding made by AppendBinary.
func (s *SlidingWindowState) UnmarshalBinary(b []byte) error {
	d := decoder{b: b}
	if !d.tag(tagSliding) {
		return ErrMalformedState
	}
	st := SlidingWindowState{Start: d.varint(), Prev: d.count(), Cur: d.count()}
	if !d.done() {
		return ErrMalformedState
	}
	*s = st
	return nil
}

// AppendBinary appends the encoding of the live part of l to dst
// (encoding.BinaryAppender): about 2 + 10 bytes per distinct instant at
// nanosecond spacing, fewer when hits share coarser instants.
func (l *MovingWindowLog) AppendBinary(dst []byte) ([]byte, error) {
	dst = append(dst, tagMoving)
	dst = binary.AppendVarint(dst, l.last)
	live := l.hits[l.head:]
	dst = binary.AppendUvarint(dst, uint64(len(live)))
	var prev int64
	for _, h := range live {
		dst = binary.AppendVarint(dst, h.at-prev)
		dst = binary.AppendUvarint(dst, uint64(h.n))
		prev = h.at
	}
	return dst, nil
}

// UnmarshalBinary sets l from an encoding made by AppendBinary, reusing
// l's storage. The instants must ascend and every entry count at least one
// hit.
func (l *MovingWindowLog) UnmarshalBinary(b []byte) error {
	d := decoder{b: b}
	if !d.tag(tagMoving) {
		return ErrMalformedState
	}
	last := d.varint()
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)/2) { // each entry takes at least 2 bytes
		return ErrMalformedState
	}
	hits := l.hits[:0]
	var at, count int64
	for i := uint64(0); i < n; i++ {
		delta, k := d.varint(), d.count()
		if d.bad || k == 0 || (i > 0 && delta <= 0) {
			return ErrMalformedState
		}
		at += delta
		count = addSat(count, k)
		hits = append(hits, loggedHits{at: at, n: k})
	}
	if !d.done() {
		return ErrMalformedState
	}
	l.hits, l.head, l.count, l.last = hits, 0, count, last
	return nil
}

// decoder reads varints from b; the first failure sets bad and every later
// read returns 0.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) tag(want byte) bool {
	if len(d.b) == 0 || d.b[0] != want {
		return false
	}
	d.b = d.b[1:]
	return true
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 || d.bad {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || d.bad {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a count, which must fit in an int64.
func (d *decoder) count() int64 {
	v := d.uvarint()
	if v > 1<<63-1 {
		d.bad = true
		return 0
	}
	return int64(v)
}

// done reports whether every byte was read without error.
func (d *decoder) done() bool { return !d.bad && len(d.b) == 0 }
