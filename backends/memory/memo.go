package memory

import (
	"math/rand/v2"
	"sync/atomic"
	"unsafe"
)

// memoSlots is the number of entries a Store's memo points to: a power of
// two. The memo costs 8 bytes per slot, 256 KiB in all.
const memoSlots = 1 << 15

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
// built its string. The entry's removed flag, read under its shard's lock,
// says whether it is still in its table. Slots are read and written
// atomically and publish only the immutable key and shard of an entry; the
// memo is safe for concurrent use. It keeps the entries it points to (and
// their keys) alive until their slots are taken over or the store closes.
type memo struct {
	slots [memoSlots]atomic.Pointer[entry]
}

// slot returns the memo slot of key: a multiplicative hash of the address
// of its bytes.
func (m *memo) slot(key string) *atomic.Pointer[entry] {
	p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(key))))
	return &m.slots[(p*0x9e3779b97f4a7c15)>>(64-15)]
}

// lookup returns the entry the memo holds for key, or nil. The caller
// must lock the entry's shard and check removed before using it.
func (m *memo) lookup(key string) *entry {
	if e := m.slot(key).Load(); e != nil && e.key == key {
		return e
	}
	return nil
}

// remember points key's slot at e, the entry of key, when the slot is empty
// or, once in memoReplace times, when another key holds it.
func (m *memo) remember(key string, e *entry) {
	slot := m.slot(key)
	if old := slot.Load(); old == nil || old != e && rand.Uint32()%memoReplace == 0 {
		slot.Store(e)
	}
}

// clear empties every slot, so the memo holds no entry alive.
func (m *memo) clear() {
	for i := range m.slots {
		m.slots[i].Store(nil)
	}
}

// locate returns the hash of key, which places it in its shard's table,
// and the index of its shard, which the hash of the key's hash tag (see
// backends.HashTag, and tagHash) chooses, so every key of one client lives
// in one shard. A key without a tag is its own tag.
func (s *Store) locate(key string) (h, shard uint64) {
	th, _ := tagHash(s.tseed, key)
	return s.hash(key), th >> s.shift
}
