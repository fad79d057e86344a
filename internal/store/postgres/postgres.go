// Package postgres implements store.Store on PostgreSQL through pgx, with
// River's pgx driver, so several Tribune nodes can share one database.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/postgres/pgdb"
)

// Store is store.Store on PostgreSQL.
type Store struct {
	queries
	pool      *pgxpool.Pool
	riverPool *pgxpool.Pool // River's own work; transactions stay on pool
	river     *river.Client[pgx.Tx]
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (postgres://…). It does not migrate.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if plainOnLoopback(url, os.Getenv("PGSSLMODE"), cfg.ConnConfig) {
		if cfg, err = pgxpool.ParseConfig(withSSLModeDisable(url)); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
	}
	// pgxpool's default (4 connections on 2 cores) starves River's workers,
	// which each hold a connection for their transaction.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 40
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// River's own queries (fetching, promoting scheduled jobs, completing)
	// run on a small pool of their own that plans every execution for its
	// parameters. With PostgreSQL's default, the scheduler's statement went to
	// a cached generic plan made while few jobs waited (nested loops for an
	// estimated 5 rows): promoting a burst of 10,000 scheduled posts then took
	// 23 s and timed out, and the posts went out 20 to 30 s late.
	rcfg := cfg.Copy()
	rcfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	rcfg.MaxConns = 8
	rcfg.MinConns = 0
	riverPool, err := pgxpool.NewWithConfig(ctx, rcfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	q := pgdb.New(planned{pool})
	return &Store{queries: queries{r: q, w: q}, pool: pool, riverPool: riverPool}, nil
}

// plainOnLoopback reports whether the connections to a server on this
// machine go without TLS: when url and PGSSLMODE leave the mode to pgx's
// default ("prefer": TLS whenever the server offers it, as Debian's does)
// and every host it names is a loopback address or a Unix socket. TLS keeps
// the bytes on a network from being read or changed; on the loopback
// interface only this machine's root can see them, who can read the
// server's memory and files anyway, so it protects nothing there and cost
// a tenth of ingestion's CPU on both sides (docs/benchmarks.md, "Inbox").
// A mode the URL or PGSSLMODE states is kept as it is.
func plainOnLoopback(url, envMode string, cfg *pgx.ConnConfig) bool {
	if strings.Contains(url, "sslmode") || envMode != "" {
		return false
	}
	hosts := []string{cfg.Host}
	for _, f := range cfg.Fallbacks {
		hosts = append(hosts, f.Host)
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); !strings.HasPrefix(h, "/") && h != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return false
		}
	}
	return true
}

// withSSLModeDisable adds sslmode=disable to a URL or a keyword/value
// connection string.
func withSSLModeDisable(url string) string {
	switch {
	case !strings.Contains(url, "://"):
		return url + " sslmode=disable"
	case strings.Contains(url, "?"):
		return url + "&sslmode=disable"
	default:
		return url + "?sslmode=disable"
	}
}

// planEach names the reads PostgreSQL plans for each execution instead of
// reusing a cached generic plan: the publishing jobs' reads of a set of
// ids of publish_parts, a table that grows by thousands of rows a minute
// and is nearly empty when a first burst starts. A plan cached while the
// table was small kept its sequential scan as the table grew (PostgreSQL's
// auto_explain during the dispatch benchmark): the set read went from 0.3
// to 1.8 ms. The other statements look up primary keys of tables that were
// full before the burst, or are writes: their plans stay good.
var planEach = map[string]bool{"GetPublishTargets": true, "ListPublishPartsOf": true}

// planned sends the reads of planEach as unnamed statements, which
// PostgreSQL plans with the actual parameters; pgx keeps their
// descriptions, so they still cost one round trip.
type planned struct{ pgdb.DBTX }

func plannedArgs(sql string, args []any) []any {
	if name, _ := sqlcName(sql); planEach[name] {
		return append([]any{pgx.QueryExecModeCacheDescribe}, args...)
	}
	return args
}

func (p planned) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return p.DBTX.Query(ctx, sql, plannedArgs(sql, args)...)
}

func (p planned) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return p.DBTX.QueryRow(ctx, sql, plannedArgs(sql, args)...)
}

// migrationLock is the advisory lock key held while migrating, so nodes
// starting together do not migrate over each other.
const migrationLock = 7_271_0001

// Migrate brings Tribune's schema and River's tables up to date.
func (s *Store) Migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock) //nolint:errcheck // released with the session anyway

	fsys, err := store.Migrations("postgres")
	if err != nil {
		return err
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys)
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	m, err := rivermigrate.New(riverpgxv5.New(s.pool), nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("postgres: river migrate: %w", err)
	}
	return nil
}

// Dialect implements store.Store.
func (s *Store) Dialect() string { return "postgres" }

// Pool exposes the connection pool (the live layer's notifications, tests
// and benchmarks).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// RiverPool exposes the pool River works on (tests).
func (s *Store) RiverPool() *pgxpool.Pool { return s.riverPool }

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Close implements store.Store.
func (s *Store) Close() error {
	s.riverPool.Close()
	s.pool.Close()
	return nil
}

// SetupJobs implements store.Store.
func (s *Store) SetupJobs(cfg *river.Config) error {
	c, err := river.NewClient(riverpgxv5.New(s.riverPool), cfg)
	if err != nil {
		return err
	}
	s.river = c
	return nil
}

// Jobs implements store.Store.
func (s *Store) Jobs() store.Jobs { return store.RiverJobs(s.river) }

// InTx implements store.Store.
func (s *Store) InTx(ctx context.Context, fn func(store.Tx) error) error {
	return s.InTxWith(ctx, store.TxOptions{}, fn)
}

// InTxWith implements store.Store.
func (s *Store) InTxWith(ctx context.Context, o store.TxOptions, fn func(store.Tx) error) error {
	if !o.Pipelined {
		tx, err := s.pool.BeginTx(ctx, txOptions(o.Relaxed))
		if err != nil {
			return mapErr(err)
		}
		if err := fn(newTxStore(planned{tx}, plainTx{tx}, s.river)); err != nil {
			return errors.Join(err, ignoreClosed(tx.Rollback(context.WithoutCancel(ctx))))
		}
		return mapErr(tx.Commit(ctx))
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return mapErr(err)
	}
	// A connection left inside a transaction (a failed batch) is closed by
	// the pool on release, never handed to someone else.
	defer conn.Release()
	p := &pipeline{conn: conn.Conn(), relaxed: o.Relaxed, queued: &pgx.Batch{}}
	if err := fn(newTxStore(p, p, s.river)); err != nil {
		return errors.Join(err, p.rollback(context.WithoutCancel(ctx)))
	}
	return mapErr(p.commit(ctx))
}

// relaxSQL lets a transaction commit without waiting for the disk.
const relaxSQL = "SET LOCAL synchronous_commit = off"

// txOptions begins a transaction, relaxed or not; the setting rides on
// BEGIN (a simple-protocol query), with no round trip of its own.
func txOptions(relaxed bool) pgx.TxOptions {
	if relaxed {
		return pgx.TxOptions{BeginQuery: "BEGIN; " + relaxSQL}
	}
	return pgx.TxOptions{}
}

func ignoreClosed(err error) error {
	if errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return err
}

// txSource gives River the real transaction.
type txSource interface {
	realTx(ctx context.Context) (pgx.Tx, error)
}

type plainTx struct{ pgx.Tx }

func (t plainTx) realTx(context.Context) (pgx.Tx, error) { return t.Tx, nil }

func newTxStore(db pgdb.DBTX, src txSource, r *river.Client[pgx.Tx]) *txStore {
	q := pgdb.New(db)
	return &txStore{queries: queries{r: q, w: q}, db: db, src: src, river: r}
}

type txStore struct {
	queries
	db    pgdb.DBTX // for the hand-written statements (inbox_items.go)
	src   txSource
	river *river.Client[pgx.Tx]
}

func (t *txStore) InsertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error) {
	if t.river == nil {
		return 0, errors.New("postgres: SetupJobs was not called")
	}
	tx, err := t.src.realTx(ctx)
	if err != nil {
		return 0, err
	}
	res, err := t.river.InsertTx(ctx, tx, args, opts)
	if err != nil {
		return 0, err
	}
	return res.Job.ID, nil
}

func (t *txStore) CancelJob(ctx context.Context, id int64) error {
	if t.river == nil {
		return errors.New("postgres: SetupJobs was not called")
	}
	tx, err := t.src.realTx(ctx)
	if err != nil {
		return err
	}
	_, err = t.river.JobCancelTx(ctx, tx, id)
	if err != nil && !errors.Is(err, river.ErrNotFound) {
		return err
	}
	return nil
}

// JobCounts implements store.Store.
func (s *Store) JobCounts(ctx context.Context) ([]store.JobCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT queue, kind, state::text, count(*) FROM river_job GROUP BY queue, kind, state ORDER BY queue, kind, state`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.JobCount, error) {
		var c store.JobCount
		err := r.Scan(&c.Queue, &c.Kind, &c.State, &c.Count)
		return c, err
	})
}

func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("%w: %v", store.ErrConflict, err)
	}
	return err
}
