// Package sqlite implements store.Store on an embedded SQLite database
// (modernc.org/sqlite, pure Go): one writer connection and a pool of readers,
// River jobs in the same file.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/sqlite/sqlitedb"
)

// Store is store.Store on SQLite.
type Store struct {
	queries
	path   string
	writer *sql.DB
	reader *sql.DB
	river  *river.Client[*sql.Tx]
}

var _ store.Store = (*Store)(nil)

// dsn builds the connection string. The pragmas run in this order on every
// new connection, and the order matters: busy_timeout first, so that setting
// journal_mode while another process holds the file waits instead of failing;
// WAL so readers never block the writer; foreign_keys because SQLite leaves
// them off by default; synchronous=NORMAL is durable in WAL mode except for
// the last transactions on power loss, which River's retries cover.
func dsn(path string, readOnly bool) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		v.Add("_pragma", "query_only(1)")
	} else {
		// BEGIN IMMEDIATE takes the write lock at the start of a transaction,
		// so two writers never deadlock upgrading a read lock.
		v.Set("_txlock", "immediate")
	}
	v.Set("_time_format", "sqlite")
	return "file:" + path + "?" + v.Encode()
}

// The modes of a database Tribune creates: it holds sessions, token hashes
// and encrypted secrets, so only the account Tribune runs as reads it.
const (
	dirMode  os.FileMode = 0o700
	fileMode os.FileMode = 0o600
)

// createPrivate creates the database file (and its directory) owner-only
// when it does not exist yet. SQLite would create it 0644 less the umask,
// and it gives the -wal and -shm files it makes later the database file's
// own mode: so setting this one file's mode covers all three. Modes are
// set with chmod, past whatever umask the process has. An existing file
// keeps its mode (an operator may have chosen it).
func createPrivate(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, dirMode); err != nil {
			return fmt.Errorf("sqlite: create data directory: %w", err)
		}
		if err := os.Chmod(dir, dirMode); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: create database: %w", err)
	}
	return errors.Join(f.Chmod(fileMode), f.Close())
}

// Open opens (creating if needed, owner-only) the database file at path.
// It does not migrate: call Migrate.
func Open(path string) (*Store, error) {
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	// Each connection keeps its prepared statements (stmtcache.go).
	drv := &sqlite.Driver{}
	writer := sql.OpenDB(connector{dsn: dsn(path, false), drv: drv})
	// SQLite has one writer at a time; a single connection turns lock
	// contention into a queue in Go instead of SQLITE_BUSY errors (River's
	// SQLite driver asks for the same).
	writer.SetMaxOpenConns(1)
	writer.SetConnMaxIdleTime(0)
	reader := sql.OpenDB(connector{dsn: dsn(path, true), drv: drv})
	reader.SetMaxOpenConns(max(4, runtime.NumCPU()))
	s := &Store{path: path, writer: writer, reader: reader}
	s.queries = queries{r: sqlitedb.New(reader), w: sqlitedb.New(writer)}
	if err := s.Ping(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Migrate brings Tribune's schema and River's tables up to date.
func (s *Store) Migrate(ctx context.Context) error {
	fsys, err := store.Migrations("sqlite")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.writer, fsys)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	m, err := rivermigrate.New(riversqlite.New(s.writer), nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("sqlite: river migrate: %w", err)
	}
	return nil
}

// Dialect implements store.Store.
func (s *Store) Dialect() string { return "sqlite" }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.writer.PingContext(ctx); err != nil {
		return err
	}
	return s.reader.PingContext(ctx)
}

// Close implements store.Store.
func (s *Store) Close() error {
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// SetupJobs implements store.Store.
func (s *Store) SetupJobs(cfg *river.Config) error {
	c, err := river.NewClient(riversqlite.New(s.writer), cfg)
	if err != nil {
		return err
	}
	s.river = c
	return nil
}

// Jobs implements store.Store.
func (s *Store) Jobs() store.Jobs { return store.RiverJobs(s.river) }

// InTx implements store.Store. Inside fn, reads go through the transaction
// too: the writer has a single connection, so reaching for the pool there
// would wait for ourselves.
func (s *Store) InTx(ctx context.Context, fn func(store.Tx) error) error {
	return s.InTxWith(ctx, store.TxOptions{}, fn)
}

// InTxWith implements store.Store; SQLite uses only Small (see
// store.TxOptions).
func (s *Store) InTxWith(ctx context.Context, opts store.TxOptions, fn func(store.Tx) error) error {
	if !opts.Small {
		return s.runTx(ctx, s.writer, fn)
	}
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return mapErr(err)
	}
	defer conn.Close()
	// SQLite reads temp_store when a transaction begins, and spills a
	// statement's journal past 64 KiB to a temporary file unless it is
	// MEMORY: an ingestion's statement of 40 items with their indexes and
	// full-text rows passes that, and the file's creation, writes and
	// deletion were a twentieth of the ingestion's CPU time. The writer
	// goes back to files after the transaction, for the statements that
	// are not Small.
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		return mapErr(err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA temp_store = DEFAULT"); err != nil {
			// A connection left in memory mode is not given back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return s.runTx(ctx, conn, fn)
}

// beginner is a *sql.DB or one of its connections.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

func (s *Store) runTx(ctx context.Context, db beginner, fn func(store.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	q := sqlitedb.New(tx)
	if err := fn(&txStore{queries: queries{r: q, w: q}, tx: tx, river: s.river}); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return mapErr(tx.Commit())
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

type txStore struct {
	queries
	tx    *sql.Tx
	river *river.Client[*sql.Tx]
}

func (t *txStore) InsertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error) {
	if t.river == nil {
		return 0, errors.New("sqlite: SetupJobs was not called")
	}
	res, err := t.river.InsertTx(ctx, t.tx, args, opts)
	if err != nil {
		return 0, err
	}
	return res.Job.ID, nil
}

func (t *txStore) CancelJob(ctx context.Context, id int64) error {
	if t.river == nil {
		return errors.New("sqlite: SetupJobs was not called")
	}
	_, err := t.river.JobCancelTx(ctx, t.tx, id)
	if err != nil && !errors.Is(err, river.ErrNotFound) {
		return err
	}
	return nil
}

// JobCounts implements store.Store.
func (s *Store) JobCounts(ctx context.Context) ([]store.JobCount, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT queue, kind, state, count(*) FROM river_job GROUP BY queue, kind, state ORDER BY queue, kind, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.JobCount
	for rows.Next() {
		var c store.JobCount
		if err := rows.Scan(&c.Queue, &c.Kind, &c.State, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Backup writes a consistent copy of the live database to path (VACUUM INTO
// reads one snapshot, so the server keeps running meanwhile).
// The copy is owner-only like the database: it is created empty, 0600, and
// VACUUM INTO fills it (it accepts an empty file and keeps its mode).
func (s *Store) Backup(ctx context.Context, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("sqlite: backup: %s already exists", path)
	}
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := errors.Join(f.Chmod(fileMode), f.Close()); err != nil {
		return err
	}
	// On the writer: the readers are query_only, which refuses VACUUM INTO
	// ("attempt to write a readonly database"). It reads one snapshot, so
	// a server running on the same file keeps writing meanwhile.
	if _, err := s.writer.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", store.ErrConflict, err)
		}
	}
	return err
}
