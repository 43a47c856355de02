package etcd_test

import (
	"context"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
)

// TestAuth turns etcd's authentication on for the length of the test
// (the tests of this package run one at a time; Cleanup turns it off
// again), with a user who may read and write only under one prefix, and
// checks that a URI with that user's password opens a storage that
// decides, that a wrong password fails Open without revealing it, and that
// the user's storage cannot touch keys outside its prefix.
func TestAuth(t *testing.T) {
	base := backendtest.ServerURI(t, "LIMITGEN_ETCD_AUTH_URI")
	u, err := backends.ParseURI(base)
	if err != nil {
		t.Fatal(err)
	}
	root, err := clientv3.New(clientv3.Config{Endpoints: []string{"http://" + u.Hosts[0]}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	prefix := backendtest.UniquePrefix(t)
	const user, pass = "limitgen-test", "auth-s3cret"
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(root.UserAdd(ctx, "root", "root-s3cret"))
	must(root.RoleAdd(ctx, "root"))
	must(root.UserGrantRole(ctx, "root", "root"))
	must(root.UserAdd(ctx, user, pass))
	must(root.RoleAdd(ctx, user))
	must(root.RoleGrantPermission(ctx, user, prefix, clientv3.GetPrefixRangeEnd(prefix), clientv3.PermissionType(clientv3.PermReadWrite)))
	must(root.UserGrantRole(ctx, user, user))
	must(root.AuthEnable(ctx))
	t.Cleanup(func() {
		admin, err := clientv3.New(clientv3.Config{Endpoints: []string{"http://" + u.Hosts[0]}, Username: "root", Password: "root-s3cret", DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			t.Errorf("cannot turn authentication off again: %v", err)
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.AuthDisable(ctx); err != nil {
			t.Errorf("cannot turn authentication off again: %v", err)
		}
		admin.UserDelete(ctx, user)
		admin.RoleDelete(ctx, user)
		admin.UserDelete(ctx, "root")
		admin.RoleDelete(ctx, "root")
	})

	host := u.Hosts[0]
	st, err := backends.Open("etcd://" + user + ":" + pass + "@" + host + "?prefix=" + prefix + "&timeout=10s")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := backends.Limit{Key: backends.Key("LIMITER", "a", "s", "1 per 1h"), Amount: 1, Window: time.Hour, Cost: 1}
	res := make([]backends.Result, 1)
	for i, want := range []bool{true, false} {
		ok, err := st.Hit(ctx, &backends.Request{Now: t0, Limits: []backends.Limit{l}}, res)
		if err != nil || ok != want {
			t.Fatalf("authenticated Hit %d: %v, %v; want %v", i, ok, err, want)
		}
	}
	if err := st.Ping(ctx); err == nil {
		// Ping reads a key under the prefix: allowed.
	} else {
		t.Errorf("authenticated Ping: %v", err)
	}

	_, err = backends.Open("etcd://" + user + ":wrong-s3cret@" + host + "?dial_timeout=5s")
	if err == nil || strings.Contains(err.Error(), "wrong-s3cret") {
		t.Errorf("Open with a wrong password: %v", err)
	}

	outside, err := backends.Open("etcd://" + user + ":" + pass + "@" + host + "?prefix=elsewhere/&timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	defer outside.Close()
	if _, err := outside.Hit(ctx, &backends.Request{Now: t0, Limits: []backends.Limit{l}}, res); err == nil || strings.Contains(err.Error(), pass) {
		t.Errorf("Hit outside the user's prefix: %v; want a permission error without the password", err)
	}
}
