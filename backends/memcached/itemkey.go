package memcached

import (
	"crypto/sha256"
	"encoding/base64"
)

// maxKey is memcached's longest key, in bytes.
const maxKey = 250

// itemKey returns the memcached key of the item that holds every counter
// of the client tag (backends.HashTag of a limit key): Prefix + "lg:" + tag
// when that is a legal memcached key (at most 250 bytes, no spaces or
// control characters), else Prefix + "lg#" + the unpadded base64url SHA-256
// of tag. The two forms cannot meet (':' versus '#'), and since the item
// keeps each limit's full key beside its state, even a hash collision
// would put two clients' counters side by side in one item, never merge
// them.
func itemKey(prefix, tag string) string {
	if len(prefix)+3+len(tag) <= maxKey && legalKey(tag) {
		return prefix + "lg:" + tag
	}
	sum := sha256.Sum256([]byte(tag))
	return prefix + "lg#" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// legalKey reports whether s has no byte that memcached's text protocol
// forbids in a key: spaces, control characters and DEL.
func legalKey(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}
