package backends

// FixedWindowState is the state of one fixed-window counter: a window opens
// at the first charged hit and lasts the limit's window; when it ends the
// counter starts again from zero at the next hit (as in Flask-Limiter's
// limits library). The zero value is an empty counter. A value is not safe
// for concurrent use; backends guard it.
type FixedWindowState struct {
	// Start is the instant, in Unix nanoseconds, the window opened.
	Start int64
	// Count is the number of hits charged in the window; 0 means no window
	// is open (Start is then meaningless).
	Count int64
}

// Current returns s as seen at now: a window that has ended (now ≥
// Start+window) reads as the zero state. A hit at t therefore counts
// during [t, t+window) when it opened the window.
func (s FixedWindowState) Current(now, window int64) FixedWindowState {
	if s.Count == 0 || now >= addSat(s.Start, window) {
		return FixedWindowState{}
	}
	return s
}

// Allows reports whether s, as returned by Current, has room for cost more
// hits under amount: Count+cost ≤ amount. A cost of 0 is always allowed.
func (s FixedWindowState) Allows(amount, cost int64) bool {
	return fits(s.Count, amount, cost)
}

// Charge adds cost hits at now to s (as returned by Current), opening a
// window at now if none is open. Charging 0 changes nothing, so a zero-cost
// request never opens a window.
func (s *FixedWindowState) Charge(now, cost int64) {
	if cost <= 0 {
		return
	}
	if s.Count == 0 {
		s.Start = now
	}
	s.Count = addSat(s.Count, cost)
}

// Stats returns the hits still admitted in the window and the instant the
// window ends, for s as returned by Current. With no window open, remaining
// is amount and reset is now.
func (s FixedWindowState) Stats(now, window, amount int64) (remaining, reset int64) {
	if s.Count == 0 {
		return amount, now
	}
	return remainingOf(s.Count, amount), addSat(s.Start, window)
}

// Expires returns the first instant at which s holds nothing any more, so a
// backend may drop it (and a store with expiry may let the key expire).
func (s FixedWindowState) Expires(window int64) int64 {
	if s.Count == 0 {
		return -1 << 63
	}
	return addSat(s.Start, window)
}
