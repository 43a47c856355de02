package redis

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
)

var _ backends.Resetter = (*Storage)(nil)

// resetBatch is how many keys one SCAN asks for, and so about how many one
// round of UNLINKs removes.
const resetBatch = 512

// Reset removes every key of the storage under prefix (see
// backends.Resetter): it walks the keys matching Options.Prefix + prefix +
// "/*" with SCAN on every master (the one server, the sentinel's master,
// or each master of a cluster) and UNLINKs them batch by batch, each
// command bound by the timeout. It returns how many keys it removed.
func (s *Storage) Reset(ctx context.Context, prefix string) (int, error) {
	if s.closed.Load() {
		return 0, backends.ErrClosed
	}
	if prefix == "" {
		return 0, errors.New("redis: Reset needs a key prefix (the limiter's), not an empty one")
	}
	pattern := globEscape(s.opts.Prefix+prefix+"/") + "*"
	var removed atomic.Int64
	var err error
	if c, ok := s.client.(*goredis.ClusterClient); ok {
		err = c.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error {
			return s.resetNode(ctx, n, pattern, &removed)
		})
	} else {
		err = s.resetNode(ctx, s.client, pattern, &removed)
	}
	return int(removed.Load()), wrap("reset", err)
}

// resetNode removes the keys of one server that match pattern, adding
// their number to removed. On a cluster node the keys of one batch may lie
// in different slots, so each gets its own UNLINK, all in one pipeline.
func (s *Storage) resetNode(ctx context.Context, c goredis.Cmdable, pattern string, removed *atomic.Int64) error {
	var cursor uint64
	for {
		bctx, cancel := s.bound(ctx)
		keys, next, err := c.Scan(bctx, cursor, pattern, resetBatch).Result()
		if err == nil && len(keys) > 0 {
			var cmds []goredis.Cmder
			cmds, err = c.Pipelined(bctx, func(p goredis.Pipeliner) error {
				for _, k := range keys {
					p.Unlink(bctx, k)
				}
				return nil
			})
			for _, cmd := range cmds {
				if n, ok := cmd.(*goredis.IntCmd); ok {
					removed.Add(n.Val())
				}
			}
		}
		cancel()
		if err != nil {
			return err
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// globEscape quotes the characters SCAN's MATCH pattern gives a meaning
// to, so that a prefix matches only itself.
func globEscape(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
