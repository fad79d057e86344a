package calendar_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/calendar"
	"github.com/tribune-social/tribune/internal/store"
)

// An import that reports its progress purges the rows other imports left
// behind (their node stopped mid-import), keeps a fresh one, and deletes
// its own when it ends.
func TestImportProgressPurgedOnWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.Start(t, apptest.Options{})
	owner, ws := e.Owner(t)
	ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acct")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for key, at := range map[string]time.Time{"leftbehind1": now.Add(-calendar.ImportProgressStale - time.Minute), "stillgoing1": now.Add(-time.Minute)} {
		if err := e.Store.SetImportProgress(ctx, store.SetImportProgressParams{WorkspaceID: ws.ID, UserID: owner.ID, Key: key, Stage: "checking", Done: 1, Total: 9, UpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Now().AddDate(0, 0, 4).Format("2006-01-02")
	file := "scheduled_at,channel,text\n" + day + " 09:00," + fmt.Sprint(ch.ID) + ",hello\n"
	if _, err := e.App.Importer.Import(ctx, owner, ws.ID, strings.NewReader(file), calendar.ImportOptions{ProgressKey: "thisimport1"}); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]bool{"leftbehind1": false, "stillgoing1": true, "thisimport1": false} {
		_, err := e.Store.GetImportProgress(ctx, store.GetImportProgressParams{WorkspaceID: ws.ID, UserID: owner.ID, Key: key})
		if got := !errors.Is(err, store.ErrNotFound); got != want {
			t.Errorf("row %s kept = %v (%v), want %v", key, got, err, want)
		}
	}
}
