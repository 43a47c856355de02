package redis

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/backends"
)

func init() {
	for _, scheme := range []string{"redis", "rediss", "redis+unix", "redis+cluster", "redis+sentinel"} {
		backends.Register(scheme, Open)
		backends.Register(strings.Replace(scheme, "redis", "valkey", 1), Open)
	}
}

// redisScheme returns the Redis scheme a URI's scheme stands for: Valkey
// (a fork of Redis that speaks its protocol) has its own names for them,
// valkey://, valkeys://, valkey+unix://, valkey+cluster:// and
// valkey+sentinel://.
func redisScheme(scheme string) string {
	if rest, ok := strings.CutPrefix(scheme, "valkey"); ok {
		return "redis" + rest
	}
	return scheme
}

// Open opens a Storage from a parsed URI of one of these forms:
//
//	redis://[user:password@]host:port[/db]
//	rediss://[user:password@]host:port[/db]          (TLS)
//	redis+unix://[user:password@]/path/to/redis.sock[?db=N]
//	redis+cluster://[user:password@]host1:port1,host2:port2,…
//	redis+sentinel://[user:password@]host1:port1,host2:port2,…/service
//
// or the same with valkey for redis (valkey://, valkeys://, valkey+unix://,
// valkey+cluster://, valkey+sentinel://), for Valkey servers.
//
// The user and password authenticate to the data nodes. Parameters:
//
//	prefix=P                 key prefix (Options.Prefix); default none
//	timeout=D                bound per storage call (Options.Timeout); default 1s, 0 for none;
//	                         redis, rediss and redis+unix cap the client's dial, read, write
//	                         and pool timeouts at it and do not retry (Options.ClientTimeouts)
//	clock=server|client      whose clock decides (Options.ClientClock); default server
//	pipelines=N              coalesced pipelines in flight (Options.Pipelines); default 2,
//	                         0 sends each decision on its own connection
//	pool_size=N              connections per node; default go-redis's (10 per CPU)
//	dial_timeout=D           default 5s
//	read_timeout=D, write_timeout=D   default 5s
//	db=N                     database (redis, rediss, redis+unix, redis+sentinel); default 0
//	tls=true                 TLS for redis+cluster and redis+sentinel (rediss:// implies it)
//	ca=FILE                  PEM CA bundle to verify the server; default the system roots
//	cert=FILE, key=FILE      PEM client certificate and key (mutual TLS)
//	server_name=NAME         name to verify instead of the host
//	insecure_skip_verify=true  do not verify the server's certificate (tests only); default false
//	service=NAME             sentinel service, instead of the path
//	sentinel_username=U, sentinel_password=P  authentication to the sentinels; default none
//
// Durations are Go durations ("250ms") or seconds ("0.5"). Unknown
// parameters are errors; errors never contain passwords.
func Open(u *backends.URI) (backends.Storage, error) {
	o, err := parseOptions(u)
	if err != nil {
		return nil, err
	}
	var client goredis.UniversalClient
	switch redisScheme(u.Scheme) {
	case "redis", "rediss", "redis+unix":
		client = goredis.NewClient(o.single)
	case "redis+cluster":
		client = goredis.NewClusterClient(o.cluster)
	case "redis+sentinel":
		client = goredis.NewFailoverClient(o.failover)
	default:
		return nil, fmt.Errorf("redis: scheme %q of %q is not a Redis scheme", u.Scheme, u.Redacted())
	}
	o.storage.CloseClient = true
	s, err := New(client, o.storage)
	if err != nil {
		client.Close()
		return nil, err
	}
	return s, nil
}

type parsed struct {
	storage  Options
	single   *goredis.Options
	cluster  *goredis.ClusterOptions
	failover *goredis.FailoverOptions
}

// parseOptions reads every parameter of u into go-redis options.
func parseOptions(u *backends.URI) (*parsed, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("redis: storage URI %q: "+format, append([]any{u.Redacted()}, args...)...)
	}
	var p parsed
	var err error
	p.storage.Prefix, _ = u.Param("prefix")
	if p.storage.Timeout, err = u.DurationParam("timeout", DefaultTimeout); err != nil {
		return nil, err
	}
	if p.storage.Timeout == 0 {
		p.storage.Timeout = -1 // timeout=0: no bound beyond the context
	}
	switch clock, _ := u.Param("clock"); clock {
	case "", "server":
	case "client":
		p.storage.ClientClock = true
	default:
		return nil, bad("clock=%q (want server or client)", clock)
	}
	pipelines, err := u.IntParam("pipelines", DefaultPipelines)
	if err != nil {
		return nil, err
	}
	switch {
	case pipelines < 0:
		return nil, bad("pipelines=%d is negative", pipelines)
	case pipelines == 0:
		p.storage.Pipelines = -1 // pipelines=0: no coalescing
	default:
		p.storage.Pipelines = pipelines
	}
	poolSize, err := u.IntParam("pool_size", 0)
	if err != nil {
		return nil, err
	}
	if poolSize < 0 {
		return nil, bad("pool_size=%d is negative", poolSize)
	}
	dial, err := u.DurationParam("dial_timeout", 0)
	if err != nil {
		return nil, err
	}
	read, err := u.DurationParam("read_timeout", 0)
	if err != nil {
		return nil, err
	}
	write, err := u.DurationParam("write_timeout", 0)
	if err != nil {
		return nil, err
	}
	scheme := redisScheme(u.Scheme)
	useTLS := scheme == "rediss"
	if scheme == "redis+cluster" || scheme == "redis+sentinel" {
		if useTLS, err = u.BoolParam("tls", false); err != nil {
			return nil, err
		}
	}
	tlsConfig, err := u.TLSParams(useTLS, "rediss:// (or tls=true on cluster and sentinel URIs)")
	if err != nil {
		return nil, err
	}

	db := 0
	if scheme != "redis+cluster" {
		if db, err = u.IntParam("db", 0); err != nil {
			return nil, err
		}
	}
	switch scheme {
	case "redis", "rediss":
		if len(u.Hosts) != 1 {
			return nil, bad("want exactly one host:port, got %d", len(u.Hosts))
		}
		if u.Path != "" && u.Path != "/" {
			n, err := strconv.Atoi(strings.TrimPrefix(u.Path, "/"))
			if err != nil || n < 0 {
				return nil, bad("path %q is not a database number", u.Path)
			}
			if _, given := u.Param("db"); given {
				return nil, bad("database given both in the path and as db=")
			}
			db = n
		}
	case "redis+unix":
		if len(u.Hosts) != 0 || u.Path == "" {
			return nil, bad("want redis+unix:///path/to/redis.sock")
		}
	case "redis+cluster":
		if len(u.Hosts) == 0 {
			return nil, bad("no host:port")
		}
		if u.Path != "" && u.Path != "/" {
			return nil, bad("a cluster has no database path (got %q)", u.Path)
		}
	case "redis+sentinel":
		if len(u.Hosts) == 0 {
			return nil, bad("no sentinel host:port")
		}
	}
	if db < 0 {
		return nil, bad("db=%d is negative", db)
	}
	var service, sentinelUser, sentinelPass string
	if scheme == "redis+sentinel" {
		service, _ = u.Param("service")
		if path := strings.Trim(u.Path, "/"); path != "" {
			if service != "" {
				return nil, bad("service given both in the path and as service=")
			}
			service = path
		}
		if service == "" {
			return nil, bad("no sentinel service (want redis+sentinel://host:port/service)")
		}
		sentinelUser, _ = u.Param("sentinel_username")
		sentinelPass, _ = u.Param("sentinel_password")
	}
	if err := u.CheckParams(); err != nil {
		return nil, err
	}
	if strings.ContainsAny(p.storage.Prefix, "{}") {
		return nil, bad("prefix must not contain braces (they change the keys' hash slots)")
	}

	switch scheme {
	case "redis", "rediss", "redis+unix":
		o := &goredis.Options{Network: "tcp", Username: u.Username, Password: u.Password, DB: db,
			PoolSize: poolSize, DialTimeout: dial, ReadTimeout: read, WriteTimeout: write,
			TLSConfig: tlsConfig, ContextTimeoutEnabled: true, DisableIdentity: true}
		if scheme == "redis+unix" {
			o.Network, o.Addr = "unix", u.Path
		} else {
			o.Addr = u.Hosts[0]
		}
		if t := p.storage.Timeout; t > 0 {
			// the client bounds each call by the timeout, so no call needs
			// a context of its own (Options.ClientTimeouts)
			o.DialTimeout = fit(o.DialTimeout, 5*time.Second, t)
			o.ReadTimeout = fit(o.ReadTimeout, 5*time.Second, t)
			o.WriteTimeout = fit(o.WriteTimeout, o.ReadTimeout, t)
			o.PoolTimeout = t
			o.MaxRetries = -1
			p.storage.ClientTimeouts = true
		}
		p.single = o
	case "redis+cluster":
		p.cluster = &goredis.ClusterOptions{Addrs: u.Hosts, Username: u.Username, Password: u.Password,
			PoolSize: poolSize, DialTimeout: dial, ReadTimeout: read, WriteTimeout: write,
			TLSConfig: tlsConfig, ContextTimeoutEnabled: true, DisableIdentity: true}
	case "redis+sentinel":
		p.failover = &goredis.FailoverOptions{MasterName: service, SentinelAddrs: u.Hosts,
			SentinelUsername: sentinelUser, SentinelPassword: sentinelPass,
			Username: u.Username, Password: u.Password, DB: db,
			PoolSize: poolSize, DialTimeout: dial, ReadTimeout: read, WriteTimeout: write,
			TLSConfig: tlsConfig, ContextTimeoutEnabled: true, DisableIdentity: true}
	}
	return &p, nil
}

// fit returns d, or def when d is zero, capped at t.
func fit(d, def, t time.Duration) time.Duration {
	if d == 0 {
		d = def
	}
	return min(d, t)
}
