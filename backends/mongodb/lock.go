package mongodb

import "context"

// stripeCount is how many in-process locks guard the documents' writes.
const stripeCount = 256

// stripes serialise, within one Storage, the decisions that may write one
// document: goroutines of one process then queue for it instead of
// racing, so their compare-and-swaps do not fail on each other and cost
// round trips for nothing. Other processes are still kept right by the
// compare-and-swap. Documents whose identifiers hash alike share a stripe.
type stripes [stripeCount]chan struct{}

func newStripes() *stripes {
	var s stripes
	for i := range s {
		s[i] = make(chan struct{}, 1)
	}
	return &s
}

// lock takes the stripe of document id, or returns ctx's error when ctx
// ends first. The caller calls unlock(id) when done.
func (s *stripes) lock(ctx context.Context, id string) error {
	select {
	case s[stripeOf(id)] <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unlock releases the stripe of document id.
func (s *stripes) unlock(id string) { <-s[stripeOf(id)] }

// stripeOf returns the stripe of id: FNV-1a, folded.
func stripeOf(id string) int {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h^h>>16) % stripeCount
}
