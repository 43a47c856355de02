package mongodb

import (
	"context"
	"encoding/binary"

	"github.com/limitgen/limitgen/backends"
)

// refundDoc takes back the hits a decision charged to the limits
// req.Limits[i], i in idx, of document id, found by marks (state.mark),
// through the same compare-and-swap as a decision. A state that has moved
// on since (a fixed window that ended, a sliding window two buckets on, a
// moving window whose charged hits left) has nothing left to refund.
func (s *Storage) refundDoc(ctx context.Context, id string, req *backends.Request, idx []int, marks []int64) error {
	tag := tags[req.Strategy]
	var st state
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
			b := entries[p].B
			if req.Strategy == backends.MovingWindow {
				b = unchargeMoving(b, marks[j], l.Cost)
			}
			st.reset(req.Strategy)
			if err := st.decode(b); err != nil {
				return err
			}
			w := int64(l.Window)
			switch req.Strategy {
			case backends.FixedWindow:
				if st.fixed.Count > 0 && st.fixed.Start == marks[j] {
					st.fixed.Count -= min(l.Cost, st.fixed.Count)
				}
			case backends.SlidingWindowCounter:
				switch {
				case st.sliding.Start == marks[j]:
					st.sliding.Cur -= min(l.Cost, st.sliding.Cur)
				case st.sliding.Start-w == marks[j]:
					st.sliding.Prev -= min(l.Cost, st.sliding.Prev)
				}
			}
			entries[p] = entry{K: l.Key, X: st.expires(w), B: st.encode(nil)}
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

// unchargeMoving returns the moving-window log encoded in b with cost hits
// fewer at the instant at (none when no hits remain there), in the same
// stable encoding of package backends: tag, last instant, entry count,
// then per entry the instant's difference from the previous one and the
// hits. A value it cannot read is returned unchanged, for the decoder to
// report.
func unchargeMoving(b []byte, at, cost int64) []byte {
	r := b[1:]
	last, n := binary.Varint(r)
	if n <= 0 {
		return b
	}
	r = r[n:]
	count, n := binary.Uvarint(r)
	if n <= 0 {
		return b
	}
	r = r[n:]
	if count > uint64(len(r)/2) { // each entry takes at least 2 bytes
		return b
	}
	type hit struct{ at, n int64 }
	hits := make([]hit, 0, count)
	var t int64
	for range count {
		d, n := binary.Varint(r)
		if n <= 0 {
			return b
		}
		r = r[n:]
		k, n := binary.Uvarint(r)
		if n <= 0 {
			return b
		}
		r = r[n:]
		t += d
		hits = append(hits, hit{t, int64(k)})
	}
	out := append(make([]byte, 0, len(b)), b[0])
	out = binary.AppendVarint(out, last)
	kept := hits[:0]
	for _, h := range hits {
		if h.at == at {
			h.n -= min(cost, h.n)
		}
		if h.n > 0 {
			kept = append(kept, h)
		}
	}
	out = binary.AppendUvarint(out, uint64(len(kept)))
	var prev int64
	for _, h := range kept {
		out = binary.AppendVarint(out, h.at-prev)
		out = binary.AppendUvarint(out, uint64(h.n))
		prev = h.at
	}
	return out
}
