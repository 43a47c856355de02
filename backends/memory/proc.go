package memory

import _ "unsafe" // for go:linkname

// procID returns the index of the P (the runtime's processor, one of
// GOMAXPROCS) the calling goroutine runs on, as sync.Pool uses it to pick
// its per-P shard. The goroutine may move to another P as soon as procID
// returns, so the answer is a hint for spreading work, never a lock.
//
// procPin and procUnpin are the runtime's; it keeps them reachable by
// linkname, and their signatures unchanged, for the packages outside the
// standard library that already use them so (go.dev/issue/67401).
func procID() int {
	id := procPin()
	procUnpin()
	return id
}

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()
