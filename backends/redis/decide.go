package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// Script operations (ARGV[1] of decide.lua).
const (
	opHit    = "h"
	opTest   = "t"
	opRefund = "r"
)

var strategyCode = [...]string{
	backends.FixedWindow:          "f",
	backends.MovingWindow:         "m",
	backends.SlidingWindowCounter: "s",
}

var strategySuffix = [...]string{
	backends.FixedWindow:          "",
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
	for i := range req.Limits {
		if req.Limits[i].Window < time.Microsecond {
			return false, fmt.Errorf("redis: limit %q: window %v is shorter than the 1µs resolution", req.Limits[i].Key, req.Limits[i].Window)
		}
	}
	if len(req.Limits) == 0 {
		return true, nil
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if !s.cluster {
		ok, _, err := s.call(ctx, op, req, req.Limits, results, -1)
		return ok, err
	}
	groups := slotGroups(req.Limits)
	if len(groups) == 1 {
		ok, _, err := s.call(ctx, op, req, req.Limits, results, -1)
		return ok, err
	}
	return s.decideGroups(ctx, op, req, results, groups)
}

// call runs the script once for limits (all in one hash slot), writing
// their states to results. now is the instant in microseconds, or -1 for
// the mode's default. It returns the decision and the instant used.
func (s *Storage) call(ctx context.Context, op string, req *backends.Request, limits []backends.Limit, results []backends.Result, now int64) (bool, int64, error) {
	if now < 0 && s.opts.ClientClock {
		now = req.Now.UnixMicro()
	}
	slack := int64(0)
	if s.opts.ClientClock {
		slack = clientClockSlack
	}
	keys := make([]string, len(limits))
	args := make([]any, 4, 4+3*len(limits))
	args[0], args[1], args[2], args[3] = op, strategyCode[req.Strategy], now, slack
	suffix := strategySuffix[req.Strategy]
	for i := range limits {
		l := &limits[i]
		keys[i] = s.opts.Prefix + l.Key + suffix
		args = append(args, l.Amount, int64(l.Window/time.Microsecond), l.Cost)
	}
	reply, err := decideScript.Run(ctx, s.client, keys, args...).Int64Slice()
	if err != nil {
		return false, 0, wrap("decide", err)
	}
	if len(reply) != 2+3*len(limits) {
		return false, 0, fmt.Errorf("redis: decide: script answered %d values for %d limits", len(reply), len(limits))
	}
	used := reply[1]
	for i := range limits {
		r := reply[2+3*i:]
		results[i] = backends.Result{Allowed: r[0] == 1, Remaining: r[1], Reset: s.instant(req, used, r[2])}
	}
	return reply[0] == 1, used, nil
}

// instant converts a script instant (microseconds) to a time on the
// caller's clock: relative to Request.Now when it is set, so that
// Reset-Now is the wait whoever's clock decided.
func (s *Storage) instant(req *backends.Request, now, t int64) time.Time {
	if req.Now.IsZero() {
		return time.UnixMicro(t)
	}
	return req.Now.Add(time.Duration(t-now) * time.Microsecond)
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
		ok, now, err := s.call(ctx, gop, req, limits, res, -1)
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
			if _, _, err := s.call(ctx, opRefund, req, d.limits, res, d.now); err != nil && firstErr == nil {
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
