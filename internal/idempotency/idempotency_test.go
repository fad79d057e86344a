package idempotency_test

import (
	"context"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/idempotency"
	"github.com/tribune-social/tribune/internal/store"
)

// The purge job (River runs it every PurgeInterval on a node with workers)
// deletes a record past its TTL and keeps a fresh one, on both dialects.
func TestPurgeJobDeletesExpiredRecords(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			env := apptest.Start(t, apptest.Options{Postgres: pg, Workers: true})
			owner, _ := env.Owner(t)
			ctx := context.Background()
			now := time.Now().UTC()
			for key, at := range map[string]time.Time{"old": now.Add(-25 * time.Hour), "fresh": now.Add(-time.Hour)} {
				if _, err := env.Store.ReserveIdempotencyKey(ctx, store.ReserveIdempotencyKeyParams{UserID: owner.ID, Key: key, Body: []byte{}, CreatedAt: at}); err != nil {
					t.Fatal(err)
				}
			}
			// The periodic job inserts this job every PurgeInterval; insert
			// one now rather than wait for the schedule.
			if _, err := env.Store.Jobs().Insert(ctx, idempotency.PurgeArgs{}, nil); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				_, errOld := env.Store.GetIdempotencyRecord(ctx, store.GetIdempotencyRecordParams{UserID: owner.ID, Key: "old"})
				if errOld != nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the expired record is still there after 30 s: the periodic purge did not run")
				}
				time.Sleep(50 * time.Millisecond)
			}
			if _, err := env.Store.GetIdempotencyRecord(ctx, store.GetIdempotencyRecordParams{UserID: owner.ID, Key: "fresh"}); err != nil {
				t.Errorf("the fresh record: %v, want it kept", err)
			}
		})
	}
}
