package backends

// MovingWindowLog is the state of one moving-window limit: a log of the
// instants of the hits charged in the last window. A request of cost c is
// admitted iff fewer than amount-c+1 hits lie in the last window (that is,
// count+c ≤ amount); a hit charged at t counts while now < t+window. Hits
// charged at one instant are kept as one entry, so the log holds at most
// min(amount, distinct instants) entries. The zero value is an empty log. A
// log is not safe for concurrent use; backends guard it.
type MovingWindowLog struct {
	hits  []loggedHits // hits[head:] are live, ascending by at
	head  int          // hits before head have left the window
	count int64        // sum of the live hits[i].n
	last  int64        // the latest instant Current was given
}

type loggedHits struct {
	at int64 // Unix nanoseconds
	n  int64 // hits charged at that instant
}

// Current drops the hits that no longer lie in the window ending at now:
// those charged at t ≤ now-window. The log's instants never go backwards: a
// now before the latest instant the log was given (a request that read the
// clock before a concurrent one but is decided after it) is taken as that
// latest instant, since the hits it would still count may be gone.
func (l *MovingWindowLog) Current(now, window int64) {
	if now < l.last && (l.head < len(l.hits) || l.count != 0) {
		now = l.last
	}
	l.last = now
	cut := subSat(now, window)
	i := l.head
	for i < len(l.hits) && l.hits[i].at <= cut {
		l.count -= l.hits[i].n
		i++
	}
	switch {
	case i == l.head:
	case i == len(l.hits):
		if cap(l.hits) > 64 {
			l.hits = nil // release a burst's storage
		}
		l.hits, l.head, l.count = l.hits[:0], 0, 0
	case i >= 16 && 2*i >= len(l.hits):
		// Compact once half the slice has left, so dropping costs O(1)
		// amortised; shrink when a burst has left, so the storage stays
		// within a small multiple of the live entries.
		live := l.hits[i:]
		if cap(l.hits) > 64 && cap(l.hits) > 8*len(live) {
			l.hits = make([]loggedHits, len(live), 2*len(live))
		}
		n := copy(l.hits, live)
		l.hits, l.head = l.hits[:n], 0
	default:
		l.head = i
	}
}

// Count returns the number of hits in the log.
func (l *MovingWindowLog) Count() int64 { return l.count }

// Allows reports whether the log, as left by Current, has room for cost
// more hits under amount. A cost of 0 is always allowed.
func (l *MovingWindowLog) Allows(amount, cost int64) bool {
	return fits(l.count, amount, cost)
}

// Charge logs cost hits at now, or at the latest instant given to Current
// if that is later. Charging 0 changes nothing.
func (l *MovingWindowLog) Charge(now, cost int64) {
	if cost <= 0 {
		return
	}
	now = max(now, l.last)
	l.count = addSat(l.count, cost)
	if n := len(l.hits); n > l.head && l.hits[n-1].at == now {
		l.hits[n-1].n = addSat(l.hits[n-1].n, cost)
		return
	}
	l.hits = append(l.hits, loggedHits{at: now, n: cost})
}

// Stats returns the hits still admitted and the instant the oldest logged
// hit leaves the window (its instant + window), for the log as left by
// Current. With an empty log, remaining is amount and reset is now.
func (l *MovingWindowLog) Stats(now, window, amount int64) (remaining, reset int64) {
	if l.head == len(l.hits) {
		return amount, now
	}
	return remainingOf(l.count, amount), addSat(l.hits[l.head].at, window)
}

// Expires returns the first instant at which the log holds nothing any
// more: the newest hit's instant + window.
func (l *MovingWindowLog) Expires(window int64) int64 {
	if l.head == len(l.hits) {
		return -1 << 63
	}
	return addSat(l.hits[len(l.hits)-1].at, window)
}

// Entries returns the number of distinct instants in the log, for memory
// accounting.
func (l *MovingWindowLog) Entries() int { return len(l.hits) - l.head }

// Reset empties the log, keeping its storage for reuse.
func (l *MovingWindowLog) Reset() {
	l.hits, l.head, l.count, l.last = l.hits[:0], 0, 0, 0
}
