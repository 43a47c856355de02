// Package bench holds side-by-side Go benchmarks of limitgen against peer
// rate limiters (github.com/sethvargo/go-limiter, github.com/go-chi/httprate,
// github.com/ulule/limiter, and on Redis github.com/go-redis/redis_rate).
// BenchmarkRedis needs the test servers (../scripts/services start, then
// export what ../scripts/services env prints). It is a module of its own so
// that the peers never reach the build of anyone who imports limitgen;
// nothing in the main module imports it, and the main module's tests do not
// need it.
//
// Run from this directory:
//
//	go test -c -o bench.test . && for i in $(seq 10); do ./bench.test -test.run '^$' -test.bench . -test.benchmem; done | tee bench.txt
//	go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da -col /impl bench.txt
//
// (ten interleaved runs rather than -count 10, so that a change in the
// machine's load hits every implementation alike). Sub-benchmark names
// carry impl=… so that benchstat puts the implementations side by side and
// prints each one's ratio to limitgen. Besides wall-clock ns/op every
// benchmark reports cpu-ns/op, the process's CPU time per operation
// (garbage collection included), which stays comparable on a shared
// machine where wall time also counts waiting for a CPU.
package bench
