package idempotency_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/app"
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

// A node with workers schedules the purge by itself: River's periodic job
// runs it when the node starts leading (then every PurgeInterval), with no
// job inserted by hand.
func TestPurgeIsScheduledOnAWorkerNode(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			// A web-only node: nothing runs jobs yet.
			env := apptest.Start(t, apptest.Options{Postgres: pg})
			owner, _ := env.Owner(t)
			ctx := context.Background()
			if _, err := env.Store.ReserveIdempotencyKey(ctx, store.ReserveIdempotencyKeyParams{UserID: owner.ID, Key: "old", Body: []byte{},
				CreatedAt: time.Now().UTC().Add(-25 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
			// Then a worker node on the same database.
			worker, err := app.New(ctx, env.App.Cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Roles{Workers: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(worker.Close)
			runCtx, cancel := context.WithCancel(ctx)
			if err := worker.Store.Jobs().Start(runCtx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				stopCtx, c2 := context.WithTimeout(context.Background(), 10*time.Second)
				defer c2()
				_ = worker.Store.Jobs().Stop(stopCtx)
				cancel()
			})
			deadline := time.Now().Add(30 * time.Second)
			for {
				if _, err := env.Store.GetIdempotencyRecord(ctx, store.GetIdempotencyRecordParams{UserID: owner.ID, Key: "old"}); errors.Is(err, store.ErrNotFound) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatal("the expired record is still there 30 s after a worker node started: the purge is not scheduled")
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
