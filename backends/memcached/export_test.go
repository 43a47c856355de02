package memcached

import "github.com/bradfitz/gomemcache/memcache"

// ItemKey returns the key of the item that holds the counters of client.
func ItemKey(s *Storage, client string) string { return itemKey(s.opts.Prefix, client) }

// Conflicts returns how many compare-and-swap writes lost a race so far.
func Conflicts(s *Storage) int64 { return s.conflicts.Load() }

// Client returns the storage's memcache client.
func Client(s *Storage) *memcache.Client { return s.client }

// EntryKeys returns the limit keys (with the strategy's tag byte after a
// '#') of the entries of an item value.
func EntryKeys(value []byte) ([]string, error) {
	es, err := parseItem(nil, value)
	var keys []string
	for _, e := range es {
		keys = append(keys, string(e.key)+"#"+string(e.state[:1]))
	}
	return keys, err
}
