package redis

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// Script operations (ARGV[1] of decide.lua).
const (
	opHit    = "h"
	opTest   = "t"
	opRefund = "r"
	// opHitOne is a hit on one limit whose cost is between 1 and its
	// amount: the scripts' short path.
	opHitOne = "H"
	// opHitMany is a hit on several limits, each of whose costs is between
	// 1 and its amount, in one call: the short path for a request of many
	// limits (fixed_server.lua, moving_one.lua, sliding_one.lua).
	opHitMany = "M"
)

var strategySuffix = [...]string{
	backends.FixedWindow:          fixedClientSuffix,
	backends.MovingWindow:         movingSuffix,
	backends.SlidingWindowCounter: slidingSuffix,
}

func (s *Storage) decide(ctx context.Context, op string, req *backends.Request, results []backends.Result) (bool, error) {
	if s.closed.Load() {
		return false, backends.ErrClosed
	}
	if err := req.Validate(results); err != nil {
		return false, err
	}
	if len(req.Limits) == 0 {
		return true, nil
	}
	if op == opHit && s.short(req) {
		op = opHitOne
	}
	var groups [][]int
	if s.cluster {
		groups = slotGroups(req.Limits)
	}
	if len(groups) > 1 {
		// several calls, bounded by one timeout in all
		ctx, cancel := s.bound(ctx)
		defer cancel()
		return s.decideGroups(ctx, op, req, results, groups)
	}
	if op == opHit && s.shortMany(req) {
		op = opHitMany
	}
	ok, _, err := s.call(ctx, op, req, req.Limits, results, "")
	return ok, err
}

// unknown is the argument -1 (an instant the script computes), boxed once:
// boxing a negative int64 allocates on every call.
var unknown any = int64(-1)

// maxShortWindow bounds the windows the moving and sliding short paths
// take: below it, nanoseconds of a window are exact in Lua's doubles.
const maxShortWindow = 1 << 52

// short reports whether req, decided in one call, may take the scripts'
// short path for a hit on one limit (operation "H"; see fixed_server.lua,
// moving_one.lua, sliding_one.lua): one limit whose cost is between 1 and
// its amount, on the server's clock, and for the moving and sliding windows
// a window of whole microseconds below 2^52 ns.
func (s *Storage) short(req *backends.Request) bool {
	if len(req.Limits) != 1 || s.opts.ClientClock {
		return false
	}
	l := &req.Limits[0]
	if l.Cost < 1 || l.Cost > l.Amount {
		return false
	}
	return req.Strategy == backends.FixedWindow || (l.Window%time.Microsecond == 0 && l.Window < maxShortWindow)
}

// shortMany reports whether req, of several limits decided in one call,
// may take a short path for many limits (operation "M"): on the server's
// clock, every cost between 1 and its limit's amount (exactly 1 for the
// moving window), and for the moving and sliding windows every window of
// whole microseconds below 2^52 ns.
func (s *Storage) shortMany(req *backends.Request) bool {
	if len(req.Limits) < 2 || s.opts.ClientClock {
		return false
	}
	for i := range req.Limits {
		l := &req.Limits[i]
		if l.Cost < 1 || l.Cost > l.Amount {
			return false
		}
		if req.Strategy == backends.FixedWindow {
			continue
		}
		if l.Window%time.Microsecond != 0 || l.Window >= maxShortWindow || (req.Strategy == backends.MovingWindow && l.Cost != 1) {
			return false
		}
	}
	return true
}

// call runs the script once for limits (all in one hash slot), writing
// their states to results. at is the instant as the script spells it (20
// digits, see decide.lua), or "" for the mode's default. It returns the
// decision and the instant used, in Unix nanoseconds (0 for the fixed
// window on the server's clock, whose refunds need no instant).
func (s *Storage) call(ctx context.Context, op string, req *backends.Request, limits []backends.Limit, results []backends.Result, at string) (bool, int64, error) {
	if req.Strategy == backends.FixedWindow && !s.opts.ClientClock {
		ok, err := s.callFixedServer(ctx, op, req, limits, results)
		return ok, 0, err
	}
	var sec, nsec int64
	known := false // the instant is known here, not read from the server
	var at64 int64
	switch {
	case at != "":
		n, err := parseInstant(at)
		if err != nil {
			return false, 0, err
		}
		at64, known = n, true
	case s.opts.ClientClock:
		if req.Now.Before(time.Unix(0, 0)) {
			return false, 0, fmt.Errorf("redis: decision instant %v is before 1970", req.Now)
		}
		at64, known = req.Now.UnixNano(), true
	}
	if known {
		sec, nsec = at64/1e9, at64%1e9
	}
	slack := int64(0)
	if s.opts.ClientClock {
		slack = clientClockSlack
	}
	sliding := req.Strategy == backends.SlidingWindowCounter
	sc := scratches.Get().(*scratch)
	defer sc.put()
	keys := sc.keys[:0]
	args := append(sc.args[:0], op)
	if known {
		args = append(args, sec, nsec, slack)
	} else {
		args = append(args, unknown, int64(0), slack) // read TIME
	}
	suffix := strategySuffix[req.Strategy]
	for i := range limits {
		l := &limits[i]
		keys = append(keys, s.opts.Prefix+l.Key+suffix)
		w := int64(l.Window)
		args = append(args, l.Amount, w/1e9, w%1e9, l.Cost)
		if sliding {
			// the instant modulo the window, exact here in 64 bits
			if known {
				args = append(args, at64%w)
			} else {
				args = append(args, unknown) // computed by the script
			}
		}
	}
	switch op {
	case opHitOne:
		// the short path's arguments: the window in microseconds and, for
		// the moving window, the key's lifetime in milliseconds, one and two
		// windows (see moving_one.lua)
		w := int64(limits[0].Window)
		args = append(args, w/1e3)
		if req.Strategy == backends.MovingWindow {
			args = append(args, w/1e6+1+slack, 2*w/1e6+1+slack)
		}
	case opHitMany: // the same for every limit
		for i := range limits {
			w := int64(limits[i].Window)
			args = append(args, w/1e3)
			if req.Strategy == backends.MovingWindow {
				args = append(args, w/1e6+1+slack, 2*w/1e6+1+slack)
			}
		}
	}
	sc.keys, sc.args = keys, args
	v, err := s.eval(ctx, scripts[req.Strategy], keys, args)
	if err != nil {
		return false, 0, wrap("decide", err)
	}
	if p, ok := v.(int64); ok && op == opHitOne && p >= 0 {
		// one limit, packed (see sliding_one.lua): the reset is in
		// nanoseconds after the server's now, which the reply leaves out
		m := limits[0].Amount + 1
		allowed, p := p&1, p>>1
		base := req.Now
		if base.IsZero() {
			base = time.Now()
		}
		results[0] = backends.Result{Allowed: allowed == 1, Remaining: p % m, Reset: base.Add(time.Duration(p/m - 1))}
		return allowed == 1, 0, nil
	}
	reply, ok := v.([]any)
	if !ok || len(reply) != 3+3*len(limits) {
		return false, 0, fmt.Errorf("redis: decide: script answered %v for %d limits", v, len(limits))
	}
	rs, _ := reply[1].(int64)
	rn, _ := reply[2].(int64)
	now := rs*1e9 + rn
	for i := range limits {
		r := reply[3+3*i:]
		allowed, _ := r[0].(int64)
		remaining, _ := r[1].(int64)
		var reset int64
		switch v := r[2].(type) {
		case string: // an instant
			if reset, err = parseInstant(v); err != nil {
				return false, 0, err
			}
		case int64: // nanoseconds after now
			reset = now + v
		default:
			return false, 0, fmt.Errorf("redis: decide: script answered reset %v", v)
		}
		results[i] = backends.Result{Allowed: allowed == 1, Remaining: remaining, Reset: s.instant(req, now, reset)}
	}
	all, _ := reply[0].(int64)
	return all == 1, now, nil
}

// callFixedServer runs fixed_server.lua: fixed windows kept by Redis
// expiry, in whole milliseconds of the server's clock.
func (s *Storage) callFixedServer(ctx context.Context, op string, req *backends.Request, limits []backends.Limit, results []backends.Result) (bool, error) {
	sc := scratches.Get().(*scratch)
	defer sc.put()
	keys := sc.keys[:0]
	args := append(sc.args[:0], op)
	for i := range limits {
		l := &limits[i]
		keys = append(keys, s.opts.Prefix+l.Key)
		ms := (int64(l.Window) + int64(time.Millisecond) - 1) / int64(time.Millisecond)
		args = append(args, l.Amount, ms, l.Cost)
	}
	sc.keys, sc.args = keys, args
	v, err := s.eval(ctx, fixedServerScript, keys, args)
	if err != nil {
		return false, wrap("decide", err)
	}
	base := req.Now
	if base.IsZero() {
		base = time.Now()
	}
	result := func(allowed, remaining, ms int64) backends.Result {
		reset := base
		if ms > 0 {
			reset = base.Add(time.Duration(ms) * time.Millisecond)
		}
		return backends.Result{Allowed: allowed == 1, Remaining: remaining, Reset: reset}
	}
	if p, ok := v.(int64); ok && len(limits) == 1 && p >= 0 {
		// one limit, packed (see fixed_server.lua)
		results[0] = result(unpackFixed(p, limits[0].Amount))
		return results[0].Allowed, nil
	}
	reply, ok := v.([]any)
	if ok && op == opHitMany && len(reply) == len(limits) {
		return decodeMany(reply, limits, results, result)
	}
	if !ok || len(reply) != 1+3*len(limits) {
		return false, fmt.Errorf("redis: decide: script answered %v for %d limits", v, len(limits))
	}
	for _, x := range reply {
		if _, ok := x.(int64); !ok {
			return false, fmt.Errorf("redis: decide: script answered %v", reply)
		}
	}
	for i := range limits {
		r := reply[1+3*i:]
		results[i] = result(r[0].(int64), r[1].(int64), r[2].(int64))
	}
	return reply[0].(int64) == 1, nil
}

// unpackFixed reads the integer fixed_server.lua packs a limit of amount
// into: ((ms_to_reset + 1) * (amount + 1) + remaining) * 2 + allowed.
func unpackFixed(p, amount int64) (allowed, remaining, ms int64) {
	m := amount + 1
	allowed, p = p&1, p>>1
	return allowed, p % m, p/m - 1
}

// decodeMany reads the reply of operation "M": per limit, the packed
// integer of operation "H" or {allowed, remaining, ms_to_reset}. result
// makes a limit's Result from those three numbers. The request is allowed
// if every limit is.
func decodeMany(reply []any, limits []backends.Limit, results []backends.Result, result func(allowed, remaining, ms int64) backends.Result) (bool, error) {
	all := true
	for i, x := range reply {
		switch x := x.(type) {
		case int64:
			if x < 0 {
				return false, fmt.Errorf("redis: decide: script answered %v for limit %d", x, i)
			}
			results[i] = result(unpackFixed(x, limits[i].Amount))
		case []any:
			var n [3]int64
			if len(x) != len(n) {
				return false, fmt.Errorf("redis: decide: script answered %v for limit %d", x, i)
			}
			for j := range n {
				var ok bool
				if n[j], ok = x[j].(int64); !ok {
					return false, fmt.Errorf("redis: decide: script answered %v for limit %d", x, i)
				}
			}
			results[i] = result(n[0], n[1], n[2])
		default:
			return false, fmt.Errorf("redis: decide: script answered %v for limit %d", x, i)
		}
		all = all && results[i].Allowed
	}
	return all, nil
}

// scratch holds the keys and arguments of one script call, pooled so that
// a request allocates no slices of its own. go-redis copies both into its
// command before Run returns.
type scratch struct {
	keys []string
	args []any
}

var scratches = sync.Pool{New: func() any {
	return &scratch{keys: make([]string, 0, 4), args: make([]any, 0, 4+5*4)}
}}

// put clears sc (so that it holds no strings alive) and returns it to the
// pool, unless an unusually large request grew it.
func (sc *scratch) put() {
	if cap(sc.keys) > 64 {
		return
	}
	clear(sc.keys)
	clear(sc.args)
	sc.keys, sc.args = sc.keys[:0], sc.args[:0]
	scratches.Put(sc)
}

// parseInstant reads an instant of the script: Unix nanoseconds in decimal.
func parseInstant(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("redis: decide: script answered instant %q", v)
	}
	return n, nil
}

// instant converts a script instant to a time. In client-clock mode it is
// the instant itself. In server-clock mode it is placed relative to
// Request.Now when that is set, so that Reset minus Now is the wait
// whichever clock decided.
func (s *Storage) instant(req *backends.Request, now, t int64) time.Time {
	if s.opts.ClientClock || req.Now.IsZero() {
		return time.Unix(0, t)
	}
	return req.Now.Add(time.Duration(t - now))
}

// decideGroups decides a request whose keys span several cluster slots:
// one script call per slot, in order. A hit denied in a later slot refunds
// the earlier ones, so no limit stays charged, but between the charge and
// the refund other requests may see the earlier counters raised (they can
// be denied spuriously, never admitted beyond a limit).
func (s *Storage) decideGroups(ctx context.Context, op string, req *backends.Request, results []backends.Result, groups [][]int) (bool, error) {
	type done struct {
		limits []backends.Limit
		now    int64
	}
	var charged []done
	all := true
	var firstErr error
	for _, g := range groups {
		limits := make([]backends.Limit, len(g))
		for j, i := range g {
			limits[j] = req.Limits[i]
		}
		res := make([]backends.Result, len(g))
		gop := op
		if !all {
			gop = opTest // already denied: only report states
		}
		ok, now, err := s.call(ctx, gop, req, limits, res, "")
		if err != nil {
			firstErr = err
			all = false
			break
		}
		for j, i := range g {
			results[i] = res[j]
		}
		if !ok {
			all = false
			continue
		}
		if gop == opHit {
			charged = append(charged, done{limits, now})
		}
	}
	if op == opHit && !all {
		for _, d := range charged {
			res := make([]backends.Result, len(d.limits))
			if _, _, err := s.call(ctx, opRefund, req, d.limits, res, strconv.FormatInt(d.now, 10)); err != nil && firstErr == nil {
				firstErr = fmt.Errorf("redis: refunding a request denied in another slot: %w", err)
			}
			for j := range d.limits {
				for i := range req.Limits {
					if req.Limits[i].Key == d.limits[j].Key {
						results[i].Remaining = min(results[i].Remaining+d.limits[j].Cost, d.limits[j].Amount)
					}
				}
			}
		}
	}
	if firstErr != nil {
		return false, firstErr
	}
	return all, nil
}
