package redis

import (
	"context"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
)

// maxBatch is the most decisions one pipeline carries.
const maxBatch = 128

// coalescer sends concurrent script calls to Redis together. Each call
// joins a queue. A fixed number of slots (Options.Pipelines) may each be
// sending one pipeline at a time; the holder of a slot takes every call
// waiting, up to maxBatch, and sends them as one pipeline: one write and
// one read on one connection, for the client and for the server. Each call
// is still one script call, atomic on the server; only the wire is shared.
//
// A caller that finds a slot free sends the pipeline itself, so a lone
// call costs no hand-over between goroutines. Once its own call is
// answered it leaves; if calls still wait, it hands its slot to a sender
// goroutine, which sends until the queue is empty. So a caller never
// serves others' calls for longer than its own pipeline takes.
//
// A call waits at most the storage's timeout from the moment it queues: a
// pipeline's deadline is its oldest call's arrival plus the timeout, and a
// call whose time or context has run out when a slot holder takes it is
// answered without being sent. A coalescer is safe for concurrent use.
type coalescer struct {
	client  goredis.UniversalClient
	timeout time.Duration    // per call, from its arrival; <= 0: none
	now     func() time.Time // time.Now; tests set their own clock
	senders int              // slots
	handoff chan struct{}    // a slot handed to the sender goroutines
	stop    chan struct{}    // closed by close

	mu     sync.Mutex
	queue  []*queued // waiting, oldest first
	busy   int       // slots held
	closed bool
}

// queued is one script call waiting for, or carried by, a pipeline.
type queued struct {
	ctx     context.Context // the caller's; not sent if done before sending
	cmd     *goredis.Cmd    // EVALSHA, replaced by EVAL after a NOSCRIPT
	script  *luaScript
	arrived time.Time
	taken   bool          // out of the queue; guarded by coalescer.mu
	done    chan struct{} // receives once cmd holds the answer; capacity 1
}

var queuedPool = sync.Pool{New: func() any { return &queued{done: make(chan struct{}, 1)} }}

// batchPool holds the slices slot holders take batches into.
var batchPool = sync.Pool{New: func() any { b := make([]*queued, 0, maxBatch); return &b }}

// newCoalescer returns a coalescer of senders slots and starts as many
// sender goroutines, which wait for handed-over slots; close stops them.
func newCoalescer(client goredis.UniversalClient, senders int, timeout time.Duration) *coalescer {
	c := &coalescer{
		client:  client,
		timeout: timeout,
		now:     time.Now,
		senders: senders,
		handoff: make(chan struct{}, senders),
		stop:    make(chan struct{}),
	}
	for range senders {
		go c.send()
	}
	return c
}

// eval runs script with keys and args in the next pipeline and returns its
// answer. It returns early with ctx's error when ctx is done first, and
// with backends.ErrClosed when the coalescer is closed before the call is
// sent.
func (c *coalescer) eval(ctx context.Context, script *luaScript, keys []string, args []any) (any, error) {
	q := queuedPool.Get().(*queued)
	q.ctx, q.script, q.arrived = ctx, script, c.now()
	q.cmd = script.evalSha(ctx, keys, args)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		q.release()
		return nil, backends.ErrClosed
	}
	c.queue = append(c.queue, q)
	lead := c.busy < c.senders
	if lead {
		c.busy++
	}
	c.mu.Unlock()
	if lead {
		c.lead(q)
	}
	select {
	case <-q.done:
	case <-ctx.Done():
		// q may still be queued or in a pipeline, whose sender writes to
		// it: it is left to the garbage collector rather than pooled.
		return nil, ctx.Err()
	}
	v, err := q.cmd.Result()
	q.release()
	return v, err
}

// release clears q and returns it to the pool; q must not be in use.
func (q *queued) release() {
	q.ctx, q.cmd, q.script, q.taken = nil, nil, nil, false
	queuedPool.Put(q)
}

// lead sends pipelines with the slot its caller took until the caller's
// own call q has been taken, then hands the slot to a sender goroutine if
// calls still wait, or frees it.
func (c *coalescer) lead(q *queued) {
	bp := batchPool.Get().(*[]*queued)
	defer batchPool.Put(bp)
	for {
		c.mu.Lock()
		if q.taken {
			if len(c.queue) > 0 && !c.closed {
				c.handoff <- struct{}{} // never blocks: one per slot at most
			} else {
				c.busy--
			}
			c.mu.Unlock()
			return
		}
		c.sendTaken(*bp)
	}
}

// send is a sender goroutine: for each slot handed to it, it sends
// pipelines until the queue is empty, then frees the slot.
func (c *coalescer) send() {
	bp := batchPool.Get().(*[]*queued)
	for {
		select {
		case <-c.handoff:
		case <-c.stop:
			return
		}
		for {
			c.mu.Lock()
			if len(c.queue) == 0 || c.closed {
				c.busy--
				c.mu.Unlock()
				break
			}
			c.sendTaken(*bp)
		}
	}
}

// sendTaken takes the oldest calls waiting into buf, unlocks c.mu (which
// must be held) and sends them.
func (c *coalescer) sendTaken(buf []*queued) {
	batch := c.take(buf[:0])
	c.mu.Unlock()
	c.flush(batch)
	clear(batch)
}

// take moves the oldest calls waiting, up to maxBatch, to batch and
// returns it. c.mu must be held.
func (c *coalescer) take(batch []*queued) []*queued {
	n := min(len(c.queue), maxBatch)
	for _, q := range c.queue[:n] {
		q.taken = true
	}
	batch = append(batch, c.queue[:n]...)
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
	return batch
}

// flush sends the calls of batch that are still wanted as one pipeline,
// then any that found their script missing as EVALs, and answers every
// call.
func (c *coalescer) flush(batch []*queued) {
	now := c.now()
	send := batch[:0]
	var oldest time.Time
	for _, q := range batch {
		err := q.ctx.Err() // abandoned by its caller: not sent
		if err == nil && c.timeout > 0 && now.Sub(q.arrived) >= c.timeout {
			err = context.DeadlineExceeded
		}
		if err != nil {
			q.cmd.SetErr(err)
			q.done <- struct{}{}
			continue
		}
		if len(send) == 0 || q.arrived.Before(oldest) {
			oldest = q.arrived
		}
		send = append(send, q)
	}
	if len(send) == 0 {
		return
	}
	ctx := context.Background()
	if len(send) == 1 {
		ctx = send[0].ctx // a lone call stops when its caller gives up
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, oldest.Add(c.timeout))
		defer cancel()
	}
	c.exec(ctx, send)
	retry := send[:0]
	for _, q := range send {
		if err := q.cmd.Err(); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
			args := append([]any(nil), q.cmd.Args()...)
			args[0], args[1] = "eval", q.script.src
			q.cmd = goredis.NewCmd(ctx, args...)
			q.cmd.SetFirstKeyPos(3)
			retry = append(retry, q)
			continue
		}
		q.done <- struct{}{}
	}
	if len(retry) > 0 {
		c.exec(ctx, retry)
		for _, q := range retry {
			q.done <- struct{}{}
		}
	}
}

// exec sends the commands of calls as one pipeline; each command keeps its
// own answer or error.
func (c *coalescer) exec(ctx context.Context, calls []*queued) {
	pipe := c.client.Pipeline()
	for _, q := range calls {
		_ = pipe.Process(ctx, q.cmd)
	}
	_, _ = pipe.Exec(ctx)
}

// close answers the calls still queued backends.ErrClosed and stops the
// sender goroutines; pipelines being sent are answered as usual.
func (c *coalescer) close() {
	c.mu.Lock()
	c.closed = true
	for _, q := range c.queue {
		q.taken = true
		q.cmd.SetErr(backends.ErrClosed)
		q.done <- struct{}{}
	}
	clear(c.queue)
	c.queue = c.queue[:0]
	c.mu.Unlock()
	close(c.stop)
}
