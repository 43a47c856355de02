package etcd

import (
	"context"
	"errors"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/limitgen/limitgen/backends"
)

// Reset removes every key of the storage under prefix (see
// backends.Resetter): one Delete of the etcd key range Options.Prefix +
// prefix + "/", bound by the timeout, atomic on the server. It returns how
// many keys it removed.
func (s *Storage) Reset(ctx context.Context, prefix string) (int, error) {
	if s.closed.Load() {
		return 0, backends.ErrClosed
	}
	if prefix == "" {
		return 0, errors.New("etcd: Reset needs a key prefix (the limiter's), not an empty one")
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	resp, err := s.client.Delete(ctx, s.opts.Prefix+prefix+"/", clientv3.WithPrefix())
	if err != nil {
		return 0, s.fail("reset", err)
	}
	return int(resp.Deleted), nil
}
