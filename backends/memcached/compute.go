package memcached

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/limitgen/limitgen/backends"
)

// decision decides the limits of one client against the value of its
// item, with the window model of package backends, and builds the value
// to write back. It is reused across the attempts of one compare-and-swap
// loop.
type decision struct {
	req     *backends.Request
	g       group
	results []backends.Result
	charge  bool
	maxItem int
	m       *mark // non-nil: record the charge for a refund

	ok      bool   // every limit allowed
	out     []byte // the value to write
	expires int64  // the latest expiry among out's states

	entries []entry
	match   []int // per limit of g, the index of its entry, or -1
	states  []backends.WindowState
	buf     []byte
}

var decisions = sync.Pool{New: func() any { return new(decision) }}

// maxPooled is the largest buffer a pooled decision keeps.
const maxPooled = 64 << 10

// newDecision returns a decision for the limits g of req, from a pool.
func newDecision(req *backends.Request, g group, results []backends.Result, charge bool, maxItem int) *decision {
	d := decisions.Get().(*decision)
	d.req, d.g, d.results, d.charge, d.maxItem, d.m = req, g, results, charge, maxItem, nil
	n := len(g.idx)
	if cap(d.states) < n {
		d.states = make([]backends.WindowState, n)
		d.match = make([]int, n)
	}
	d.states, d.match = d.states[:n], d.match[:n]
	return d
}

// release returns d to the pool, without what it must not keep: the
// request, and buffers that a large item grew.
func (d *decision) release() {
	clear(d.entries) // they alias the item's value
	d.req, d.results, d.m, d.entries = nil, nil, nil, d.entries[:0]
	if cap(d.out) > maxPooled {
		d.out = nil
	}
	if cap(d.buf) > maxPooled {
		d.buf = nil // one state's encoding, up to the item's size
	}
	if cap(d.entries)*int(unsafe.Sizeof(entry{})) > maxPooled {
		d.entries = nil
	}
	for i := range d.states {
		if d.states[i].Entries() > maxPooled/16 {
			d.states[i] = backends.WindowState{}
		}
	}
	decisions.Put(d)
}

// compute decides against value (nil for a missing item), fills the
// results of the group's limits and reports whether the item must be
// written: only when every limit allowed and something was charged. A
// read-only decision is then exact as of the read.
func (d *decision) compute(value []byte) (write bool, err error) {
	now := d.req.Now.UnixNano()
	if d.entries, err = parseItem(d.entries[:0], value); err != nil {
		return false, fmt.Errorf("memcached: item %q: %w", d.g.key, err)
	}
	tag := backends.StateTag(d.req.Strategy)
	d.ok = true
	anyCost := false
	for k, i := range d.g.idx {
		l := &d.req.Limits[i]
		var b []byte
		d.match[k] = -1
		for e := range d.entries {
			if d.entries[e].state[0] == tag && string(d.entries[e].key) == l.Key {
				b, d.match[k] = d.entries[e].state, e
				break
			}
		}
		st := &d.states[k]
		if err := st.Load(d.req.Strategy, b); err != nil {
			return false, fmt.Errorf("memcached: item %q, limit %q: %w", d.g.key, l.Key, err)
		}
		st.Current(now, int64(l.Window))
		allowed := st.Allows(now, int64(l.Window), l.Amount, l.Cost)
		d.results[i].Allowed = allowed
		d.ok = d.ok && allowed
		anyCost = anyCost || l.Cost > 0
	}
	write = d.charge && d.ok && anyCost
	for k, i := range d.g.idx {
		l := &d.req.Limits[i]
		st, w := &d.states[k], int64(l.Window)
		if write {
			if d.m != nil {
				rem, reset := st.Stats(now, w, l.Amount)
				d.m.pre[k] = backends.Result{Allowed: true, Remaining: rem, Reset: time.Unix(0, reset)}
			}
			if l.Cost > 0 {
				mk := st.Charge(now, l.Cost)
				if d.m != nil {
					d.m.marks[k] = mk
				}
			}
		}
		rem, reset := st.Stats(now, w, l.Amount)
		d.results[i].Remaining, d.results[i].Reset = rem, time.Unix(0, reset)
	}
	if !write {
		return false, nil
	}
	out := append(d.out[:0], itemVersion)
	d.expires = math.MinInt64
	for e := range d.entries {
		en := &d.entries[e]
		if en.expires <= now || slices.Contains(d.match, e) {
			continue // gone, or replaced below
		}
		out = append(out, en.raw...)
		d.expires = max(d.expires, en.expires)
	}
	for k, i := range d.g.idx {
		l := &d.req.Limits[i]
		st := &d.states[k]
		exp := st.Expires(int64(l.Window))
		if exp <= now {
			continue
		}
		d.buf, _ = st.AppendBinary(d.buf[:0])
		out = appendEntry(out, l.Key, exp, d.buf)
		d.expires = max(d.expires, exp)
	}
	d.out = out
	if len(out) > d.maxItem {
		return false, d.tooLarge(now)
	}
	return true, nil
}

// tooLarge is the error for a value that outgrew the item size limit: it
// names the limit with the largest state, the one to change.
func (d *decision) tooLarge(now int64) error {
	var key string
	var strategy byte
	size := -1
	for e := range d.entries {
		en := &d.entries[e]
		if en.expires > now && !slices.Contains(d.match, e) && len(en.state) > size {
			key, strategy, size = string(en.key), en.state[0], len(en.state)
		}
	}
	for k, i := range d.g.idx {
		d.buf, _ = d.states[k].AppendBinary(d.buf[:0])
		if len(d.buf) > size {
			key, strategy, size = d.req.Limits[i].Key, d.buf[0], len(d.buf)
		}
	}
	name := map[byte]string{'F': "fixed-window", 'M': "moving-window", 'S': "sliding-window-counter"}[strategy]
	return fmt.Errorf("memcached: the counters of client %q take %d bytes, more than the item size limit of %d (max_item_size): the largest is limit %q, a %s state of %d bytes; lower its amount, use another strategy or raise memcached -I",
		d.g.tag, len(d.out), d.maxItem, key, name, size)
}
