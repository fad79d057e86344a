package postgres_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/tribune-social/tribune/internal/store/postgres"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// Against the test server (which offers TLS, as Debian's does): a loopback
// URL without sslmode connects in the clear, one with sslmode=require
// through TLS.
func TestLoopbackConnectionsGoWithoutTLS(t *testing.T) {
	base, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ssl := func(u *url.URL) bool {
		t.Helper()
		s, err := postgres.Open(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var on bool
		if err := s.Pool().QueryRow(ctx, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&on); err != nil {
			t.Fatal(err)
		}
		return on
	}
	q := base.Query()
	q.Del("sslmode")
	base.RawQuery = q.Encode()
	if ssl(base) {
		t.Errorf("a connection to %s without sslmode went through TLS", base.Host)
	}
	var offered string
	s, err := postgres.Open(ctx, base.String())
	if err != nil {
		t.Fatal(err)
	}
	err = s.Pool().QueryRow(ctx, "SHOW ssl").Scan(&offered)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if offered != "on" {
		t.Skip("the test server does not offer TLS: sslmode=require cannot be checked")
	}
	q.Set("sslmode", "require")
	base.RawQuery = q.Encode()
	if !ssl(base) {
		t.Errorf("sslmode=require connected without TLS")
	}
}
