package etcd

import (
	"context"
	"hash/maphash"
	"slices"

	"github.com/limitgen/limitgen/backends"
)

// stripeCount is the number of client locks of a Storage.
const stripeCount = 256

// stripes serialise, within one process, the decisions that touch one
// client's keys. The Txn's revision guards alone would keep decisions exact,
// but goroutines of one process racing on one key would make most of their
// Txns fail and retry, each failure a wasted round trip through the raft
// log; queued behind a lock they cost one decision each. Decisions of other
// processes still race, and the guards keep them exact. A lock is a
// channel, so that waiting for it honours the context. stripes is safe for
// concurrent use.
type stripes struct {
	seed  maphash.Seed
	locks [stripeCount]chan struct{}
}

func newStripes() *stripes {
	s := &stripes{seed: maphash.MakeSeed()}
	for i := range s.locks {
		s.locks[i] = make(chan struct{}, 1)
	}
	return s
}

// lock takes the locks of every client of limits, in ascending order so
// that two requests never wait for each other, and returns their indices
// for release, or ctx's error if it ends first (nothing is then held). idx
// is scratch space.
func (s *stripes) lock(ctx context.Context, limits []backends.Limit, idx []int) ([]int, error) {
	idx = idx[:0]
	for i := range limits {
		k := int(maphash.String(s.seed, backends.HashTag(limits[i].Key)) % stripeCount)
		if !slices.Contains(idx, k) {
			idx = append(idx, k)
		}
	}
	slices.Sort(idx)
	for n, k := range idx {
		select {
		case s.locks[k] <- struct{}{}:
		case <-ctx.Done():
			s.release(idx[:n])
			return nil, ctx.Err()
		}
	}
	return idx, nil
}

// release gives back the locks lock took.
func (s *stripes) release(idx []int) {
	for _, k := range idx {
		<-s.locks[k]
	}
}
