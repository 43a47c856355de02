package memcached

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
)

// edit decides the fate of one entry of an item being rewritten: keep it
// as it is (changed false), drop it (changed, state nil) or replace its
// state (changed, state non-nil; the entry keeps its key and expiry).
type edit func(en *entry) (state []byte, changed bool, err error)

// rewrite applies f to every entry of the item key with a read and a
// compare-and-swap, retried on conflict until deadline. Entries whose
// expiry is not after now (Unix nanoseconds, the caller's clock) are
// dropped too. It writes only when f changed something; an item left
// without entries is removed (written with an expiration in the past, a
// compare-and-swap too, so a concurrent decision is never lost).
func (s *Storage) rewrite(ctx context.Context, deadline time.Time, key string, now int64, f edit) error {
	var entries []entry
	var out []byte
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := s.retryAllowed(ctx, deadline, attempt, key); err != nil {
				return err
			}
		}
		it, err := s.client.Get(key)
		switch {
		case errors.Is(err, memcache.ErrCacheMiss):
			return nil
		case err != nil:
			return wrap("get "+key, err)
		}
		if entries, err = parseItem(entries[:0], it.Value); err != nil {
			return fmt.Errorf("memcached: item %q: %w", key, err)
		}
		out = append(out[:0], itemVersion)
		expires := int64(math.MinInt64)
		edited := false
		for e := range entries {
			en := &entries[e]
			state, changed, err := f(en)
			if err != nil {
				return err
			}
			edited = edited || changed
			switch {
			case en.expires <= now || (changed && state == nil):
				continue
			case changed:
				out = appendEntry(out, string(en.key), en.expires, state)
			default:
				out = append(out, en.raw...)
			}
			expires = max(expires, en.expires)
		}
		if !edited {
			return nil
		}
		it.Value, it.Expiration = out, expiration(expires, now, time.Now())
		err = s.client.CompareAndSwap(it)
		switch {
		case err == nil:
			return nil
		case lostRace(err):
			s.conflicts.Add(1)
			continue
		default:
			return wrap("write "+key, err)
		}
	}
}
