package memory_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/limitgen/limitgen/backends/memory"
)

// floorCounter is a key's counter reduced to what any exact store must do
// per decision: take a lock, count, let go. It fills a cache line, as an
// entry of the memory store does.
type floorCounter struct {
	key string
	mu  sync.Mutex
	n   int64
	_   [32]byte
}

// floorTable finds a key's counter by the address of the key string's
// bytes, as the store's memo does, with linear probing.
type floorTable []*floorCounter

func floorSlot(key string, mask uint64) uint64 {
	p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(key))))
	p = (p ^ p>>29) * 0xbf58476d1ce4e5b9
	return (p ^ p>>32) & mask
}

// find returns key's counter, or nil. With prefetch, it asks for each
// counter's line for writing before reading its key, as the store asks for
// an entry's.
func (t floorTable) find(key string, prefetch bool) *floorCounter {
	mask := uint64(len(t) - 1)
	for i := floorSlot(key, mask); ; i = (i + 1) & mask {
		c := t[i]
		if c == nil {
			return nil
		}
		if prefetch {
			memory.PrefetchWrite(unsafe.Pointer(c))
		}
		if c.key == key {
			return c
		}
	}
}

// BenchmarkFloor measures the machine rather than the store: the cost of
// floorCounter's lock-count-unlock, found as the store finds an entry and
// visited as BenchmarkFixedWindow visits its keys (one hot key; 10,000 keys
// in turn, each goroutine starting elsewhere). Run beside
// BenchmarkFixedWindow, it shows what part of a parallel decision is the
// cache lines moving between cores, which on a virtual machine depends on
// where the host places its two vCPUs at the time. It is the floor of a
// store that writes one shared line per decision; a hot key with lanes
// (see lanes) writes a line of its own core's and goes below it.
// prefetch=true asks for each counter's line for writing first, as the
// store does (see prefetchWrite); prefetch=false shows what that gains or
// costs.
func BenchmarkFloor(b *testing.B) {
	for _, nkeys := range []int{1, 10000} {
		for _, par := range []bool{false, true} {
			for _, prefetch := range []bool{false, true} {
				b.Run(fmt.Sprintf("keys=%d/parallel=%v/prefetch=%v", nkeys, par, prefetch), func(b *testing.B) {
					benchFloor(b, nkeys, par, prefetch)
				})
			}
		}
	}
}

func benchFloor(b *testing.B, nkeys int, par, prefetch bool) {
	keys := benchKeys(nkeys)
	table := make(floorTable, 1<<16)
	for _, k := range keys {
		i := floorSlot(k, uint64(len(table)-1))
		for table[i] != nil {
			i = (i + 1) & uint64(len(table)-1)
		}
		table[i] = &floorCounter{key: k}
	}
	run := func(next func() bool, i int) {
		for next() {
			c := table.find(keys[i], prefetch)
			c.mu.Lock()
			c.n++
			c.mu.Unlock()
			if i++; i == len(keys) {
				i = 0
			}
		}
	}
	if !par {
		run(b.Loop, 0)
		return
	}
	var offset atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		run(pb.Next, int(offset.Add(7919))%len(keys))
	})

}
