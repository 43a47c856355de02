package memory

import (
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"
)

// A Store's memo starts with minMemoBuckets buckets of memoWays slots and
// doubles whenever the store's keys pass half of its slots, up to
// maxMemoBuckets: 64 bytes per bucket, so 128 KiB at first, and between 18
// and 37 bytes per key as keys grow. Even at half, only about 1% of a
// steady set of keys find their bucket full (TestMemoHoldsASteadySet).
const (
	memoWays       = 7
	minMemoBuckets = 1 << 11
	maxMemoBuckets = 1 << 19
)

// memoReplace is the inverse probability with which a key that finds its
// memo bucket full takes over another key's slot, so that the memo follows
// a changing set of keys while a steady one stays put.
const memoReplace = 64

// memo points to the entries of recently decided keys, so that a caller
// that sends the same key string again (as the runtime does: it builds each
// client's keys once and reuses them) finds the key's entry and shard
// without hashing the key or probing the table: hashing alone cost about a
// third of a decision.
//
// A key's bucket, one cache line, is chosen by a hash of the address of the
// key string's bytes; the key may sit in any of its memoWays slots. The
// bucket also keeps a one-byte tag of each slot's key (more bits of the same
// hash), so that a lookup reads the entry of the one slot whose tag matches
// (rarely two): an entry's line is likely being written by another core,
// and reading another key's entry would fetch it for nothing. A match is
// confirmed by comparing the entry's key with the key sent, which Go
// answers at once for the very same string and by comparing bytes
// otherwise, so it is always the key's own entry, however the caller built
// its string; a tag out of date (a slot written while it was read) only
// costs a miss.
//
// The entry's removed flag, read under its shard's lock, says whether it is
// still in its table; a removed entry stays held for good, so a decision
// without the lock (Store.hitOpen) never charges one. Slots and tags are
// read and written atomically; a reader without the lock reads only an
// entry's immutable key and its atomic fields (the control word, and start
// and window while it is open). The memo is safe for concurrent use. An
// entry removed from its table leaves the memo at once (see forget); one
// remembered under another string of the same key stays alive until its
// slot is taken over or the store closes.
type memo struct {
	buckets []memoBucket // a power of two of them
}

// memoBucket is one cache line of the memo.
type memoBucket struct {
	tags  atomic.Uint64 // byte j < memoWays: the tag of slot j's key, 0 for none
	slots [memoWays]atomic.Pointer[entry]
}

// newMemo returns an empty memo of n buckets, a power of two.
func newMemo(n int) *memo { return &memo{buckets: make([]memoBucket, n)} }

// slotCount returns how many entries m can hold.
func (m *memo) slotCount() int { return len(m.buckets) * memoWays }

// grown returns a memo of twice m's buckets holding m's entries, each filed
// under its own key string (the runtime's, whose address the memo hashes,
// as the store keeps the string it was first given). m is left as is:
// readers that still hold it carry on.
func (m *memo) grown() *memo {
	g := newMemo(2 * len(m.buckets))
	m.each(func(e *entry) {
		if !e.removed() {
			g.remember(e.key, e)
		}
	})
	return g
}

// each calls f with every entry m holds.
func (m *memo) each(f func(*entry)) {
	for i := range m.buckets {
		for j := range m.buckets[i].slots {
			if e := m.buckets[i].slots[j].Load(); e != nil {
				f(e)
			}
		}
	}
}

// place returns key's bucket and tag: a hash of the address of its bytes.
func (m *memo) place(key string) (*memoBucket, uint64) {
	p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(key))))
	p = (p ^ p>>29) * 0xbf58476d1ce4e5b9 // addresses differ in their middle bits: fold them down first
	p ^= p >> 32
	tag := p >> 56
	if tag == 0 {
		tag = 1
	}
	return &m.buckets[p&uint64(len(m.buckets)-1)], tag
}

// The low memoWays bytes of a word, each 1, and each with its top bit.
const (
	memoLowBytes = 0x01010101010101
	memoTopBits  = 0x80808080808080
)

// matches returns a word whose byte j has its top bit set if slot j's tag
// may be tag: every slot whose tag is tag, and at times slots after such a
// one whose tags differ from tag in their lowest bit only (a borrow of the
// arithmetic; lookup confirms every match by the key anyway).
func (b *memoBucket) matches(tag uint64) uint64 {
	x := b.tags.Load() ^ tag*memoLowBytes
	return (x - memoLowBytes) &^ x & memoTopBits
}

// setTag makes tag the tag of slot j.
func (b *memoBucket) setTag(j int, tag uint64) {
	shift := 8 * uint(j)
	for {
		w := b.tags.Load()
		n := w&^(0xff<<shift) | tag<<shift
		if w == n || b.tags.CompareAndSwap(w, n) {
			return
		}
	}
}

// lookup returns the entry the memo holds for key, or nil. The caller
// may decide it without a lock only while it is open (see Store.hitOpen);
// otherwise it must lock the entry's shard and check removed before using
// it.
func (m *memo) lookup(key string) *entry {
	b, tag := m.place(key)
	found := b.matches(tag)
	// The same string first: comparing bytes costs more, and is only
	// needed for a key remembered under another string of it. Each entry's
	// line is asked for writing before its key is read, since the caller
	// will most likely charge the entry (see prefetchWrite).
	p := unsafe.StringData(key)
	for f := found; f != 0; f &= f - 1 {
		if e := b.slots[bits.TrailingZeros64(f)>>3].Load(); e != nil {
			prefetchWrite(unsafe.Pointer(e))
			if unsafe.StringData(e.key) == p && len(e.key) == len(key) {
				return e
			}
		}
	}
	for f := found; f != 0; f &= f - 1 {
		if e := b.slots[bits.TrailingZeros64(f)>>3].Load(); e != nil && e.key == key {
			return e
		}
	}
	return nil
}

// remember files e, the entry of key, in one of key's slots: one whose tag
// is key's and whose entry is gone or has left its table (likely the key's
// previous entry, which forget misses when it was remembered under another
// string of its key or copied into a memo that grew meanwhile; found first,
// it would send every later decision of the key through the lock and a
// hash), else an empty one, else one whose entry has left its table, else,
// once in memoReplace times, one that another key holds. A slot that
// already holds e under another tag is only retagged for e's own string:
// it may be the slot of another string of the key in the same bucket,
// which retagging would make miss, and which would then take the slot
// back, so that each of the two strings missed every time it followed the
// other. Two callers filing keys in one slot at once may leave it with one
// key's entry and the other's tag; the entry's key then misses once and is
// filed again: in that slot when it comes as the entry's own string, else
// in another, the stale slot staying until e is forgotten or it is taken
// over.
func (m *memo) remember(key string, e *entry) {
	b, tag := m.place(key)
	free, held := -1, -1
	tags := b.tags.Load()
	for j := range b.slots {
		if b.slots[j].Load() == e {
			if tags>>(8*j)&0xff == tag {
				return
			}
			held = j
		}
	}
	if held >= 0 && unsafe.StringData(key) == unsafe.StringData(e.key) {
		b.setTag(held, tag)
		return
	}
	for f := b.matches(tag); f != 0 && free < 0; f &= f - 1 {
		j := bits.TrailingZeros64(f) >> 3
		if x := b.slots[j].Load(); x == nil || x.removed() {
			free = j
		}
	}
	if free < 0 {
		free = b.emptiest()
	}
	if free < 0 {
		if rand.Uint32()%memoReplace != 0 {
			return
		}
		free = int(rand.Uint32() % memoWays)
	}
	b.slots[free].Store(e)
	b.setTag(free, tag)
}

// emptiest returns the first empty slot of b, else the first whose entry
// has left its table, else -1.
func (b *memoBucket) emptiest() int {
	removed := -1
	for j := range b.slots {
		x := b.slots[j].Load()
		if x == nil {
			return j
		}
		if removed < 0 && x.removed() {
			removed = j
		}
	}
	return removed
}

// forget empties the slots of e's key's bucket that point to e, an entry
// just removed from its table, so that the memo no longer keeps it (and its
// key) alive: there may be two, when another string of the key shares the
// bucket (see remember). It finds e when e was remembered under the very
// key string it keeps, as the runtime's keys are; otherwise e stays until
// its slot is taken over. The slot's tag stays: lookup skips an empty slot.
func (m *memo) forget(e *entry) {
	b, _ := m.place(e.key)
	for j := range b.slots {
		if b.slots[j].Load() == e {
			b.slots[j].CompareAndSwap(e, nil)
		}
	}
}

// clear empties every slot, so the memo holds no entry alive.
func (m *memo) clear() {
	for i := range m.buckets {
		for j := range m.buckets[i].slots {
			m.buckets[i].slots[j].Store(nil)
		}
		m.buckets[i].tags.Store(0)
	}
}
