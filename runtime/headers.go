package runtime

import (
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// headerConfig holds the canonical header names, decided once in New.
type headerConfig struct {
	on         bool
	ietf       bool
	httpDate   bool
	limit      string
	remaining  string
	reset      string
	retryAfter string
	resetCache atomic.Pointer[secondString]
}

type secondString struct {
	sec int64
	s   []string // one element, cap 1
}

func newHeaderConfig(c *config) headerConfig {
	name := func(v, def string) string {
		if v == "" {
			v = def
		}
		return textproto.CanonicalMIMEHeaderKey(v)
	}
	return headerConfig{
		on:         c.headers,
		ietf:       c.ietf,
		httpDate:   c.retryAfter == RetryAfterHTTPDate,
		limit:      name(c.headerNames.Limit, "X-RateLimit-Limit"),
		remaining:  name(c.headerNames.Remaining, "X-RateLimit-Remaining"),
		reset:      name(c.headerNames.Reset, "X-RateLimit-Reset"),
		retryAfter: name(c.headerNames.RetryAfter, "Retry-After"),
	}
}

// smallInts are the decimal strings of 0..1023, so header values of small
// counts cost no allocation.
var smallInts = func() [1024]string {
	var s [1024]string
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func itoa(n int64) string {
	if n >= 0 && n < int64(len(smallInts)) {
		return smallInts[n]
	}
	return strconv.FormatInt(n, 10)
}

// headerValue returns a header value slice holding the decimal text of n.
// Small numbers share slices of smallInts, a cap-1 window each, so that
// Header.Add reallocates instead of writing into the table; like every
// header value set by the limiter, its element must not be assigned to.
func headerValue(n int64) []string {
	if n >= 0 && n < int64(len(smallInts)) {
		return smallInts[n : n+1 : n+1]
	}
	if n < 0 || n >= 1e16 {
		return []string{strconv.FormatInt(n, 10)}
	}
	return new(numberValue).set(n)
}

// set writes the text of n (0 to 10^16-1) into v, once, and returns v as a
// header value.
func (v *numberValue) set(n int64) []string {
	b := strconv.AppendInt(v.text[:0], n, 10)
	v.value[0] = unsafe.String(&b[0], len(b))
	return v.value[:]
}

// numberBlock is how many number values numberValues allocates at once.
const numberBlock = 64

// numberValues hands out header values of numbers from blocks of
// numberBlock, so that a request's headers cost an allocation only once
// every numberBlock large numbers. Each value is written once and handed
// out once; a block stays alive while any header holds one of its values.
// It belongs to one request at a time (it lives in the pooled request
// state), so it needs no lock.
type numberValues struct {
	block *[numberBlock]numberValue
	next  int
}

// value returns a header value of n, as headerValue does.
func (nv *numberValues) value(n int64) []string {
	if n < int64(len(smallInts)) || n >= 1e16 {
		return headerValue(n)
	}
	if nv.block == nil || nv.next == numberBlock {
		nv.block, nv.next = new([numberBlock]numberValue), 0
	}
	v := &nv.block[nv.next]
	nv.next++
	return v.set(n)
}

// numberValue is a header value of one number below 10^16 and the bytes of
// its text, in one allocation of 32 bytes instead of two (the text and the
// slice). The text is never written after the string is made.
type numberValue struct {
	value [1]string
	text  [16]byte
}

// resetValue formats a Unix second as a header value, caching the last one:
// every request of one second shares it.
func (hc *headerConfig) resetValue(sec int64) []string {
	if c := hc.resetCache.Load(); c != nil && c.sec == sec {
		return c.s
	}
	s := []string{strconv.FormatInt(sec, 10)}
	hc.resetCache.Store(&secondString{sec: sec, s: s[:1:1]})
	return s[:1:1]
}

// write sets the headers Flask-Limiter sends for the described limit:
// X-RateLimit-Limit (its amount), X-RateLimit-Remaining, X-RateLimit-Reset
// (the Unix second after the reset instant, int(reset + 1)) and Retry-After
// (whole seconds from now to that second, or that second as an HTTP-date),
// on every response, refused or not.
func (hc *headerConfig) write(h http.Header, nums *numberValues, res *Results, now time.Time) {
	cur := res.Current()
	if cur == nil {
		return
	}
	hc.writeLimit(h, nums, cur.rule, cur.Limit.Amount, cur.Remaining, cur.Reset, now)
	if hc.ietf {
		hc.writeIETF(h, res, now)
	}
}

// writeLimit writes the X-RateLimit headers and Retry-After of the
// described limit: its amount (of rule ru), remaining count and reset.
// Numbers come from nums.
func (hc *headerConfig) writeLimit(h http.Header, nums *numberValues, ru *rule, amount, remaining int64, reset, now time.Time) {
	// The values are shared, read-only slices of cap 1 where they can be
	// (amounts, small counts, the reset second), so most responses set
	// them without allocating; Header.Set and Add never write into them.
	resetAt := reset.Unix() + 1
	h[hc.limit] = ru.amountValue(amount)
	h[hc.remaining] = nums.value(remaining)
	h[hc.reset] = hc.resetValue(resetAt)
	if hc.httpDate {
		h[hc.retryAfter] = []string{time.Unix(resetAt, 0).UTC().Format(http.TimeFormat)}
	} else {
		d := (resetAt*int64(time.Second) - now.UnixNano()) / int64(time.Second)
		if d < 0 {
			d = 0
		}
		h[hc.retryAfter] = nums.value(d)
	}
}

// writeIETF writes RateLimit-Policy (every limit of the request) and
// RateLimit (the described one), as draft-ietf-httpapi-ratelimit-headers
// spells them: `"2 per 1 minute";q=2;w=60` and `"2 per 1 minute";r=1;t=59`.
func (hc *headerConfig) writeIETF(h http.Header, res *Results, now time.Time) {
	var b strings.Builder
	for i := range res.Limits {
		lr := &res.Limits[i]
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(lr.Limit.String()))
		b.WriteString(";q=")
		b.WriteString(strconv.FormatInt(lr.Limit.Amount, 10))
		b.WriteString(";w=")
		b.WriteString(strconv.FormatInt(int64(lr.Limit.Window()/time.Second), 10))
	}
	h["Ratelimit-Policy"] = []string{b.String()}
	cur := res.Current()
	t := (cur.Reset.Sub(now) + time.Second - 1) / time.Second
	if t < 0 {
		t = 0
	}
	h["Ratelimit"] = []string{strconv.Quote(cur.Limit.String()) + ";r=" + strconv.FormatInt(cur.Remaining, 10) + ";t=" + strconv.FormatInt(int64(t), 10)}
}
