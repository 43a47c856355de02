package backendtest

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/limitgen/limitgen/backends"
)

// model is the reference the backends are compared with: package backends'
// window functions over a map of states, deciding all-or-nothing.
type model struct {
	fixed   map[string]backends.FixedWindowState
	moving  map[string]*backends.MovingWindowLog
	sliding map[string]backends.SlidingWindowState
}

func newModel() *model {
	return &model{
		fixed:   map[string]backends.FixedWindowState{},
		moving:  map[string]*backends.MovingWindowLog{},
		sliding: map[string]backends.SlidingWindowState{},
	}
}

// decide answers req as a conforming storage would; charge is false for
// Test.
func (m *model) decide(req *backends.Request, res []backends.Result, charge bool) bool {
	now := req.Now.UnixNano()
	all := true
	for i, l := range req.Limits {
		w := int64(l.Window)
		switch req.Strategy {
		case backends.FixedWindow:
			s := m.fixed[l.Key].Current(now, w)
			m.fixed[l.Key] = s
			res[i].Allowed = s.Allows(l.Amount, l.Cost)
		case backends.MovingWindow:
			s := m.moving[l.Key]
			if s == nil {
				s = new(backends.MovingWindowLog)
				m.moving[l.Key] = s
			}
			s.Current(now, w)
			res[i].Allowed = s.Allows(l.Amount, l.Cost)
		case backends.SlidingWindowCounter:
			s := m.sliding[l.Key].Current(now, w)
			m.sliding[l.Key] = s
			res[i].Allowed = s.Allows(now, w, l.Amount, l.Cost)
		}
		all = all && res[i].Allowed
	}
	for i, l := range req.Limits {
		w := int64(l.Window)
		var rem, reset int64
		switch req.Strategy {
		case backends.FixedWindow:
			s := m.fixed[l.Key]
			if all && charge {
				s.Charge(now, l.Cost)
				m.fixed[l.Key] = s
			}
			rem, reset = s.Stats(now, w, l.Amount)
		case backends.MovingWindow:
			s := m.moving[l.Key]
			if all && charge {
				s.Charge(now, l.Cost)
			}
			rem, reset = s.Stats(now, w, l.Amount)
		case backends.SlidingWindowCounter:
			s := m.sliding[l.Key]
			if all && charge {
				s.Charge(l.Cost)
				m.sliding[l.Key] = s
			}
			rem, reset = s.Stats(now, w, l.Amount)
		}
		res[i].Remaining = rem
		res[i].Reset = time.Unix(0, reset)
	}
	return all
}

// testModel compares the storage with the model over a pseudo-random
// sequence of requests: several limits of one client, costs 0 to 3, Hits
// and Tests, instants advancing by up to 40 seconds.
func (e *env) testModel(t *testing.T) {
	r := rand.New(rand.NewPCG(uint64(e.strategy)+1, 2))
	c := e.s.client(t)
	limits := []backends.Limit{
		e.limit(c, 3, time.Minute, 0),
		e.limit(c, 10, 5*time.Minute, 0),
		e.limit(c, 2, 13*time.Minute+7*time.Millisecond, 0),
		e.limit(c, 7, 90*time.Second+3, 0),
	}
	m := newModel()
	now := t0.Add(17 * time.Second)
	want := make([]backends.Result, len(limits))
	fails := 0
	for step := range 400 {
		now = now.Add(time.Duration(r.Int64N(int64(40 * time.Second))))
		var ls []backends.Limit
		for _, l := range limits {
			if r.IntN(3) > 0 {
				l.Cost = r.Int64N(4)
				ls = append(ls, l)
			}
		}
		if len(ls) == 0 {
			continue
		}
		peek := r.IntN(5) == 0
		ok, got := e.do(t, peek, now, ls...)
		req := &backends.Request{Strategy: e.strategy, Now: now, Limits: ls}
		wantOK := m.decide(req, want[:len(ls)], !peek)
		bad := ok != wantOK
		for i := range ls {
			bad = bad || !e.sameResult(got[i], want[i])
		}
		if bad {
			t.Errorf("step %d: %s %s:\n got %v %v\nwant %v %v", step, opName(peek), describe(now, ls), ok, got, wantOK, want[:len(ls)])
			if fails++; fails == 5 {
				t.FailNow()
			}
		}
	}
}
