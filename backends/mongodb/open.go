package mongodb

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/limitgen/limitgen/backends"
)

func init() {
	backends.Register("mongodb", Open)
	backends.Register("mongodb+srv", Open)
}

// Open opens a Storage from a parsed URI of one of these forms:
//
//	mongodb://[user:password@]host1[:port1][,host2[:port2]…][/authdb][?parameters]
//	mongodb+srv://[user:password@]host[/authdb][?parameters]
//
// The hosts, credentials, path and the MongoDB connection-string options
// (https://www.mongodb.com/docs/manual/reference/connection-string-options/:
// maxPoolSize, authSource, tls, replicaSet, w, readPreference, …) go to the
// driver as written; each option must be spelt as documented (maxPoolSize,
// not maxpoolsize), so that a typo is reported rather than ignored. w=0 is
// refused: a decision must learn whether its compare-and-swap matched.
// limitgen's own parameters:
//
//	database=NAME       database of the counters (Options.Database); default the
//	                    path's database, else "limitgen"
//	collection=NAME     collection of the counters (Options.Collection); default "limits"
//	prefix=P            document identifier prefix (Options.Prefix); default none
//	timeout=D           bound per storage call, retries included (Options.Timeout);
//	                    default 1s, 0 for none
//	sweep=D             interval of the storage's own deletion of expired documents
//	                    where the server has no TTL index (Options.Sweep); default 1m,
//	                    0 for never
//
// Durations are Go durations ("250ms") or seconds ("0.5"). Any other
// parameter is an error; errors never contain passwords. Open does not
// wait for the server: the driver connects in the background, and the first
// call (or Ping) reports a server that does not answer.
func Open(u *backends.URI) (backends.Storage, error) {
	opts, clientOpts, err := parseURI(u)
	if err != nil {
		return nil, err
	}
	client, err := mongo.Connect(clientOpts)
	if err != nil {
		return nil, fmt.Errorf("mongodb: storage URI %q: %s", scrub(u.Redacted(), secrets(u)), scrub(err.Error(), secrets(u)))
	}
	opts.CloseClient = true
	return New(client, opts)
}

// ourParams are limitgen's own URI parameters; the driver never sees them.
var ourParams = []string{"database", "collection", "prefix", "timeout", "sweep"}

// driverParams are the connection-string options of MongoDB's specification
// that go-driver v2 understands, in their documented spelling; they are
// passed through to the driver, which validates their values.
var driverParams = []string{
	"appName", "authMechanism", "authMechanismProperties", "authSource", "compressors",
	"connect", "connectTimeoutMS", "directConnection", "heartbeatFrequencyMS", "heartbeatIntervalMS",
	"journal", "loadBalanced", "localThresholdMS", "maxConnecting", "maxIdleTimeMS", "maxPoolSize",
	"minPoolSize", "maxStalenessSeconds", "maxStaleness", "readConcernLevel", "readPreference",
	"readPreferenceTags", "replicaSet", "retryReads", "retryWrites", "serverMonitoringMode",
	"serverSelectionTimeoutMS", "socketTimeoutMS", "srvMaxHosts", "srvServiceName",
	"ssl", "tls", "tlsCAFile", "tlsCertificateKeyFile", "tlsCertificateKeyFilePassword",
	"tlsCertificateFile", "tlsPrivateKeyFile", "tlsInsecure", "tlsAllowInvalidCertificates",
	"tlsAllowInvalidHostnames", "tlsDisableCertificateRevocationCheck", "tlsDisableOCSPEndpointCheck",
	"timeoutMS", "w", "wTimeoutMS", "zlibCompressionLevel", "zstdCompressionLevel",
}

// parseURI reads limitgen's parameters into Options and everything else
// into the driver's client options; unknown parameters are errors.
func parseURI(u *backends.URI) (Options, *options.ClientOptions, error) {
	o, clientOpts, err := parseURIParams(u)
	if err != nil {
		if hidden := secrets(u); len(hidden) > 1 { // more than Redacted hides
			err = errors.New(scrub(err.Error(), hidden))
		}
	}
	return o, clientOpts, err
}

func parseURIParams(u *backends.URI) (Options, *options.ClientOptions, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("mongodb: storage URI %q: "+format, append([]any{u.Redacted()}, args...)...)
	}
	var o Options
	var err error
	if u.Scheme != "mongodb" && u.Scheme != "mongodb+srv" {
		return o, nil, bad("scheme %q is not mongodb or mongodb+srv", u.Scheme)
	}
	o.Database, _ = u.Param("database")
	o.Collection, _ = u.Param("collection")
	o.Prefix, _ = u.Param("prefix")
	if o.Timeout, err = u.DurationParam("timeout", DefaultTimeout); err != nil {
		return o, nil, err
	}
	if o.Sweep, err = u.DurationParam("sweep", DefaultSweep); err != nil {
		return o, nil, err
	}
	if o.Timeout == 0 {
		o.Timeout = -1 // timeout=0: no bound beyond the context
	}
	if o.Sweep == 0 {
		o.Sweep = -1 // sweep=0: never
	}
	q := url.Values{}
	for _, name := range driverParams {
		if v, ok := u.Param(name); ok {
			q.Set(name, v)
		}
	}
	if err := u.CheckParams(); err != nil {
		return o, nil, err
	}
	if len(u.Hosts) == 0 {
		return o, nil, bad("no host")
	}
	if u.Scheme == "mongodb+srv" && len(u.Hosts) != 1 {
		return o, nil, bad("mongodb+srv takes one host name, got %d", len(u.Hosts))
	}
	db := strings.TrimPrefix(u.Path, "/")
	if strings.Contains(db, "/") {
		return o, nil, bad("path %q is not a database name", u.Path)
	}
	if o.Database == "" {
		o.Database = db
	}
	if o.Database == "" {
		o.Database = DefaultDatabase
	}
	if o.Collection == "" {
		o.Collection = DefaultCollection
	}

	clientOpts := options.Client().ApplyURI(driverURI(u, db, q))
	if err := clientOpts.Validate(); err != nil {
		return o, nil, bad("%s", scrub(err.Error(), secrets(u)))
	}
	if !clientOpts.WriteConcern.Acknowledged() {
		return o, nil, bad("w=0: a decision must learn whether its compare-and-swap matched; use w=1 or more")
	}
	return o, clientOpts, nil
}

// driverURI writes the connection string the driver parses: u without
// limitgen's parameters.
func driverURI(u *backends.URI, db string, q url.Values) string {
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	if u.Username != "" || u.Password != "" {
		b.WriteString(escape(u.Username))
		if u.Password != "" {
			b.WriteByte(':')
			b.WriteString(escape(u.Password))
		}
		b.WriteByte('@')
	}
	b.WriteString(strings.Join(u.Hosts, ","))
	b.WriteByte('/')
	b.WriteString(escape(db))
	if len(q) > 0 {
		b.WriteByte('?')
		b.WriteString(q.Encode())
	}
	return b.String()
}

// escape percent-encodes every byte of s but the URI's unreserved
// characters, which the driver's parser decodes back.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// secrets returns the credentials in u: the password (always first, empty
// when there is none) and any AWS session token given as an
// authentication property (authMechanismProperties=AWS_SESSION_TOKEN:…),
// which u.Redacted does not hide.
func secrets(u *backends.URI) []string {
	out := []string{u.Password}
	v, _ := u.Param("authMechanismProperties")
	for _, p := range strings.Split(v, ",") {
		if k, val, _ := strings.Cut(p, ":"); strings.EqualFold(strings.TrimSpace(k), "AWS_SESSION_TOKEN") && val != "" {
			out = append(out, val)
		}
	}
	return out
}

// scrub hides each of secrets in a message, as written and in the
// encodings a URI gives it, in case the message quotes a connection string.
func scrub(msg string, secrets []string) string {
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, form := range []string{escape(s), url.QueryEscape(s), url.PathEscape(s), s} {
			msg = strings.ReplaceAll(msg, form, "xxxxx")
		}
	}
	return msg
}
