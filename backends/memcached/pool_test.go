package memcached

import (
	"testing"
	"time"
	"unsafe"

	"github.com/limitgen/limitgen/backends"
)

// TestReleaseDropsLargeBuffers: a decision returned to the pool keeps no
// buffer that a large item grew, the encoding buffer of one state and the
// entry list included, so that the pool does not hold up to an item's
// size per pooled decision.
func TestReleaseDropsLargeBuffers(t *testing.T) {
	const n = 20000
	var log backends.MovingWindowLog
	for i := range int64(n) {
		log.Charge(1e9+i*1e3, 1)
	}
	state, _ := log.AppendBinary(nil)
	value := appendEntry([]byte{itemVersion}, "P/{c}/m", 1e12, state)
	for i := range n / 10 {
		value = appendEntry(value, "P/{c}/f"+string(rune('a'+i%26))+string(rune(i)), 1e12, []byte("F\x02\x01"))
	}
	req := &backends.Request{Strategy: backends.MovingWindow, Now: time.Unix(0, 2e9), Limits: []backends.Limit{{Key: "P/{c}/m", Amount: 1 << 40, Window: 1e12, Cost: 1}}}
	d := newDecision(req, group{key: "k", idx: []int{0}}, make([]backends.Result, 1), true, 1<<30)
	if _, err := d.compute(value); err != nil {
		t.Fatal(err)
	}
	d.release()
	if c := cap(d.buf); c > maxPooled {
		t.Errorf("released decision keeps a %d-byte state buffer", c)
	}
	if c := cap(d.entries); c*int(unsafe.Sizeof(entry{})) > maxPooled {
		t.Errorf("released decision keeps room for %d entries", c)
	}
}
