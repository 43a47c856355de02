package memory

import (
	"math/bits"
	"strings"
)

// tagHash returns a seeded 64-bit hash of key's hash tag (see
// backends.HashTag: the text between the first '{' and the next '}', if
// not empty, else the whole key), whose top bits choose the key's shard,
// and the length of the key's prefix that ends with the tag's '}' (0 for a
// key without a tag): keys that share that prefix share the tag.
// It only spreads clients over the shards (the full key's maphash places a
// key in its shard's table and guards the table's probes), so it trades
// strength for speed: it reads the tag eight bytes at a time, finds its
// closing '}' in the same words it hashes, and mixes each word with one
// 128-bit multiplication.
func tagHash(seed uint64, key string) (h uint64, end int) {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if h, n, ok := hashUntilBrace(seed, key[i+1:]); ok {
			return h, i + 1 + n + 1
		}
	}
	return hashAll(seed, key), 0
}

// hashAll hashes all of s: the tag of a key without one.
func hashAll(seed uint64, s string) uint64 {
	h, n := seed, len(s)
	for len(s) >= 8 {
		h = mix(h, load8(s), 0xa0761d6478bd642f)
		s = s[8:]
	}
	var v uint64
	for k := 0; k < len(s); k++ {
		v |= uint64(s[k]) << (8 * k)
	}
	return finish(mix(h, v, 0xe7037ed1a0b428db), n)
}

// load8 reads the first eight bytes of s, little-endian.
func load8(s string) uint64 {
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
	brace = '}' * ones
)

// hashUntilBrace hashes s up to its first '}', returns the length n of the
// text hashed, and reports whether s has a '}' after a non-empty prefix.
func hashUntilBrace(seed uint64, s string) (h uint64, n int, ok bool) {
	h = seed
	for len(s) >= 8 {
		v := load8(s)
		x := v ^ brace
		if z := (x - ones) &^ x & highs; z != 0 { // a '}' in v: the lowest flag is exact
			k := bits.TrailingZeros64(z) / 8
			if k == 0 {
				return finish(h, n), n, n > 0
			}
			return finish(mix(h, v&(1<<(8*k)-1), 0xe7037ed1a0b428db), n+k), n + k, true
		}
		h = mix(h, v, 0xa0761d6478bd642f)
		n += 8
		s = s[8:]
	}
	var v uint64
	for k := 0; k < len(s); k++ {
		if s[k] == '}' {
			if k == 0 {
				return finish(h, n), n, n > 0
			}
			return finish(mix(h, v, 0xe7037ed1a0b428db), n+k), n + k, true
		}
		v |= uint64(s[k]) << (8 * k)
	}
	return 0, 0, false
}

func mix(h, v, k uint64) uint64 {
	hi, lo := bits.Mul64(h^v, k)
	return hi ^ lo
}

func finish(h uint64, n int) uint64 {
	return mix(h^uint64(n)*0x9e3779b97f4a7c15, 0x8ebc6af09c88c6e3, 0x589965cc75374cc3)
}

// locate returns the hash of key, which places it in its shard's table,
// and the index of its shard, which the hash of the key's hash tag (see
// backends.HashTag, and tagHash) chooses, so every key of one client lives
// in one shard. A key without a tag is its own tag.
func (s *Store) locate(key string) (h, shard uint64) {
	th, _ := tagHash(s.tseed, key)
	return s.hash(key), th >> s.shift
}
