package redis_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/redis"
)

// gateHook holds every pipeline a client sends until the test lets it go,
// and tells the test what each pipeline carries.
type gateHook struct {
	pipelines chan []string // the command names of each pipeline, as it starts
	open      chan struct{} // one receive lets one pipeline go
	wide      atomic.Bool   // let every pipeline go
}

func newGateHook() *gateHook {
	return &gateHook{pipelines: make(chan []string, 16), open: make(chan struct{}, 16)}
}

func (h *gateHook) DialHook(next goredis.DialHook) goredis.DialHook          { return next }
func (h *gateHook) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook { return next }
func (h *gateHook) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		names := make([]string, len(cmds))
		for i, c := range cmds {
			names[i] = c.Name()
		}
		h.pipelines <- names
		if !h.wide.Load() {
			<-h.open
		}
		return next(ctx, cmds)
	}
}

// openWide lets every later pipeline go without waiting.
func (h *gateHook) openWide() { h.wide.Store(true) }

// next returns the commands of the next pipeline, failing the test if none
// starts within a few seconds.
func (h *gateHook) next(t *testing.T) []string {
	t.Helper()
	select {
	case names := <-h.pipelines:
		return names
	case <-time.After(5 * time.Second):
		t.Fatal("no pipeline started")
		return nil
	}
}

// gated returns a storage on the single server whose client runs through
// a gateHook, with one sender, so the test decides when each pipeline
// goes.
func gated(t *testing.T, opts redis.Options) (*redis.Storage, *gateHook) {
	t.Helper()
	u, err := backends.ParseURI(backendtest.ServerURI(t, "LIMITGEN_REDIS_URI"))
	if err != nil {
		t.Fatal(err)
	}
	// Load the script first, so that no decision finds it missing (on a
	// fresh server) and is sent again in a pipeline the test does not
	// expect.
	warm := open(t, "LIMITGEN_REDIS_URI")
	if _, err := warm.Hit(context.Background(), coalescedHit("warm"), make([]backends.Result, 1)); err != nil {
		t.Fatal(err)
	}
	client := goredis.NewClient(&goredis.Options{Addr: u.Hosts[0], ContextTimeoutEnabled: true, DisableIdentity: true})
	t.Cleanup(func() { client.Close() })
	hook := newGateHook()
	client.AddHook(hook)
	opts.Prefix, opts.Pipelines = backendtest.UniquePrefix(t), 1
	st, err := redis.New(client, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, hook
}

// waitQueued waits until n decisions of st wait for a pipeline.
func waitQueued(t *testing.T, st *redis.Storage, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); redis.QueuedCalls(st) != n; runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatalf("%d decisions queued, want %d", redis.QueuedCalls(st), n)
		}
	}
}

// queueHits starts hits for clients c0 to c<n-1> and waits until all
// are queued; the channels receive their outcomes (see hitAsync).
func queueHits(t *testing.T, st *redis.Storage, n int) []<-chan error {
	t.Helper()
	var waiting []<-chan error
	for i := range n {
		waiting = append(waiting, hitAsync(context.Background(), st, coalescedHit(fmt.Sprint("c", i))))
	}
	waitQueued(t, st, n)
	return waiting
}

// wantPipeline checks that a pipeline (of what) carries n commands, each
// a command name.
func wantPipeline(t *testing.T, what string, names []string, n int, name string) {
	t.Helper()
	if len(names) != n {
		t.Errorf("pipeline of %s carries %v, want %d commands", what, names, n)
	}
	for _, got := range names {
		if got != name {
			t.Errorf("pipeline of %s carries %q, want %s", what, got, name)
		}
	}
}

// await returns the outcome of a decision started by hitAsync, failing the
// test if it takes more than a few seconds.
func await(t *testing.T, outcome <-chan error) error {
	t.Helper()
	select {
	case err := <-outcome:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("a decision was never answered")
		return nil
	}
}

// wantAnswered checks that every decision of waiting is answered as
// hitAsync expects, within a few seconds.
func wantAnswered(t *testing.T, waiting []<-chan error) {
	t.Helper()
	for i, w := range waiting {
		if err := await(t, w); err != nil {
			t.Errorf("decision %d: %v", i, err)
		}
	}
}

// coalescedHit is a hit on one fixed-window limit of 10 per hour of a
// client of its own.
func coalescedHit(client string) *backends.Request {
	return &backends.Request{Limits: []backends.Limit{{Key: backends.Key("L", client, "s", "10 per 1 hour"), Amount: 10, Window: time.Hour, Cost: 1}}}
}

// hitAsync runs st.Hit(ctx, req) in a goroutine; the channel receives its
// outcome.
func hitAsync(ctx context.Context, st *redis.Storage, req *backends.Request) <-chan error {
	done := make(chan error, 1)
	go func() {
		res := make([]backends.Result, len(req.Limits))
		ok, err := st.Hit(ctx, req, res)
		switch {
		case err != nil:
			done <- err
		case !ok || res[0].Remaining != req.Limits[0].Amount-1:
			done <- fmt.Errorf("Hit = %v, %+v; want admitted with %d remaining", ok, res[0], req.Limits[0].Amount-1)
		default:
			done <- nil
		}
	}()
	return done
}

// remaining peeks at the room left in req's first limit.
func remaining(t *testing.T, st *redis.Storage, req *backends.Request) int64 {
	t.Helper()
	res := make([]backends.Result, len(req.Limits))
	if _, err := st.Test(context.Background(), req, res); err != nil {
		t.Fatal(err)
	}
	return res[0].Remaining
}

// TestCoalescedPipeline: decisions that arrive while the sender is busy go
// out together in its next pipeline, one command each, and each is
// answered with its own result.
func TestCoalescedPipeline(t *testing.T) {
	st, gate := gated(t, redis.Options{})
	ctx := context.Background()
	first := hitAsync(ctx, st, coalescedHit("first"))
	if names := gate.next(t); len(names) != 1 {
		t.Fatalf("first pipeline carries %v, want one command", names)
	}
	const n = 10
	waiting := queueHits(t, st, n)
	gate.open <- struct{}{}
	if err := await(t, first); err != nil {
		t.Fatal(err)
	}
	wantPipeline(t, "the queued decisions", gate.next(t), n, "evalsha")
	gate.open <- struct{}{}
	wantAnswered(t, waiting)
	gate.openWide()
	for i := range n {
		if got := remaining(t, st, coalescedHit(fmt.Sprint("c", i))); got != 9 {
			t.Errorf("client c%d: %d remaining after one hit, want 9", i, got)
		}
	}
}

// TestCoalescedAbandoned: a decision whose caller gives up while it waits
// returns the context's error at once and is never sent, so it charges
// nothing.
func TestCoalescedAbandoned(t *testing.T) {
	st, gate := gated(t, redis.Options{})
	first := hitAsync(context.Background(), st, coalescedHit("first"))
	gate.next(t)
	ctx, cancel := context.WithCancel(context.Background())
	req := coalescedHit("gave-up")
	abandoned := hitAsync(ctx, st, req)
	waitQueued(t, st, 1)
	cancel()
	if err := await(t, abandoned); !errors.Is(err, context.Canceled) {
		t.Errorf("abandoned decision: %v, want context.Canceled", err)
	}
	gate.open <- struct{}{}
	if err := await(t, first); err != nil {
		t.Fatal(err)
	}
	gate.openWide()
	if got := remaining(t, st, req); got != 10 {
		t.Errorf("%d remaining after an abandoned hit, want 10 (not sent)", got)
	}
	if names := gate.next(t); len(names) != 1 || names[0] != "evalsha" {
		t.Errorf("after the abandoned decision, the next pipeline carries %v, want only the peek", names)
	}
}

// TestCoalescedTimeout: the timeout runs from the moment a decision
// queues. One still waiting when its time is up is answered
// context.DeadlineExceeded without being sent.
func TestCoalescedTimeout(t *testing.T) {
	st, gate := gated(t, redis.Options{Timeout: time.Hour})
	var skew atomic.Int64 // how far the coalescer's clock is ahead
	redis.SetQueueClock(st, func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
	first := hitAsync(context.Background(), st, coalescedHit("first"))
	gate.next(t)
	req := coalescedHit("late")
	late := hitAsync(context.Background(), st, req)
	waitQueued(t, st, 1)
	skew.Store(int64(time.Hour)) // the late decision's hour is up
	gate.open <- struct{}{}
	if err := await(t, first); err != nil {
		t.Fatal(err)
	}
	if err := await(t, late); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("decision queued past its timeout: %v, want context.DeadlineExceeded", err)
	}
	gate.openWide()
	if got := remaining(t, st, req); got != 10 {
		t.Errorf("%d remaining after a hit that timed out in the queue, want 10 (not sent)", got)
	}
}

// TestCoalescedClose: decisions waiting when the storage closes are
// answered backends.ErrClosed.
func TestCoalescedClose(t *testing.T) {
	st, gate := gated(t, redis.Options{})
	first := hitAsync(context.Background(), st, coalescedHit("first"))
	gate.next(t)
	queued := hitAsync(context.Background(), st, coalescedHit("queued"))
	waitQueued(t, st, 1)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := await(t, queued); !errors.Is(err, backends.ErrClosed) {
		t.Errorf("decision queued at Close: %v, want backends.ErrClosed", err)
	}
	gate.open <- struct{}{}
	if err := await(t, first); err != nil {
		t.Errorf("decision being sent at Close: %v, want its answer", err)
	}
}

// TestCoalescedNoScript: when the server has lost the script, every
// decision of a pipeline is sent again, together, as EVAL, and answered
// correctly.
func TestCoalescedNoScript(t *testing.T) {
	st, gate := gated(t, redis.Options{})
	ctx := context.Background()
	first := hitAsync(ctx, st, coalescedHit("first"))
	gate.next(t)
	const n = 5
	waiting := queueHits(t, st, n)
	gate.open <- struct{}{}
	names := gate.next(t)
	if len(names) == 1 && names[0] == "eval" { // the first found no script either
		gate.open <- struct{}{}
		names = gate.next(t)
	}
	if err := await(t, first); err != nil {
		t.Fatal(err)
	}
	if len(names) != n {
		t.Fatalf("pipeline of the queued decisions carries %v, want %d commands", names, n)
	}
	if err := st.Client().ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	gate.open <- struct{}{}
	wantPipeline(t, "the decisions sent again after NOSCRIPT", gate.next(t), n, "eval")
	gate.open <- struct{}{}
	wantAnswered(t, waiting)
}

// TestCoalescedStress runs many callers against one limit, through one
// and two pipeline slots and without coalescing, a third of the calls
// giving up at various moments, while the storage closes midway: every
// call returns (an answer, its context's error or
// backends.ErrClosed, even for calls in a pipeline cut short by closing
// the client), and no more hits are admitted than the limit holds.
func TestCoalescedStress(t *testing.T) {
	for _, p := range []string{"pipelines=1", "pipelines=2", "pipelines=0"} {
		t.Run(p, func(t *testing.T) { stress(t, p) })
	}
}

func stress(t *testing.T, pipelines string) {
	uri := backendtest.ServerURI(t, "LIMITGEN_REDIS_URI")
	st, err := backends.Open(backendtest.URIWithParams(uri, "prefix="+backendtest.UniquePrefix(t), pipelines))
	if err != nil {
		t.Fatal(err)
	}
	const callers, hits, amount = 32, 200, 1000
	req := backends.Request{Limits: []backends.Limit{{Key: backends.Key("L", "stress", "s", "1000 per 1 hour"), Amount: amount, Window: time.Hour, Cost: 1}}}
	var admitted, closed atomic.Int64
	errs := make(chan error, callers)
	start := make(chan struct{})
	for g := range callers {
		go func() {
			<-start
			res := make([]backends.Result, 1)
			for i := range hits {
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if (g+i)%3 == 0 {
					ctx, cancel = context.WithTimeout(ctx, time.Duration(i%50)*time.Microsecond)
				}
				r := req
				ok, err := st.Hit(ctx, &r, res)
				// Any error once the caller's deadline has passed (a net
				// timeout too, before the context's timer fires) is the
				// caller's giving up.
				dl, has := ctx.Deadline()
				gaveUp := ctx.Err() != nil || has && !time.Now().Before(dl)
				cancel()
				switch {
				case err == nil && ok:
					admitted.Add(1)
				case err == nil, gaveUp:
				case errors.Is(err, backends.ErrClosed):
					closed.Add(1)
				default:
					errs <- fmt.Errorf("caller %d, hit %d: %w", g, i, err)
					return
				}
			}
			errs <- nil
		}()
	}
	close(start)
	time.AfterFunc(50*time.Millisecond, func() { st.Close() })
	for range callers {
		select {
		case err := <-errs:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("a caller never returned")
		}
	}
	if n := admitted.Load(); n > amount {
		t.Errorf("%d hits admitted against a limit of %d", n, amount)
	}
	t.Logf("%d admitted, %d answered ErrClosed", admitted.Load(), closed.Load())
}
