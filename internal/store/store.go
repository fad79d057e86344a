// Package store is Tribune's database boundary: the named operations of
// Queries (generated from the SQL in queries/, one set per dialect), the row
// types they exchange, transactions that can insert River jobs atomically
// with the data they act on, and the error sentinels every caller can test.
//
// Implementations live in store/sqlite and store/postgres; storetest runs the
// same suite against both.
//
//go:generate go tool sqlc generate -f sqlc.yaml
//go:generate go run ./internal/storegen
package store

import (
	"context"
	"errors"
	"io/fs"

	"github.com/riverqueue/river"
)

// Sentinels every implementation returns, whatever the driver said.
var (
	// ErrNotFound: no row matched.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a unique constraint refused the write.
	ErrConflict = errors.New("store: conflict")
)

// Store is a database Tribune runs on.
type Store interface {
	Queries
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	// InTx runs fn in one transaction, committed when fn returns nil.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// InTxWith is InTx with options for the publishing hot path.
	InTxWith(ctx context.Context, o TxOptions, fn func(tx Tx) error) error
	// SetupJobs creates the River client on this database with cfg (its
	// Workers and Queues decide whether this process works jobs or only
	// inserts them). It must be called once, before InTx inserts jobs.
	SetupJobs(cfg *river.Config) error
	// Jobs returns the River client made by SetupJobs.
	Jobs() Jobs
	// JobCounts counts River jobs by queue and state, for the status page.
	JobCounts(ctx context.Context) ([]JobCount, error)
	// Ping checks the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// Tx is a transaction: every named operation, plus River inserts that commit
// or roll back with it.
type Tx interface {
	Queries
	// InsertJob inserts a River job in this transaction and returns its id.
	InsertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error)
	// CancelJob cancels a job that has not run yet (a no-op for finished jobs).
	CancelJob(ctx context.Context, id int64) error
	// AddInboxItems is InsertInboxItems taking the rows themselves, so
	// that each dialect passes them its fastest way: the items added are
	// returned, one already stored (another writer was first) is not.
	AddInboxItems(ctx context.Context, rows []InboxItemRow) ([]InsertInboxItemsRow, error)
	// AddInboxConversationRows is UpsertInboxConversations taking the rows
	// themselves (as AddInboxItems).
	AddInboxConversationRows(ctx context.Context, rows []ConversationRow) ([]UpsertInboxConversationsRow, error)
	// AddInboxItemTagRows is AddInboxItemTags taking the rows themselves.
	AddInboxItemTagRows(ctx context.Context, rows []TagRow) error
	// AddInboxRuleActionRows is AddInboxRuleActions taking the rows
	// themselves: their ids grow in the rows' order.
	AddInboxRuleActionRows(ctx context.Context, rows []RuleActionRow) ([]AddInboxRuleActionsRow, error)
	// EraseContactWebhookEvents replaces what the webhook events about a
	// contact's items quote of them, in the jobs that carry the events
	// (kept by River after delivery, and still to be sent): the item's
	// text, link and author become "[erased]" or empty, and so does a rule
	// action's detail unless it is a label (an auto-reply's text). The receivers'
	// answers logged for those events are replaced too, as they may echo
	// the event. River's tables are outside sqlc, hence a hand-written
	// statement per dialect.
	EraseContactWebhookEvents(ctx context.Context, contactID int64) error
}

// TxOptions tune a transaction. SQLite ignores Relaxed and Pipelined: it
// is in the process (no round trips) and in WAL mode with
// synchronous=NORMAL already commits without waiting for the disk.
// PostgreSQL ignores Small.
type TxOptions struct {
	// Relaxed lets the transaction commit without waiting for its
	// write-ahead log to reach the disk (PostgreSQL's synchronous_commit =
	// off). Only for writes that a database crash may lose without harm: a
	// lost "message done" mark leaves the message in flight, and the next
	// try asks the network what happened.
	Relaxed bool
	// Pipelined sends the transaction's plain writes (operations that return
	// only an error) together with the next read or the commit: their errors
	// come back from the commit, and the transaction is rolled back whole.
	// Only for transactions that do not act on one write's error and go on.
	Pipelined bool
	// Small says each statement of the transaction changes few rows (one
	// fetch's, one page's): SQLite then keeps the statements' journals,
	// which let one failed statement be undone alone, in memory instead of
	// a temporary file that each transaction creates, writes and deletes.
	// A statement that changes a whole table (deleting a channel and its
	// items) would hold a copy of that table in memory: never Small.
	Small bool
}

// Jobs is the part of a River client Tribune uses outside transactions.
type Jobs interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error)
	// Stopped is closed once the client has fully stopped.
	Stopped() <-chan struct{}
}

// JobCount is one line of JobCounts.
type JobCount struct {
	Queue string
	Kind  string
	State string
	Count int64
}

// Migrations returns the embedded migration folder of a dialect.
func Migrations(dialect string) (fs.FS, error) {
	return fs.Sub(migrationsFS, "migrations/"+dialect)
}

// RiverJobs wraps a River client of any driver as Jobs.
func RiverJobs[TTx any](c *river.Client[TTx]) Jobs { return riverJobs[TTx]{c} }

type riverJobs[TTx any] struct{ c *river.Client[TTx] }

func (j riverJobs[TTx]) Start(ctx context.Context) error { return j.c.Start(ctx) }
func (j riverJobs[TTx]) Stop(ctx context.Context) error  { return j.c.Stop(ctx) }
func (j riverJobs[TTx]) Stopped() <-chan struct{}        { return j.c.Stopped() }
func (j riverJobs[TTx]) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error) {
	res, err := j.c.Insert(ctx, args, opts)
	if err != nil {
		return 0, err
	}
	return res.Job.ID, nil
}
