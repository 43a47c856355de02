package mongodb

import (
	"context"

	"github.com/limitgen/limitgen/backends"
)

// refundDoc takes back the hits a decision charged to the limits
// req.Limits[i], i in idx, of document id, found by marks (state.mark),
// through the same compare-and-swap as a decision. A state that has moved
// on since (a fixed window that ended, a sliding window two buckets on, a
// moving window whose charged hits left) has nothing left to refund.
func (s *Storage) refundDoc(ctx context.Context, id string, req *backends.Request, idx []int, marks []int64) error {
	tag := backends.StateTag(req.Strategy)
	var st backends.WindowState
	var doc document
	for attempt := 0; ; attempt++ {
		found, err := s.load(ctx, id, &doc)
		if err != nil || !found {
			return err
		}
		entries := make([]entry, 0, len(doc.S))
		entries = append(entries, doc.S...)
		changed := false
		for j, i := range idx {
			l := &req.Limits[i]
			p := -1
			for k := range entries {
				if e := &entries[k]; e.K == l.Key && len(e.B) > 0 && e.B[0] == tag {
					p = k
				}
			}
			if p < 0 || l.Cost == 0 {
				continue
			}
			if err := st.Load(req.Strategy, entries[p].B); err != nil {
				return err
			}
			w := int64(l.Window)
			if !st.Refund(marks[j], w, l.Cost) {
				continue
			}
			entries[p] = entry{K: l.Key, X: st.Expires(w), B: encode(&st)}
			changed = true
		}
		if !changed {
			return nil
		}
		live := entries[:0]
		for _, e := range entries {
			if e.X != -1<<63 {
				live = append(live, e)
			}
		}
		ok, err := s.store(ctx, id, &doc.V, live)
		if err != nil || ok {
			return err
		}
		if err := s.conflict(ctx, attempt); err != nil {
			return err
		}
	}
}
