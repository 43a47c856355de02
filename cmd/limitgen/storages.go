package main

import (
	"fmt"
	"slices"

	"github.com/limitgen/limitgen/backends"
	// The storages every build of the CLI can inspect and clear. They are
	// light to compile; etcd and MongoDB, whose clients bring gRPC and a
	// driver (about a minute more of a first `go generate`, and a binary
	// 2.5 times the size), come with build tags: storages_etcd.go,
	// storages_mongodb.go.
	_ "github.com/limitgen/limitgen/backends/memcached"
	_ "github.com/limitgen/limitgen/backends/memory"
	_ "github.com/limitgen/limitgen/backends/redis"
)

// tagOfScheme names the build tag that links each storage the CLI leaves
// out by default.
var tagOfScheme = map[string]string{
	"etcd":        "limitgen_etcd",
	"etcds":       "limitgen_etcd",
	"mongodb":     "limitgen_mongodb",
	"mongodb+srv": "limitgen_mongodb",
}

// storageLinked returns an error that says how to build the CLI with the
// storage of uri when this build lacks it. Any other problem with uri is
// left to opening it.
func storageLinked(uri string) error {
	u, err := backends.ParseURI(uri)
	if err != nil || slices.Contains(backends.Schemes(), u.Scheme) {
		return nil
	}
	if tag, ok := tagOfScheme[u.Scheme]; ok {
		return fmt.Errorf("limitgen: this build of limitgen has no %s:// storage (it is left out to keep go generate light); run it with the build tag %s: go run -tags %s github.com/limitgen/limitgen/cmd/limitgen …", u.Scheme, tag, tag)
	}
	return nil
}
