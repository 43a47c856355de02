package memcached

import (
	"fmt"
	"strings"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/limitgen/limitgen/backends"
)

func init() {
	backends.Register("memcached", Open)
}

// Open opens a Storage from a parsed URI of one of the forms
//
//	memcached://host1:port1[,host2:port2…][?param=value&…]
//	memcached:///path/to/memcached.sock[?param=value&…]     (a Unix socket)
//
// Items are spread over the servers by a hash of their key (gomemcache's
// ServerList); every counter of one client lives in one item, so on one
// server. memcached's text protocol has no authentication, so a user name
// or password in the URI is an error. Parameters:
//
//	prefix=P            item key prefix (Options.Prefix); default none
//	timeout=D           bound per storage call, retries included, and per round
//	                    trip (Options.Timeout); default 1s; must be positive
//	max_idle_conns=N    idle connections kept per server; default 32 (DefaultMaxIdleConns);
//	                    set it to about the number of concurrent decisions
//	max_item_size=N     largest item value in bytes (Options.MaxItemSize);
//	                    default 1 MiB less 512
//
// Durations are Go durations ("250ms") or seconds ("0.5"). Unknown
// parameters are errors.
func Open(u *backends.URI) (backends.Storage, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("memcached: storage URI %q: "+format, append([]any{u.Redacted()}, args...)...)
	}
	var o Options
	var err error
	o.Prefix, _ = u.Param("prefix")
	if o.Timeout, err = u.DurationParam("timeout", DefaultTimeout); err != nil {
		return nil, err
	}
	if o.Timeout == 0 {
		return nil, bad("timeout=0: memcached needs a positive bound (its client takes no context)")
	}
	idle, err := u.IntParam("max_idle_conns", DefaultMaxIdleConns)
	if err != nil {
		return nil, err
	}
	if idle < 0 {
		return nil, bad("max_idle_conns=%d is negative", idle)
	}
	if o.MaxItemSize, err = u.IntParam("max_item_size", DefaultMaxItemSize); err != nil {
		return nil, err
	}
	if o.MaxItemSize < 1024 {
		return nil, bad("max_item_size=%d is below 1024 bytes", o.MaxItemSize)
	}
	if err := u.CheckParams(); err != nil {
		return nil, err
	}
	if u.Username != "" || u.Password != "" {
		return nil, bad("memcached has no authentication in its text protocol: remove the user and password")
	}
	hosts := u.Hosts
	switch {
	case len(hosts) == 0 && u.Path != "" && u.Path != "/":
		hosts = []string{u.Path} // memcached:///path/to/memcached.sock
	case len(hosts) == 0:
		return nil, bad("no host:port")
	case u.Path != "" && u.Path != "/":
		return nil, bad("memcached has no databases (got path %q)", u.Path)
	}
	var servers memcache.ServerList
	if err := servers.SetServers(hosts...); err != nil {
		return nil, bad("%v", err)
	}
	client := memcache.NewFromSelector(&servers)
	client.Timeout = o.Timeout
	client.MaxIdleConns = idle
	o.CloseClient = true
	s, err := New(client, o)
	if err != nil {
		return nil, bad("%s", strings.TrimPrefix(err.Error(), "memcached: "))
	}
	return s, nil
}
