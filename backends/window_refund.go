package backends

// Refunds take back hits a decision charged, for stores that decide the
// limits of a request in several atomic steps (one per client) and must
// undo the earlier steps when a later one refuses. A refund names the
// window or instant that received the hits (its mark, read from the state
// right after the charge), so hits that have since left the window are
// not taken back twice, and a window that opened since is not touched.

// Refund takes back up to cost hits charged while the window that opened at
// start was open. It reports whether s changed; it does not when that
// window has ended (s is empty or opened later).
func (s *FixedWindowState) Refund(start, cost int64) bool {
	if s.Count == 0 || s.Start != start || cost <= 0 {
		return false
	}
	s.Count -= min(cost, s.Count)
	return true
}

// Refund takes back up to cost hits charged in the bucket that starts at
// bucket (the state's Start right after the charge): from Cur while that
// bucket is current, from Prev once it is the previous one. It reports
// whether s changed; it does not when the bucket has left the window.
func (s *SlidingWindowState) Refund(bucket, window, cost int64) bool {
	if cost <= 0 {
		return false
	}
	switch {
	case s.Start == bucket && s.Cur > 0:
		s.Cur -= min(cost, s.Cur)
	case s.Start-window == bucket && s.Prev > 0:
		s.Prev -= min(cost, s.Prev)
	default:
		return false
	}
	return true
}

// Refund takes back up to cost hits logged at the instant at (the newest
// instant right after the charge), dropping the entry when none remain. It
// reports whether l changed; it does not when no hit at that instant is
// still in the log.
func (l *MovingWindowLog) Refund(at, cost int64) bool {
	if cost <= 0 {
		return false
	}
	for i := len(l.hits) - 1; i >= l.head && l.hits[i].at >= at; i-- {
		if h := &l.hits[i]; h.at == at {
			k := min(cost, h.n)
			h.n -= k
			l.count -= k
			if h.n == 0 {
				l.hits = append(l.hits[:i], l.hits[i+1:]...)
			}
			return true
		}
	}
	return false
}

// Newest returns the instant of the newest hit in the log, the mark a
// refund of the last charge names, and false when the log is empty.
func (l *MovingWindowLog) Newest() (int64, bool) {
	if l.head == len(l.hits) {
		return 0, false
	}
	return l.hits[len(l.hits)-1].at, true
}
