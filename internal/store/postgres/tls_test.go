package postgres

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

// A server on this machine is reached without TLS unless the URL or
// PGSSLMODE asks for it; any other host keeps pgx's default.
func TestPlainOnLoopback(t *testing.T) {
	for _, c := range []struct {
		url, env string
		plain    bool
	}{
		{"postgres://u@127.0.0.1:5432/db", "", true},
		{"postgres://u@localhost/db", "", true},
		{"postgres://u@[::1]:5432/db", "", true},
		{"postgres://u@127.0.0.1,localhost/db", "", true},
		{"host=/var/run/postgresql dbname=db", "", true},
		{"host=127.0.0.1 dbname=db", "", true},
		{"postgres://u@db.example.test/db", "", false},
		{"postgres://u@10.0.0.5/db", "", false},
		{"postgres://u@127.0.0.1,db.example.test/db", "", false},
		{"postgres://u@127.0.0.1/db?sslmode=require", "", false},
		{"postgres://u@127.0.0.1/db?sslmode=prefer", "", false},
		{"host=localhost sslmode=verify-full dbname=db", "", false},
		{"postgres://u@127.0.0.1/db", "require", false},
	} {
		cfg, err := pgx.ParseConfig(c.url)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if got := plainOnLoopback(c.url, c.env, cfg); got != c.plain {
			t.Errorf("plainOnLoopback(%q, PGSSLMODE=%q) = %v, want %v", c.url, c.env, got, c.plain)
		}
		if c.plain {
			cfg, err := pgx.ParseConfig(withSSLModeDisable(c.url))
			if err != nil {
				t.Fatalf("%s: %v", withSSLModeDisable(c.url), err)
			}
			if cfg.TLSConfig != nil {
				t.Errorf("%s: TLS still configured", withSSLModeDisable(c.url))
			}
		}
	}
}
