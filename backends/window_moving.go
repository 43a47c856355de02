package backends

// MovingWindowLog is the state of one moving-window limit: a log of the
// instants of the hits charged in the last window. A request of cost c is
// admitted iff fewer than amount-c+1 hits lie in the last window (that is,
// count+c ≤ amount); a hit charged at t counts while now < t+window. Hits
// charged at one instant are kept as one entry, so the log holds at most
// min(amount, distinct instants) entries. The zero value is an empty log. A
// log is not safe for concurrent use; backends guard it.
type MovingWindowLog struct {
	hits  []loggedHits // ascending by at
	count int64        // sum of hits[i].n
}

type loggedHits struct {
	at int64 // Unix nanoseconds
	n  int64 // hits charged at that instant
}

// Current drops the hits that no longer lie in the window ending at now:
// those charged at t ≤ now-window. Hits charged after now (by a request
// that read the clock earlier but was decided later) still count.
func (l *MovingWindowLog) Current(now, window int64) {
	cut := subSat(now, window)
	i := 0
	for i < len(l.hits) && l.hits[i].at <= cut {
		l.count -= l.hits[i].n
		i++
	}
	if i == 0 {
		return
	}
	if i == len(l.hits) {
		l.hits = l.hits[:0]
		l.count = 0
		return
	}
	// Shift down rather than reslice, so the backing array is reused and
	// the log's memory stays bounded by its live entries.
	n := copy(l.hits, l.hits[i:])
	l.hits = l.hits[:n]
}

// Count returns the number of hits in the log.
func (l *MovingWindowLog) Count() int64 { return l.count }

// Allows reports whether the log, as left by Current, has room for cost
// more hits under amount. A cost of 0 is always allowed.
func (l *MovingWindowLog) Allows(amount, cost int64) bool {
	return fits(l.count, amount, cost)
}

// Charge logs cost hits at now. Charging 0 changes nothing.
func (l *MovingWindowLog) Charge(now, cost int64) {
	if cost <= 0 {
		return
	}
	l.count = addSat(l.count, cost)
	i := len(l.hits)
	for i > 0 && l.hits[i-1].at > now {
		i--
	}
	if i > 0 && l.hits[i-1].at == now {
		l.hits[i-1].n = addSat(l.hits[i-1].n, cost)
		return
	}
	l.hits = append(l.hits, loggedHits{})
	copy(l.hits[i+1:], l.hits[i:])
	l.hits[i] = loggedHits{at: now, n: cost}
}

// Stats returns the hits still admitted and the instant the oldest logged
// hit leaves the window (its instant + window), for the log as left by
// Current. With an empty log, remaining is amount and reset is now.
func (l *MovingWindowLog) Stats(now, window, amount int64) (remaining, reset int64) {
	if len(l.hits) == 0 {
		return amount, now
	}
	return remainingOf(l.count, amount), addSat(l.hits[0].at, window)
}

// Expires returns the first instant at which the log holds nothing any
// more: the newest hit's instant + window.
func (l *MovingWindowLog) Expires(window int64) int64 {
	if len(l.hits) == 0 {
		return -1 << 63
	}
	return addSat(l.hits[len(l.hits)-1].at, window)
}

// Entries returns the number of distinct instants in the log, for memory
// accounting.
func (l *MovingWindowLog) Entries() int { return len(l.hits) }

// Reset empties the log, keeping its storage for reuse.
func (l *MovingWindowLog) Reset() {
	l.hits = l.hits[:0]
	l.count = 0
}
