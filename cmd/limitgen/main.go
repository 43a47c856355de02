// Limitgen reads the //limit: annotations of a Go package and writes
// limits_gen.go: the package's route table with every limit parsed into a
// literal, and the code that registers its handlers with the limitgen
// runtime. Put this line in a file of the package:
//
//	//go:generate go run github.com/limitgen/limitgen/cmd/limitgen
//
// and run `go generate`. Usage:
//
//	limitgen [packages]                 write limits_gen.go in each package (default ".")
//	limitgen check [packages]           exit 1 if a limits_gen.go is stale or missing
//	limitgen limits [flags] [packages]  print the routes and their limits as a tree
//	limitgen config [packages]          print the limiter's configuration as the sources set it
//	limitgen clear -key K [-storage URI] [-endpoint E | -path P] [-method M] [packages]
//	                                    reset the counters of client K
//
// Problems are printed like a compiler's, "file:line:col: message", every one
// of them, sorted; the exit status is then 1. Usage errors exit with 2.
//
// The generated file declares, in the package:
//
//	var LimitGroup limitgenrt.Group                                  // the route table
//	func RegisterLimits(l *limitgenrt.Limiter, mux limitgenrt.Mux) error // mounts every route with a pattern
//	func LimitedXxx(l *limitgenrt.Limiter) http.Handler              // one per endpoint, for other routers
//
// where limitgenrt is github.com/limitgen/limitgen/runtime. A package
// without annotations gets no file, and a limits_gen.go limitgen wrote
// earlier is removed from it.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
