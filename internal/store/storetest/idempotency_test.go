package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// An Idempotency-Key is reserved once, completed with its sealed answer and
// key id, and purged once older than the cut-off; a
// fresh record stays.
func TestIdempotencyRecordsLifecycleAndPurge(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		reserve := func(key string, at time.Time) int64 {
			t.Helper()
			n, err := s.ReserveIdempotencyKey(ctx, store.ReserveIdempotencyKeyParams{UserID: f.user.ID, Key: key, Body: []byte{}, CreatedAt: at})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := reserve("old", t0.Add(-25*time.Hour)); n != 1 {
			t.Fatalf("first reserve: %d rows, want 1", n)
		}
		if n := reserve("old", t0); n != 0 {
			t.Errorf("second reserve of one key: %d rows, want 0", n)
		}
		reserve("fresh", t0.Add(-time.Hour))
		if err := s.CompleteIdempotencyKey(ctx, store.CompleteIdempotencyKeyParams{Status: 201, Body: []byte{0, 1, 2}, KeyID: "k1", UserID: f.user.ID, Key: "fresh"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetIdempotencyRecord(ctx, store.GetIdempotencyRecordParams{UserID: f.user.ID, Key: "fresh"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != 201 || got.KeyID != "k1" || string(got.Body) != "\x00\x01\x02" {
			t.Errorf("completed record = %+v, want status 201, key k1, body 00 01 02", got)
		}
		n, err := s.DeleteIdempotencyRecordsBefore(ctx, t0.Add(-24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("purge: %d rows, %v; want 1 (the old record)", n, err)
		}
		if _, err := s.GetIdempotencyRecord(ctx, store.GetIdempotencyRecordParams{UserID: f.user.ID, Key: "old"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired record after purge: %v, want ErrNotFound", err)
		}
		if _, err := s.GetIdempotencyRecord(ctx, store.GetIdempotencyRecordParams{UserID: f.user.ID, Key: "fresh"}); err != nil {
			t.Errorf("fresh record after purge: %v, want kept", err)
		}
	})
}
