package memcached

import (
	"context"
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
	tag := backends.StateTag(req.Strategy)
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
	var out []byte
	switch strategy {
	case backends.FixedWindow:
		var f backends.FixedWindowState
		if err := f.UnmarshalBinary(b); err != nil {
			return nil, false, err
		}
		if !f.Refund(mark, cost) {
			return nil, false, nil
		}
		if f.Count > 0 {
			out, _ = f.AppendBinary(nil)
		}
	case backends.SlidingWindowCounter:
		var sw backends.SlidingWindowState
		if err := sw.UnmarshalBinary(b); err != nil {
			return nil, false, err
		}
		if !sw.Refund(mark, window, cost) {
			return nil, false, nil
		}
		if sw.Prev > 0 || sw.Cur > 0 {
			out, _ = sw.AppendBinary(nil)
		}
	default:
		var log backends.MovingWindowLog
		if err := log.UnmarshalBinary(b); err != nil {
			return nil, false, err
		}
		if !log.Refund(mark, cost) {
			return nil, false, nil
		}
		if log.Count() > 0 {
			out, _ = log.AppendBinary(nil)
		}
	}
	return out, true, nil
}
