package storetest

import (
	"context"
	"testing"

	"github.com/tribune-social/tribune/internal/store"
)

// A workspace schedules two years ahead until told otherwise, and the
// setting reads back through every query that returns workspaces.
func TestScheduleHorizonDefaultAndSetting(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		if f.ws.ScheduleHorizonDays != 730 {
			t.Errorf("new workspace: horizon %d days, want 730", f.ws.ScheduleHorizonDays)
		}
		if err := s.SetWorkspaceScheduleHorizon(ctx, store.SetWorkspaceScheduleHorizonParams{ScheduleHorizonDays: 90, ID: f.ws.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: f.user.ID, Role: "admin", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		ws, err := s.GetWorkspace(ctx, f.ws.ID)
		if err != nil || ws.ScheduleHorizonDays != 90 {
			t.Errorf("GetWorkspace: horizon %d (%v), want 90", ws.ScheduleHorizonDays, err)
		}
		mine, err := s.ListMemberWorkspaces(ctx, f.user.ID)
		if err != nil || len(mine) != 1 || mine[0].ScheduleHorizonDays != 90 {
			t.Errorf("ListMemberWorkspaces: %+v (%v), want a 90-day horizon", mine, err)
		}
	})
}
