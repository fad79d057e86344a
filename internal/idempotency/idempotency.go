// Package idempotency keeps the answers of API requests sent with an
// Idempotency-Key, so that a client repeating a create gets the first answer
// instead of a second object. Records are sealed with the keyring (an
// answer may hold a secret shown once, such as an invitation or review-link
// token) and purged once they expire by a River periodic job.
package idempotency

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
)

// TTL is how long a recorded answer replays. A record may live up to one
// PurgeInterval longer, until the next purge.
const TTL = 24 * time.Hour

// PurgeInterval is how often expired records are deleted.
const PurgeInterval = time.Hour

// Pending is the status of a key whose request is still running.
const Pending = 0

// Records reads and writes the recorded answers of one installation.
type Records struct {
	Store store.Store
	Keys  *secret.Keyring
	Now   func() time.Time
}

// Record is a recorded request: the hash of its method, URI and body, and
// its answer (Status Pending while the request runs).
type Record struct {
	RequestHash string
	Status      int
	Body        []byte
}

// Reserve claims key for userID before the request runs; false means the
// key is taken (the request ran, or is running).
func (r *Records) Reserve(ctx context.Context, userID int64, key string) (bool, error) {
	n, err := r.Store.ReserveIdempotencyKey(ctx, store.ReserveIdempotencyKeyParams{UserID: userID, Key: key, RequestHash: "",
		Body: []byte{}, CreatedAt: r.Now().UTC()})
	return n > 0, err
}

// Get returns the record of a taken key, its answer opened.
func (r *Records) Get(ctx context.Context, userID int64, key string) (Record, error) {
	row, err := r.Store.GetIdempotencyRecord(ctx, store.GetIdempotencyRecordParams{UserID: userID, Key: key})
	if err != nil {
		return Record{}, err
	}
	rec := Record{Status: int(row.Status)}
	if rec.Status == Pending {
		return rec, nil
	}
	if row.KeyID == "" {
		return Record{}, errors.New("idempotency: unsealed record")
	}
	opened, err := r.Keys.Open(row.Body, row.KeyID, bound(userID, key))
	if err != nil {
		return Record{}, fmt.Errorf("idempotency: open record: %w", err)
	}
	hash, body, ok := bytes.Cut(opened, []byte("\n"))
	if !ok {
		return Record{}, errors.New("idempotency: malformed record")
	}
	rec.RequestHash, rec.Body = string(hash), body
	return rec, nil
}

// Complete records the answer of the request that reserved key, with the
// request's hash (hex, known once the body streamed through).
//
// Both are sealed with the keyring whatever the route, rather than not
// recording the answers of routes that return a secret: a list of such
// routes would have to be kept up to date by every new route, and a missed
// one would leave its secret readable to whoever reads the database; sealed,
// a repeat still gets its secret back. The hash is sealed too: an unkeyed
// SHA-256 of a body that holds a password (POST /v1/tokens) would be a fast
// hash of that password.
func (r *Records) Complete(ctx context.Context, userID int64, key, requestHash string, status int, body []byte) error {
	plain := append([]byte(requestHash+"\n"), body...)
	sealed, keyID := r.Keys.Seal(plain, bound(userID, key))
	return r.Store.CompleteIdempotencyKey(ctx, store.CompleteIdempotencyKeyParams{Status: int64(status), Body: sealed, KeyID: keyID,
		UserID: userID, Key: key})
}

// Release frees a reserved key whose request failed, so it can be retried.
func (r *Records) Release(ctx context.Context, userID int64, key string) error {
	return r.Store.ReleaseIdempotencyKey(ctx, store.ReleaseIdempotencyKeyParams{UserID: userID, Key: key})
}

// Purge deletes the records older than TTL and returns how many went.
func (r *Records) Purge(ctx context.Context) (int64, error) {
	return r.Store.DeleteIdempotencyRecordsBefore(ctx, r.Now().UTC().Add(-TTL))
}

// bound ties a sealed answer to its row: it cannot be replayed for another
// user or key.
func bound(userID int64, key string) string { return fmt.Sprintf("idempotency:%d:%s", userID, key) }

// PurgeArgs is the periodic job that purges expired records.
type PurgeArgs struct{}

// Kind implements river.JobArgs.
func (PurgeArgs) Kind() string { return "idempotency_purge" }

type purgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	r *Records
}

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	_, err := w.r.Purge(ctx)
	return err
}

// Register adds the purge worker to a River client's workers.
func (r *Records) Register(workers *river.Workers) {
	river.AddWorker(workers, &purgeWorker{r: r})
}

// PeriodicJobs are the River periodic jobs of this package: the purge, every
// PurgeInterval and once when a node becomes the leader (a fleet restarted
// more often than hourly still purges).
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(PurgeInterval),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
		&river.PeriodicJobOpts{ID: PurgeArgs{}.Kind(), RunOnStart: true})}
}
