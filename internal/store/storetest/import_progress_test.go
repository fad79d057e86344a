package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// An import's progress is written over in place, read back only under its
// own workspace, user and key, deleted when the import ends, and purged
// once stale; a fresh row stays.
func TestImportProgressLifecycleAndPurge(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		set := func(key, stage string, done, total int64, at time.Time) {
			t.Helper()
			if err := s.SetImportProgress(ctx, store.SetImportProgressParams{WorkspaceID: f.ws.ID, UserID: f.user.ID, Key: key,
				Stage: stage, Done: done, Total: total, UpdatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		get := func(ws, user int64, key string) (store.ImportProgress, error) {
			return s.GetImportProgress(ctx, store.GetImportProgressParams{WorkspaceID: ws, UserID: user, Key: key})
		}
		set("live", "checking", 1, 5000, t0)
		set("live", "saving", 12, 4990, t0.Add(time.Second))
		got, err := get(f.ws.ID, f.user.ID, "live")
		if err != nil {
			t.Fatal(err)
		}
		if got.Stage != "saving" || got.Done != 12 || got.Total != 4990 || !got.UpdatedAt.Equal(t0.Add(time.Second)) {
			t.Errorf("progress = %+v, want saving 12 of 4990 at %v", got, t0.Add(time.Second))
		}
		if _, err := get(f.ws.ID, f.user.ID+1, "live"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another user's poll: %v, want ErrNotFound", err)
		}
		if _, err := get(f.ws.ID+1, f.user.ID, "live"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a poll in another workspace: %v, want ErrNotFound", err)
		}
		set("stale", "checking", 3, 10, t0.Add(-2*time.Hour))
		n, err := s.DeleteImportProgressBefore(ctx, t0.Add(-time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("purge: %d rows, %v; want 1 (the stale row)", n, err)
		}
		if _, err := get(f.ws.ID, f.user.ID, "stale"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("stale row after purge: %v, want ErrNotFound", err)
		}
		if err := s.DeleteImportProgress(ctx, store.DeleteImportProgressParams{WorkspaceID: f.ws.ID, UserID: f.user.ID, Key: "live"}); err != nil {
			t.Fatal(err)
		}
		if _, err := get(f.ws.ID, f.user.ID, "live"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("progress after the import ended: %v, want ErrNotFound", err)
		}
	})
}
