//go:build limitgen_etcd

package main

// With -tags limitgen_etcd the CLI reads and clears counters in etcd.
import _ "github.com/limitgen/limitgen/backends/etcd"
