package memcached

import (
	"encoding/binary"
	"errors"
)

// An item holds every counter of one client. Its value is a version byte
// followed by one entry per counter:
//
//	'L' entry…
//	entry = uvarint len(key)  key  varint expires  uvarint len(state)  state
//
// key is the limit's full storage key, expires the first instant (Unix
// nanoseconds) at which the state holds nothing, and state the window
// state in the encoding of package backends (AppendBinary), whose first
// byte names the strategy, so one key may have an entry per strategy.
const itemVersion = 'L'

// errMalformedItem reports an item value this package did not write.
var errMalformedItem = errors.New("item value not written by limitgen (or by an incompatible version)")

// entry is one counter of an item; its slices alias the item's value.
type entry struct {
	key     []byte
	expires int64
	state   []byte // state[0] names the strategy
	raw     []byte // the whole encoded entry, to copy it unchanged
}

// parseItem appends the entries of value to dst. An empty value (a missing
// item) has no entries.
func parseItem(dst []entry, value []byte) ([]entry, error) {
	if len(value) == 0 {
		return dst, nil
	}
	if value[0] != itemVersion {
		return dst, errMalformedItem
	}
	b := value[1:]
	for len(b) > 0 {
		start := b
		klen, n := binary.Uvarint(b)
		if n <= 0 || klen > uint64(len(b)-n) {
			return dst, errMalformedItem
		}
		b = b[n:]
		key := b[:klen]
		b = b[klen:]
		exp, n := binary.Varint(b)
		if n <= 0 {
			return dst, errMalformedItem
		}
		b = b[n:]
		slen, n := binary.Uvarint(b)
		if n <= 0 || slen == 0 || slen > uint64(len(b)-n) {
			return dst, errMalformedItem
		}
		b = b[n:]
		state := b[:slen]
		b = b[slen:]
		dst = append(dst, entry{key: key, expires: exp, state: state, raw: start[:len(start)-len(b)]})
	}
	return dst, nil
}

// appendEntry appends one encoded entry to dst.
func appendEntry(dst []byte, key string, expires int64, state []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	dst = binary.AppendVarint(dst, expires)
	dst = binary.AppendUvarint(dst, uint64(len(state)))
	return append(dst, state...)
}
