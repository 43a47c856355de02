package mongodb_test

import (
	"net/url"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/mongodb"
)

// TestOpenErrors: unknown parameters (a typo of a driver option too), bad
// values of ours and of the driver's, and malformed URIs are errors that
// name the problem and never show the password.
func TestOpenErrors(t *testing.T) {
	const secret = "s3cr3t-pw"
	for _, c := range []struct{ uri, want string }{
		{"mongodb://u:" + secret + "@127.0.0.1:27017/?colour=blue", "unknown parameter(s) colour"},
		{"mongodb://u:" + secret + "@127.0.0.1:27017/?maxPoolSise=5", "unknown parameter(s) maxPoolSise"},
		{"mongodb://u:" + secret + "@127.0.0.1:27017/?maxpoolsize=5", "unknown parameter(s) maxpoolsize"},
		{"mongodb://u:" + secret + "@127.0.0.1:27017/?timeout=soon", `timeout="soon" is not a duration`},
		{"mongodb://u:" + secret + "@127.0.0.1:27017/?timeout=-1s", `timeout="-1s" is negative`},
		{"mongodb://u:" + secret + "@127.0.0.1:27017/?sweep=-2s", `sweep="-2s" is negative`},
		{"mongodb://u:" + secret + "@127.0.0.1:27017/?maxPoolSize=many", `invalid value for "maxPoolSize"`},
		{"mongodb://u:" + secret + "@127.0.0.1:27017/?w=0&journal=true", "journal"},
		{"mongodb://u:" + secret + "@/", "no host"},
		{"mongodb+srv://u:" + secret + "@a.example.com,b.example.com/", "one host name"},
		{"mongodb://u:" + secret + "@127.0.0.1:27017/a/b", "not a database name"},
		{"mongodb://u:" + secret + "@127.0.0.1:27017/?tlsCertificateKeyFilePassword=" + secret + "&nope=1", "unknown parameter(s) nope"},
	} {
		_, err := backends.Open(c.uri)
		if err == nil {
			t.Errorf("Open(%q): no error", c.uri)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q): %v; want it to mention %q", c.uri, err, c.want)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("Open(%q): the error shows the password: %v", c.uri, err)
		}
		if !strings.HasPrefix(err.Error(), "mongodb: ") && !strings.HasPrefix(err.Error(), "backends: ") {
			t.Errorf("Open(%q): %v; want it to start with the package name", c.uri, err)
		}
	}
}

// TestOpenErrorsHideSessionToken: an AWS session token given as an
// authentication property (authMechanismProperties=AWS_SESSION_TOKEN:…) is
// a credential like the password: no error of Open shows it, in any
// encoding, whichever parameter is wrong.
func TestOpenErrorsHideSessionToken(t *testing.T) {
	const token = "FwoGZXIvYXdzEJr/token+with=chars"
	props := "authMechanismProperties=AWS_SESSION_TOKEN:" + url.QueryEscape(token)
	for _, uri := range []string{
		"mongodb://AKID:secretkey@127.0.0.1:27017/?authMechanism=MONGODB-AWS&" + props + "&colour=blue",
		"mongodb://AKID:secretkey@127.0.0.1:27017/?authMechanism=MONGODB-AWS&" + props + "&timeout=soon",
		"mongodb://AKID:secretkey@127.0.0.1:27017/?authMechanism=MONGODB-AWS&" + props + "&sweep=-1s",
		"mongodb://AKID:secretkey@127.0.0.1:27017/?authMechanism=MONGODB-AWS&" + props + "&maxPoolSize=many",
		"mongodb://AKID:secretkey@127.0.0.1:27017/?authMechanism=MONGODB-AWS&" + props + ",BAD",
		"mongodb://AKID:secretkey@/?authMechanism=MONGODB-AWS&" + props,
	} {
		_, err := backends.Open(uri)
		if err == nil {
			t.Errorf("Open(%q): no error", uri)
			continue
		}
		for _, form := range []string{token, url.QueryEscape(token), url.PathEscape(token), "FwoGZXIvYXdzEJr"} {
			if strings.Contains(err.Error(), form) {
				t.Errorf("Open(%q): the error shows the session token: %v", uri, err)
				break
			}
		}
	}
}

// TestOpenOptions: the driver's options pass through in their documented
// and lower-case spellings, and limitgen's own land in Options (seen
// through the collection, which Open creates without a server call).
func TestOpenOptions(t *testing.T) {
	for _, c := range []struct{ uri, db, coll string }{
		{"mongodb://127.0.0.1:1/", mongodb.DefaultDatabase, mongodb.DefaultCollection},
		{"mongodb://127.0.0.1:1/app?collection=rl", "app", "rl"},
		{"mongodb://127.0.0.1:1,127.0.0.1:2/app?database=other&replicaSet=rs0", "other", mongodb.DefaultCollection},
		{"mongodb://u:p@127.0.0.1:1/?authSource=admin&maxPoolSize=5&retryWrites=false&w=majority&appName=x&timeout=250ms&sweep=0&prefix=p/", mongodb.DefaultDatabase, mongodb.DefaultCollection},
		{"mongodb://127.0.0.1:1/?tls=true&tlsInsecure=true&compressors=zstd,snappy&serverSelectionTimeoutMS=100", mongodb.DefaultDatabase, mongodb.DefaultCollection},
	} {
		st, err := backends.Open(c.uri)
		if err != nil {
			t.Errorf("Open(%q): %v", c.uri, err)
			continue
		}
		coll := st.(*mongodb.Storage).Collection()
		if coll.Database().Name() != c.db || coll.Name() != c.coll {
			t.Errorf("Open(%q): collection %s.%s, want %s.%s", c.uri, coll.Database().Name(), coll.Name(), c.db, c.coll)
		}
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}

// TestDriverURI: credentials with reserved characters reach the driver
// intact, and limitgen's parameters never do.
func TestDriverURI(t *testing.T) {
	u, err := backends.ParseURI("mongodb://us%40er:p%3Aw%2F%40%25x@h1:1,h2:2/app?timeout=1s&maxPoolSize=3")
	if err != nil {
		t.Fatal(err)
	}
	u.Param("timeout")
	got := mongodb.DriverURI(u, "app", map[string][]string{"maxPoolSize": {"3"}})
	cs, err := connstring.Parse(got)
	if err != nil {
		t.Fatalf("the driver cannot parse %q: %v", got, err)
	}
	if cs.Username != "us@er" || cs.Password != "p:w/@%x" || cs.Database != "app" ||
		strings.Join(cs.Hosts, ",") != "h1:1,h2:2" || cs.MaxPoolSize != 3 || strings.Contains(got, "timeout") {
		t.Errorf("driver URI %q parses as user %q, password %q, database %q, hosts %v, maxPoolSize %d",
			got, cs.Username, cs.Password, cs.Database, cs.Hosts, cs.MaxPoolSize)
	}
	st, err := backends.Open("mongodb://us%40er:p%3Aw%2F%40%25x@127.0.0.1:1/app?authSource=admin&timeout=1s")
	if err != nil {
		t.Fatalf("Open with reserved characters in the credentials: %v", err)
	}
	st.Close()
}
