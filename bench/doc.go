// Package bench holds side-by-side Go benchmarks of limitgen against peer
// rate limiters (github.com/sethvargo/go-limiter, github.com/go-chi/httprate,
// github.com/ulule/limiter). It is a module of its own so that the peers
// never reach the build of anyone who imports limitgen; nothing in the main
// module imports it.
//
// Run from this directory (the machine should be otherwise idle):
//
//	go test -run '^$' -bench . -benchmem -count 10 | tee bench.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /impl bench.txt
//
// Sub-benchmark names carry impl=… so that benchstat puts the
// implementations side by side and prints each one's ratio to limitgen.
package bench
