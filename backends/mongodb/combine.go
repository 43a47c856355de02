package mongodb

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/limitgen/limitgen/backends"
)

// maxBatch bounds how many decisions one read and one write decide.
const maxBatch = 64

// queues combine the Hits of one Storage on one document: while a batch of
// decisions for a document is in flight (one read, one compare-and-swap),
// the Hits that arrive for it wait, and go together in the next batch,
// decided in their order of arrival on the states the earlier ones left,
// as if one after the other. So the goroutines of one process never fail
// each other's swaps, and a hot client costs two round trips per batch
// rather than per request. Other processes are kept right by the swap.
type queues struct {
	mu      sync.Mutex
	waiting map[string][]*pending // by document; present while a batch runs
}

// pending is one decision in a queue or batch.
type pending struct {
	ctx     context.Context
	req     *backends.Request
	idx     []int   // the limits of req in this document
	charge  bool    // Hit, not Test
	marks   []int64 // nil, or receives state.mark per limit when charged
	results []backends.Result

	// set by the batch
	allowed, charged bool
	err              error

	state atomic.Int32  // waiting, taken (into a batch) or abandoned (by its caller)
	wake  chan struct{} // closed when decided, or when it must lead
	lead  []*pending    // set before wake when this one runs the next batch
}

const (
	waiting int32 = iota
	taken
	abandoned
)

// join decides p with the other Hits on document id: it runs a batch
// itself when none is in flight, else waits for one to take it. A decision
// whose context ends while it waits is never sent; one taken into a batch
// waits for the batch, whose calls its leader's context bounds.
func (q *queues) join(s *Storage, id string, p *pending) error {
	q.mu.Lock()
	if w, busy := q.waiting[id]; busy {
		p.wake = make(chan struct{})
		q.waiting[id] = append(w, p)
		q.mu.Unlock()
		select {
		case <-p.wake:
		case <-p.ctx.Done():
			if p.state.CompareAndSwap(waiting, abandoned) {
				return p.ctx.Err()
			}
			<-p.wake
		}
		if p.lead == nil {
			return nil
		}
		q.lead(s, id, p, p.lead)
		return nil
	}
	if q.waiting == nil {
		q.waiting = map[string][]*pending{}
	}
	q.waiting[id] = nil
	q.mu.Unlock()
	p.state.Store(taken)
	q.lead(s, id, p, []*pending{p})
	return nil
}

// lead runs batch, of which leader (the caller) is a member, then hands
// the decisions that queued meanwhile to one of them to run as the next
// batch (or ends the queue), and wakes the other members of batch. The
// batch's calls are bounded by batchContext.
func (q *queues) lead(s *Storage, id string, leader *pending, batch []*pending) {
	ctx, cancel := batchContext(leader, batch)
	s.runBatch(ctx, id, batch)
	cancel()
	q.mu.Lock()
	w := q.waiting[id]
	var next []*pending
	n := 0
	for ; n < len(w) && len(next) < maxBatch; n++ {
		if w[n].state.CompareAndSwap(waiting, taken) {
			next = append(next, w[n])
		}
	}
	if rest := w[n:]; len(rest) > 0 || len(next) > 0 {
		q.waiting[id] = append(w[:0:0], rest...)
	} else {
		delete(q.waiting, id)
	}
	q.mu.Unlock()
	for _, m := range batch {
		if m != leader {
			close(m.wake)
		}
	}
	if len(next) > 0 {
		// The member whose context ends last runs the batch, so that its
		// calls are bounded by the longest-living caller.
		best := 0
		for i, m := range next {
			if later(m.ctx, next[best].ctx) {
				best = i
			}
		}
		next[best].lead = next
		close(next[best].wake)
	}
}

// batchContext returns the context that bounds batch's calls: the
// leader's deadline (the latest of the batch's, see lead), ended early only
// once every member's context has ended. One member whose caller cancels
// (a client that went away) thus does not fail the others' decisions. The
// returned cancel must be called when the batch is done.
func batchContext(leader *pending, batch []*pending) (context.Context, context.CancelFunc) {
	if len(batch) == 1 {
		return leader.ctx, func() {}
	}
	ctx := context.WithoutCancel(leader.ctx)
	cancelDeadline := context.CancelFunc(func() {})
	if d, ok := leader.ctx.Deadline(); ok {
		ctx, cancelDeadline = context.WithDeadline(ctx, d)
	}
	ctx, cancelAll := context.WithCancelCause(ctx)
	var left atomic.Int32
	left.Store(int32(len(batch)))
	stops := make([]func() bool, len(batch))
	for i, m := range batch {
		stops[i] = context.AfterFunc(m.ctx, func() {
			if left.Add(-1) == 0 {
				cancelAll(context.Cause(m.ctx))
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancelAll(nil)
		cancelDeadline()
	}
}

// later reports whether a ends after b (no deadline is latest).
func later(a, b context.Context) bool {
	da, oka := a.Deadline()
	db, okb := b.Deadline()
	switch {
	case !oka:
		return okb
	case !okb:
		return false
	}
	return da.After(db)
}
