package memory

import (
	"math/rand/v2"
	"sync/atomic"
)

// table is a shard's hash table: open addressing with linear probing over
// slots that hold a key's 64-bit hash and its entry, so a lookup reads one
// slot (usually one cache line) and compares the full key only when the
// hashes match. Keys with equal hashes simply occupy neighbouring slots.
// Deletion shifts the following slots back, so no tombstones accumulate.
// A table is guarded by its shard's mutex.
type table struct {
	slots []slot                // length a power of two (or 0); empty slots have e == nil
	n     int                   // entries held
	memo  *atomic.Pointer[memo] // told of every entry removed, so it lets go at once; may be nil
}

type slot struct {
	h uint64
	e *entry
}

const minSlots = 16

// get returns the entry of key, whose hash is h, or nil.
func (t *table) get(h uint64, key string) *entry {
	if len(t.slots) == 0 {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.e == nil {
			return nil
		}
		if s.h == h && s.e.key == key {
			return s.e
		}
	}
}

// put adds e (whose key is not in t) under h, growing t to keep it at most
// three quarters full.
func (t *table) put(h uint64, e *entry) {
	if 4*(t.n+1) > 3*len(t.slots) {
		t.resize(max(minSlots, 2*len(t.slots)))
	}
	t.insert(h, e)
	t.n++
}

func (t *table) insert(h uint64, e *entry) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i].e != nil {
		i = (i + 1) & mask
	}
	t.slots[i] = slot{h, e}
}

// resize rehashes every entry into n slots (a power of two that holds them).
func (t *table) resize(n int) {
	old := t.slots
	t.slots = make([]slot, n)
	for _, s := range old {
		if s.e != nil {
			t.insert(s.h, s.e)
		}
	}
}

// remove deletes the entry of key, whose hash is h, if t holds it.
func (t *table) remove(h uint64, key string) {
	if len(t.slots) == 0 {
		return
	}
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for {
		s := &t.slots[i]
		if s.e == nil {
			return
		}
		if s.h == h && s.e.key == key {
			break
		}
		i = (i + 1) & mask
	}
	t.deleteAt(i)
}

// deleteAt empties slot i and shifts back the slots of its probe run that
// would otherwise become unreachable.
func (t *table) deleteAt(i uint64) {
	t.slots[i].e.markRemoved()
	t.forget(t.slots[i].e)
	mask := uint64(len(t.slots) - 1)
	j := i
	for {
		j = (j + 1) & mask
		s := t.slots[j]
		if s.e == nil {
			break
		}
		home := s.h & mask
		// s may move to i if its home does not lie cyclically in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			t.slots[i] = s
			i = j
		}
	}
	t.slots[i] = slot{}
	t.n--
}

// keep removes every entry for which live returns false (marking it
// removed) and shrinks the slots to fit the rest.
func (t *table) keep(live func(*entry) bool) {
	n := 0
	for _, s := range t.slots {
		if s.e != nil {
			if live(s.e) {
				n++
			} else {
				s.e.markRemoved()
				t.forget(s.e)
			}
		}
	}
	size := minSlots
	for 4*n > 3*size/2 { // leave room to grow to twice n
		size *= 2
	}
	old := t.slots
	t.slots, t.n = make([]slot, size), n
	for _, s := range old {
		if s.e != nil && !s.e.removed() {
			t.insert(s.h, s.e)
		}
	}
}

// sample calls f with up to n entries, from a random slot on.
func (t *table) sample(n int, f func(h uint64, e *entry)) {
	if t.n == 0 {
		return
	}
	mask := uint64(len(t.slots) - 1)
	i := rand.Uint64() & mask
	for seen := 0; seen < n && seen < t.n; i = (i + 1) & mask {
		if s := t.slots[i]; s.e != nil {
			f(s.h, s.e)
			seen++
		}
	}
}

// forget tells the memo, if t has one, that e has left t.
func (t *table) forget(e *entry) {
	if t.memo != nil {
		t.memo.Load().forget(e)
	}
}
