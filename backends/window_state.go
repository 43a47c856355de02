package backends

// WindowState is one limit's state under whichever strategy a request
// names, for backends that keep states as encoded values and decide them
// on the client (Memcached, MongoDB, etcd): it loads an encoding, runs the
// window model of that strategy and encodes the result. All instants are
// Unix nanoseconds and windows nanoseconds. The zero value is an empty
// fixed-window state; Load selects the strategy. A WindowState is not safe
// for concurrent use; it may be reused across limits to keep the moving
// log's storage.
type WindowState struct {
	strategy Strategy
	fixed    FixedWindowState
	sliding  SlidingWindowState
	moving   MovingWindowLog
}

// StateTag returns the first byte of the encoding of strategy's states, so
// that a backend can tell which strategy a stored value belongs to without
// decoding it. It returns 0 for an unknown strategy.
func StateTag(strategy Strategy) byte {
	switch strategy {
	case FixedWindow:
		return tagFixed
	case MovingWindow:
		return tagMoving
	case SlidingWindowCounter:
		return tagSliding
	}
	return 0
}

// Load makes s the state of strategy encoded in b (by AppendBinary), or
// the empty state when b is empty. It returns ErrMalformedState when b is
// not an encoding of strategy's state.
func (s *WindowState) Load(strategy Strategy, b []byte) error {
	s.strategy = strategy
	switch strategy {
	case FixedWindow:
		s.fixed = FixedWindowState{}
		if len(b) > 0 {
			return s.fixed.UnmarshalBinary(b)
		}
	case MovingWindow:
		s.moving.Reset()
		if len(b) > 0 {
			return s.moving.UnmarshalBinary(b)
		}
	default:
		s.sliding = SlidingWindowState{}
		if len(b) > 0 {
			return s.sliding.UnmarshalBinary(b)
		}
	}
	return nil
}

// Strategy returns the strategy s was loaded for.
func (s *WindowState) Strategy() Strategy { return s.strategy }

// AppendBinary appends the encoding of s to dst (encoding.BinaryAppender).
func (s *WindowState) AppendBinary(dst []byte) ([]byte, error) {
	switch s.strategy {
	case FixedWindow:
		return s.fixed.AppendBinary(dst)
	case MovingWindow:
		return s.moving.AppendBinary(dst)
	default:
		return s.sliding.AppendBinary(dst)
	}
}

// Current brings s up to now (the strategy's Current).
func (s *WindowState) Current(now, window int64) {
	switch s.strategy {
	case FixedWindow:
		s.fixed = s.fixed.Current(now, window)
	case MovingWindow:
		s.moving.Current(now, window)
	default:
		s.sliding = s.sliding.Current(now, window)
	}
}

// Allows reports whether s, brought up to now by Current, has room for
// cost more hits under amount.
func (s *WindowState) Allows(now, window, amount, cost int64) bool {
	switch s.strategy {
	case FixedWindow:
		return s.fixed.Allows(amount, cost)
	case MovingWindow:
		return s.moving.Allows(amount, cost)
	default:
		return s.sliding.Allows(now, window, amount, cost)
	}
}

// Charge adds cost hits at now and returns the mark that Refund needs to
// take them back: the fixed window's start, the sliding bucket's start,
// or the moving log's instant of the hits.
func (s *WindowState) Charge(now, cost int64) (mark int64) {
	switch s.strategy {
	case FixedWindow:
		s.fixed.Charge(now, cost)
		return s.fixed.Start
	case MovingWindow:
		s.moving.Charge(now, cost)
		mark, _ = s.moving.Newest()
		return mark
	default:
		s.sliding.Charge(cost)
		return s.sliding.Start
	}
}

// Refund takes back up to cost hits that a Charge returning mark added,
// and reports whether s changed (it does not once those hits have left
// the window).
func (s *WindowState) Refund(mark, window, cost int64) bool {
	switch s.strategy {
	case FixedWindow:
		return s.fixed.Refund(mark, cost)
	case MovingWindow:
		return s.moving.Refund(mark, cost)
	default:
		return s.sliding.Refund(mark, window, cost)
	}
}

// Stats returns the hits still admitted and the reset instant (the
// strategy's Stats).
func (s *WindowState) Stats(now, window, amount int64) (remaining, reset int64) {
	switch s.strategy {
	case FixedWindow:
		return s.fixed.Stats(now, window, amount)
	case MovingWindow:
		return s.moving.Stats(now, window, amount)
	default:
		return s.sliding.Stats(now, window, amount)
	}
}

// Expires returns the first instant at which s holds nothing, or
// math.MinInt64 when it holds nothing already.
func (s *WindowState) Expires(window int64) int64 {
	switch s.strategy {
	case FixedWindow:
		return s.fixed.Expires(window)
	case MovingWindow:
		return s.moving.Expires(window)
	default:
		return s.sliding.Expires(window)
	}
}

// Entries returns the number of distinct instants a moving-window state
// logs (its size, for a backend deciding whether to keep it for reuse), and
// 0 for the other strategies.
func (s *WindowState) Entries() int {
	if s.strategy != MovingWindow {
		return 0
	}
	return s.moving.Entries()
}
