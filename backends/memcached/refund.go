package memcached

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// refundAll undoes the charges of a request that a later client refused,
// newest first, and puts the uncharged results of those clients into
// results. Refunds run even when ctx is done (a charge must not stay
// behind because the caller gave up), bounded by a timeout of their own.
func (s *Storage) refundAll(ctx context.Context, req *backends.Request, done []mark, results []backends.Result) error {
	if len(done) == 0 {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	deadline := time.Now().Add(s.opts.Timeout)
	var errs []error
	for _, m := range slices.Backward(done) {
		if err := s.refund(ctx, deadline, req, m); err != nil {
			errs = append(errs, err)
		}
		for k, i := range m.g.idx {
			results[i] = m.pre[k]
		}
	}
	return errors.Join(errs...)
}

// refund takes the hits of one charge out of the client's item again:
// from the fixed window or sliding bucket that received them, or from the
// moving log's entry at their instant. Hits whose window has moved on
// since are gone already.
func (s *Storage) refund(ctx context.Context, deadline time.Time, req *backends.Request, m mark) error {
	tag := stateTag[req.Strategy]
	return s.rewrite(ctx, deadline, m.g.key, req.Now.UnixNano(), func(en *entry) ([]byte, bool, error) {
		if en.state[0] != tag {
			return nil, false, nil
		}
		for k, i := range m.g.idx {
			l := &req.Limits[i]
			if l.Cost == 0 || string(en.key) != l.Key {
				continue
			}
			state, changed, err := undo(req.Strategy, en.state, m.marks[k], int64(l.Window), l.Cost)
			if err != nil {
				return nil, false, fmt.Errorf("memcached: refund of limit %q: %w", l.Key, err)
			}
			return state, changed, nil
		}
		return nil, false, nil
	})
}

// undo removes cost hits charged at mark from the encoded state b and
// returns the new encoding (nil when nothing is left) and whether it
// changed.
func undo(strategy backends.Strategy, b []byte, mark, window, cost int64) ([]byte, bool, error) {
	switch strategy {
	case backends.FixedWindow:
		var f backends.FixedWindowState
		if err := f.UnmarshalBinary(b); err != nil {
			return nil, false, err
		}
		if f.Count == 0 || f.Start != mark {
			return nil, false, nil
		}
		if f.Count = max(f.Count-cost, 0); f.Count == 0 {
			return nil, true, nil
		}
		out, _ := f.AppendBinary(nil)
		return out, true, nil
	case backends.SlidingWindowCounter:
		var sw backends.SlidingWindowState
		if err := sw.UnmarshalBinary(b); err != nil {
			return nil, false, err
		}
		switch {
		case sw.Start == mark:
			sw.Cur = max(sw.Cur-cost, 0)
		case sw.Start-window == mark:
			sw.Prev = max(sw.Prev-cost, 0)
		default:
			return nil, false, nil
		}
		if sw.Prev == 0 && sw.Cur == 0 {
			return nil, true, nil
		}
		out, _ := sw.AppendBinary(nil)
		return out, true, nil
	default:
		return undoMoving(b, mark, window, cost)
	}
}

// undoMoving removes cost hits at the instant mark from an encoded moving
// log. The log has no method to remove hits, so its documented encoding
// (package backends, window_codec.go) is read here and the log rebuilt
// from the remaining hits with Charge, in ascending order.
func undoMoving(b []byte, mark, window, cost int64) ([]byte, bool, error) {
	var check backends.MovingWindowLog
	if err := check.UnmarshalBinary(b); err != nil {
		return nil, false, err
	}
	b = b[1:] // the tag, checked above
	last, n := binary.Varint(b)
	b = b[n:]
	count, n := binary.Uvarint(b)
	b = b[n:]
	var log backends.MovingWindowLog
	var at int64
	changed := false
	for range count {
		delta, n := binary.Varint(b)
		b = b[n:]
		hits, n := binary.Uvarint(b)
		b = b[n:]
		at += delta
		h := int64(hits)
		if at == mark && !changed {
			h, changed = max(h-cost, 0), true
		}
		log.Charge(at, h)
	}
	if !changed {
		return nil, false, nil
	}
	log.Current(last, window)
	if log.Count() == 0 {
		return nil, true, nil
	}
	out, _ := log.AppendBinary(nil)
	return out, true, nil
}
