package memory

import (
	"math/rand/v2"
	"sync/atomic"
	"unsafe"
)

// A Store's memo starts with minMemoSlots slots and doubles whenever the
// store's keys pass a quarter of its slots, up to maxMemoSlots: 8 bytes per
// slot, so 256 KiB at first, and between 32 and 64 bytes per key as keys
// grow. At a quarter, 0.5 to 1.5% of a steady set of keys miss their pair
// of slots (TestMemoHoldsASteadySet); at half, up to 6% did, and 10,000
// keys were decided 10% slower.
const (
	minMemoSlots = 1 << 15
	maxMemoSlots = 1 << 22
)

// memoReplace is the inverse probability with which a key that finds its
// memo slot held by another key's entry takes the slot over, so that the
// memo follows a changing set of keys while a steady one stays put.
const memoReplace = 64

// memo points to the entries of recently decided keys, so that a caller
// that sends the same key string again (as the runtime does: it builds each
// client's keys once and reuses them) finds the key's entry and shard
// without hashing the key or probing the table: hashing alone cost about a
// third of a decision. A slot is chosen by the address of the key string's
// bytes and matched by comparing the entry's key with the key sent, which
// Go answers at once for the very same string and by comparing bytes
// otherwise, so a match is always the key's own entry, however the caller
// built its string. Each key may sit in either of two neighbouring slots,
// which keeps collisions rare. The entry's removed flag, read under its shard's lock,
// says whether it is still in its table; a removed entry stays held for
// good, so a decision without the lock (Store.hitOpen) never charges one.
// Slots are read and written atomically; a reader without the lock reads
// only an entry's immutable key and its atomic fields (the control word,
// and start and window while it is open). The memo is safe for concurrent
// use. An entry removed from its table leaves
// the memo at once (see forget); one remembered under another string of
// the same key stays alive until its slot is taken over or the store
// closes.
type memo struct {
	slots []atomic.Pointer[entry] // a power of two of them
}

// newMemo returns an empty memo of n slots, a power of two.
func newMemo(n int) *memo { return &memo{slots: make([]atomic.Pointer[entry], n)} }

// grown returns a memo of twice m's slots holding m's entries, each filed
// under its own key string (the runtime's, whose address the memo hashes,
// as the store keeps the string it was first given). m is left as is:
// readers that still hold it carry on.
func (m *memo) grown() *memo {
	g := newMemo(2 * len(m.slots))
	for i := range m.slots {
		if e := m.slots[i].Load(); e != nil {
			g.remember(e.key, e)
		}
	}
	return g
}

// slot returns the first of key's two memo slots (the second is its
// neighbour in the same cache line): a hash of the address of its bytes.
func (m *memo) slot(key string) uint64 {
	p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(key))))
	p = (p ^ p>>29) * 0xbf58476d1ce4e5b9 // addresses differ in their middle bits: fold them down first
	return (p ^ p>>32) & uint64(len(m.slots)-2)
}

// lookup returns the entry the memo holds for key, or nil. The caller
// may decide it without a lock only while it is open (see Store.hitOpen);
// otherwise it must lock the entry's shard and check removed before using
// it.
func (m *memo) lookup(key string) *entry {
	i := m.slot(key)
	a, b := m.slots[i].Load(), m.slots[i+1].Load()
	// The same string first, in either slot: comparing the other slot's
	// key byte by byte first would cost a comparison for nothing. Each
	// entry's line is asked for writing before its key is read, since the
	// caller will most likely charge the entry (see prefetchWrite).
	p := unsafe.StringData(key)
	if a != nil {
		prefetchWrite(unsafe.Pointer(a))
		if unsafe.StringData(a.key) == p && len(a.key) == len(key) {
			return a
		}
	}
	if b != nil {
		prefetchWrite(unsafe.Pointer(b))
		if unsafe.StringData(b.key) == p && len(b.key) == len(key) {
			return b
		}
	}
	if a != nil && a.key == key {
		return a
	}
	if b != nil && b.key == key {
		return b
	}
	return nil
}

// remember points one of key's slots at e, the entry of key: an empty one,
// one whose entry has left its table (forget misses an entry remembered
// under another string of its key, or copied into a memo that grew
// meanwhile; found first, such an entry would send every later decision of
// its key through the lock and a hash), or, once in memoReplace times, one
// that another key holds.
func (m *memo) remember(key string, e *entry) {
	i := m.slot(key)
	a, b := m.slots[i].Load(), m.slots[i+1].Load()
	switch {
	case a == e || b == e:
	case a == nil || a.removed():
		m.slots[i].Store(e)
	case b == nil || b.removed():
		m.slots[i+1].Store(e)
	case rand.Uint32()%memoReplace == 0:
		m.slots[i+uint64(rand.Uint32()&1)].Store(e)
	}
}

// forget empties the slots of e's key that point to e, an entry just
// removed from its table, so that the memo no longer keeps it (and its key)
// alive. It finds e when e was remembered under the very key string it
// keeps, as the runtime's keys are; otherwise e stays until its slot is
// taken over.
func (m *memo) forget(e *entry) {
	i := m.slot(e.key)
	m.slots[i].CompareAndSwap(e, nil)
	m.slots[i+1].CompareAndSwap(e, nil)
}

// clear empties every slot, so the memo holds no entry alive.
func (m *memo) clear() {
	for i := range m.slots {
		m.slots[i].Store(nil)
	}
}
