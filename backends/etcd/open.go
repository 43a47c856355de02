package etcd

import (
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/limitgen/limitgen/backends"
)

func init() {
	backends.Register("etcd", Open)
	backends.Register("etcds", Open)
}

// Open opens a Storage from a parsed URI of one of these forms:
//
//	etcd://[user:password@]host1:port1[,host2:port2…][?params]    (plain gRPC)
//	etcds://[user:password@]host1:port1[,host2:port2…][?params]   (TLS)
//
// The hosts are the client endpoints of one etcd cluster. A user and
// password authenticate with etcd's own authentication (the user needs
// read and write permission on the keys under the prefix); without them
// no authentication is attempted. Parameters:
//
//	prefix=P                 etcd key prefix (Options.Prefix); default none
//	timeout=D                bound per storage call (Options.Timeout); default 1s, 0 for none
//	dial_timeout=D           bound of the authentication at Open; default 5s
//	tls=true                 TLS on etcd:// (etcds:// implies it)
//	ca=FILE                  PEM CA bundle to verify the servers; default the system roots
//	cert=FILE, key=FILE      PEM client certificate and key (mutual TLS)
//	server_name=NAME         name to verify instead of the host
//	insecure_skip_verify=true  do not verify the servers' certificates (tests only)
//
// Durations are Go durations ("250ms") or seconds ("0.5"). Unknown
// parameters are errors; errors never contain the password. Open does not
// wait for a connection unless credentials are given (it then
// authenticates, bounded by dial_timeout): a server that is down shows in
// the first call's error.
func Open(u *backends.URI) (backends.Storage, error) {
	cfg, opts, err := parseURI(u)
	if err != nil {
		return nil, err
	}
	client, err := clientv3.New(*cfg)
	if err != nil {
		return nil, fmt.Errorf("etcd: storage URI %q: %v", u.Redacted(), err)
	}
	opts.CloseClient = true
	s, err := New(client, opts)
	if err != nil {
		client.Close()
		return nil, err
	}
	return s, nil
}

// parseURI reads every parameter of u into a client configuration and
// storage options.
func parseURI(u *backends.URI) (*clientv3.Config, Options, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("etcd: storage URI %q: "+format, append([]any{u.Redacted()}, args...)...)
	}
	var o Options
	var err error
	o.Prefix, _ = u.Param("prefix")
	if o.Timeout, err = u.DurationParam("timeout", DefaultTimeout); err != nil {
		return nil, o, err
	}
	if o.Timeout == 0 {
		o.Timeout = -1 // timeout=0: no bound beyond the context
	}
	dial, err := u.DurationParam("dial_timeout", DefaultDialTimeout)
	if err != nil {
		return nil, o, err
	}
	useTLS := u.Scheme == "etcds"
	if !useTLS {
		if useTLS, err = u.BoolParam("tls", false); err != nil {
			return nil, o, err
		}
	}
	tlsConfig, err := u.TLSParams(useTLS, "etcds:// (or tls=true)")
	if err != nil {
		return nil, o, err
	}
	if err := u.CheckParams(); err != nil {
		return nil, o, err
	}
	if u.Scheme != "etcd" && u.Scheme != "etcds" {
		return nil, o, bad("scheme %q is not an etcd scheme", u.Scheme)
	}
	if len(u.Hosts) == 0 {
		return nil, o, bad("no host:port")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, o, bad("an etcd URI has no path (got %q; use prefix= for a key namespace)", u.Path)
	}
	if u.Username == "" && u.Password != "" {
		return nil, o, bad("a password without a user name")
	}
	if dial <= 0 {
		return nil, o, bad("dial_timeout must be positive")
	}
	cfg := &clientv3.Config{
		Username:    u.Username,
		Password:    u.Password,
		DialTimeout: dial,
		TLS:         tlsConfig,
		Logger:      zap.NewNop(),
	}
	scheme := "http://"
	if useTLS {
		scheme = "https://"
	}
	for _, h := range u.Hosts {
		cfg.Endpoints = append(cfg.Endpoints, scheme+h)
	}
	return cfg, o, nil
}
