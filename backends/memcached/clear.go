package memcached

import (
	"context"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// Clear removes the counters of key, of every strategy, from its client's
// item, with a compare-and-swap so that concurrent decisions on the
// client's other limits are kept. The item's remaining counters keep
// their expiry, measured on this machine's clock. Clearing a key that
// does not exist is not an error.
func (s *Storage) Clear(ctx context.Context, key string) error {
	item := itemKey(s.opts.Prefix, backends.HashTag(key))
	return s.run(ctx, func(ctx context.Context, deadline time.Time, _ bool) error {
		return s.rewrite(ctx, deadline, item, time.Now().UnixNano(), func(en *entry) ([]byte, bool, error) {
			return nil, string(en.key) == key, nil
		})
	})
}
