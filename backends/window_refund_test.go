package backends

import "testing"

func TestRefunds(t *testing.T) {
	const w = 10

	f := FixedWindowState{}
	f.Charge(100, 3)
	mark := f.Start
	if !f.Refund(mark, 2) || f.Count != 1 {
		t.Errorf("fixed: refund of 2 of 3 left %d", f.Count)
	}
	if !f.Refund(mark, 5) || f.Count != 0 {
		t.Errorf("fixed: refund beyond the count left %d", f.Count)
	}
	f = FixedWindowState{}.Current(120, w)
	f.Charge(120, 1)
	if f.Refund(mark, 1) || f.Count != 1 {
		t.Errorf("fixed: a refund for an ended window changed the new one (count %d)", f.Count)
	}

	s := SlidingWindowState{}.Current(105, w)
	s.Charge(2)
	bucket := s.Start
	if !s.Refund(bucket, w, 1) || s.Cur != 1 {
		t.Errorf("sliding: refund in the current bucket left cur %d", s.Cur)
	}
	s = s.Current(112, w) // the charged bucket is now the previous one
	if !s.Refund(bucket, w, 1) || s.Prev != 0 {
		t.Errorf("sliding: refund in the previous bucket left prev %d", s.Prev)
	}
	s.Charge(1)
	s = s.Current(125, w)
	if s.Refund(bucket, w, 1) {
		t.Error("sliding: a refund for a bucket out of the window changed the state")
	}

	var l MovingWindowLog
	l.Current(100, w)
	l.Charge(100, 2)
	l.Current(103, w)
	l.Charge(103, 1)
	at, ok := l.Newest()
	if !ok || at != 103 {
		t.Fatalf("moving: Newest = %d, %v; want 103", at, ok)
	}
	if !l.Refund(at, 1) || l.Count() != 2 || l.Entries() != 1 {
		t.Errorf("moving: refund of the newest hit left count %d, entries %d", l.Count(), l.Entries())
	}
	if !l.Refund(100, 1) || l.Count() != 1 {
		t.Errorf("moving: partial refund left count %d", l.Count())
	}
	if l.Refund(103, 1) || l.Count() != 1 {
		t.Errorf("moving: refund of an instant not in the log changed it (count %d)", l.Count())
	}
	l.Current(111, w) // the hit at 100 leaves
	if l.Refund(100, 1) || l.Count() != 0 {
		t.Errorf("moving: refund of a hit that left the window changed the log (count %d)", l.Count())
	}
	if _, ok := l.Newest(); ok {
		t.Error("moving: Newest of an empty log reports a hit")
	}
}
