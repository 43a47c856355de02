package runtime

import "time"

// start is the wall-clock instant the process started measuring from; now
// adds the monotonic time elapsed since, which costs one clock read instead
// of time.Now's two.
var start = time.Now()

// now returns the current instant: start plus the monotonic time elapsed
// since start. It never goes backwards, whatever happens to the wall clock.
func now() time.Time { return start.Add(time.Since(start)) }
