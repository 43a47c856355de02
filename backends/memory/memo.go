package memory

import (
	"math/rand/v2"
	"sync/atomic"
	"unsafe"
)

// memoSlots is the number of key locations a Store memoises: a power of
// two. The memo costs 8 bytes per slot (256 KiB) plus 48 bytes and the key
// string per location held.
const memoSlots = 1 << 15

// memoReplace is the inverse probability with which a key that finds its
// memo slot held by another key takes the slot over, so that the memo
// follows a changing set of keys while a steady set (the runtime's cached
// keys) allocates nothing.
const memoReplace = 64

// location is where a key lives: its hash (its slot in the shard's table)
// and its shard. Locations are immutable once published.
type location struct {
	key   string
	h     uint64
	shard uint64
}

// memo remembers the locations of recently decided keys, so that a caller
// that sends the same key string again (as the runtime does: it builds each
// client's keys once and reuses them) skips hashing it. A slot is chosen
// by the address of the key's bytes and matched by comparing the key
// itself, which Go answers at once for the very same string and by
// comparing bytes otherwise, so a match is always the same key, however
// the caller built its string. Slots are read and written atomically; it
// is safe for concurrent use. A location keeps its key string alive.
type memo struct {
	slots [memoSlots]atomic.Pointer[location]
}

// slot returns the memo slot of key: a multiplicative hash of the address
// of its bytes.
func (m *memo) slot(key string) *atomic.Pointer[location] {
	p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(key))))
	return &m.slots[(p*0x9e3779b97f4a7c15)>>(64-15)]
}

// locate returns the hash of key, which places it in its shard's table,
// and the index of its shard, which the hash of the key's hash tag (see
// backends.HashTag, and tagHash) chooses, so every key of one client lives
// in one shard. A key without a tag is its own tag. Keys sent again as the
// same string are found in the memo.
func (s *Store) locate(key string) (h, shard uint64) {
	slot := s.memo.slot(key)
	old := slot.Load()
	if old != nil && old.key == key {
		return old.h, old.shard
	}
	th, _ := tagHash(s.tseed, key)
	h, shard = s.hash(key), th>>s.shift
	if old == nil || rand.Uint32()%memoReplace == 0 {
		slot.Store(&location{key: key, h: h, shard: shard})
	}
	return h, shard
}
