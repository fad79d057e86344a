package posts_test

import (
	"context"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

func ptr[T any](v T) *T { return &v }

// onEachDialect runs fn on SQLite and on PostgreSQL (skipped when the
// PostgreSQL suite is off) with an owner and a workspace.
func onEachDialect(t *testing.T, fn func(t *testing.T, f fx)) {
	t.Helper()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			env := apptest.Start(t, apptest.Options{Postgres: dialect == "postgres"})
			owner, ws := env.Owner(t)
			fn(t, fx{env: env, owner: owner, ws: ws, svc: env.App.Posts})
		})
	}
}

// reread is the workspace as stored now.
func (f fx) reread(t *testing.T) store.Workspace {
	t.Helper()
	ws, _, err := f.env.App.Auth.Authorize(context.Background(), f.owner, f.ws.ID, auth.View)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// Workspace settings are one use case for the web UI and the API: every
// field is checked before anything is written, so a refused change leaves
// the workspace as it was, including the fields that were valid.
func TestUpdateWorkspaceChecksEveryFieldFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		name string
		in   posts.WorkspaceSettings
	}{
		{"blank name", posts.WorkspaceSettings{Name: ptr("  "), ScheduleHorizonDays: ptr[int64](30)}},
		{"server's Local zone", posts.WorkspaceSettings{Timezone: ptr("Local"), ScheduleHorizonDays: ptr[int64](30)}},
		{"unknown zone", posts.WorkspaceSettings{Timezone: ptr("Mars/Olympus"), Name: ptr("renamed")}},
		{"negative duplicate window", posts.WorkspaceSettings{DuplicateWindowHours: ptr[int64](-1), ScheduleHorizonDays: ptr[int64](30)}},
		{"duplicate window over 720 hours", posts.WorkspaceSettings{DuplicateWindowHours: ptr[int64](721), ScheduleHorizonDays: ptr[int64](30)}},
		{"horizon of 0 days", posts.WorkspaceSettings{ScheduleHorizonDays: ptr[int64](0), Name: ptr("renamed")}},
		{"horizon over the maximum", posts.WorkspaceSettings{ScheduleHorizonDays: ptr[int64](posts.MaxHorizonDays + 1), RequireApproval: ptr(true)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			onEachDialect(t, func(t *testing.T, f fx) {
				before := f.reread(t)
				if _, _, err := f.svc.UpdateWorkspace(ctx, f.owner, f.ws.ID, c.in); code(err) != "invalid" {
					t.Fatalf("got %v, want invalid", err)
				}
				if got := f.reread(t); got != before {
					t.Errorf("a refused change was written: got %+v, want %+v", got, before)
				}
			})
		})
	}
}

// A nil field keeps its value; the others are saved and returned.
func TestUpdateWorkspaceKeepsWhatIsNotGiven(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	onEachDialect(t, func(t *testing.T, f fx) {
		before := f.reread(t)
		got, role, err := f.svc.UpdateWorkspace(ctx, f.owner, f.ws.ID, posts.WorkspaceSettings{Name: ptr(" Renamed "), ScheduleHorizonDays: ptr[int64](90)})
		if err != nil || role != auth.Owner {
			t.Fatalf("owner renames: %v, role %q", err, role)
		}
		want := before
		want.Name, want.ScheduleHorizonDays = "Renamed", 90
		if stored := f.reread(t); stored != want || got != want {
			t.Errorf("stored %+v, returned %+v, want %+v", stored, got, want)
		}
		want.Timezone, want.RequireApproval, want.DuplicateWindowHours = "America/New_York", !before.RequireApproval, 0
		if _, _, err := f.svc.UpdateWorkspace(ctx, f.owner, f.ws.ID, posts.WorkspaceSettings{Timezone: ptr(want.Timezone),
			RequireApproval: ptr(want.RequireApproval), DuplicateWindowHours: ptr[int64](0)}); err != nil {
			t.Fatal(err)
		}
		if stored := f.reread(t); stored != want {
			t.Errorf("stored %+v, want %+v", stored, want)
		}
	})
}

// Only those who manage the team change the workspace's settings, written
// out by hand rather than derived from the permission table under test.
func TestUpdateWorkspaceRoles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	onEachDialect(t, func(t *testing.T, f fx) {
		may := map[auth.Role]bool{auth.Owner: true, auth.Admin: true}
		for i, role := range auth.Roles {
			if role == auth.Owner {
				continue // the organisation's owner is f.owner, checked below
			}
			t.Run(string(role), func(t *testing.T) {
				u := f.env.Member(t, f.owner, f.ws.ID, string(role)+"@example.test", role)
				_, _, err := f.svc.UpdateWorkspace(ctx, u, f.ws.ID, posts.WorkspaceSettings{DuplicateWindowHours: ptr(int64(i + 1))})
				if may[role] && err != nil {
					t.Errorf("%s: %v, want saved", role, err)
				}
				if !may[role] && code(err) != "forbidden" {
					t.Errorf("%s: %v, want forbidden", role, err)
				}
			})
		}
		if _, _, err := f.svc.UpdateWorkspace(ctx, f.owner, f.ws.ID, posts.WorkspaceSettings{Name: ptr("mine")}); err != nil {
			t.Errorf("owner: %v, want saved", err)
		}
	})
}

// Resuming after a pause tells every member, as pausing does; resuming a
// workspace that was not paused tells no one.
func TestResumeNotifiesTheTeam(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	onEachDialect(t, func(t *testing.T, f fx) {
		member := f.env.Member(t, f.owner, f.ws.ID, "editor@example.com", auth.Contributor)
		kinds := func(u store.User) map[string]int {
			t.Helper()
			list, err := f.env.App.Notifier.List(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, n := range list {
				got[n.Kind]++
			}
			return got
		}
		if err := f.svc.Resume(ctx, f.owner, f.ws.ID, nil); err != nil {
			t.Fatal(err)
		}
		if got := kinds(member)[string(publish.NotifyResumed)]; got != 0 {
			t.Fatalf("resuming an unpaused workspace notified %d times, want 0", got)
		}
		if err := f.svc.Pause(ctx, f.owner, f.ws.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Resume(ctx, f.owner, f.ws.ID, nil); err != nil {
			t.Fatal(err)
		}
		for _, u := range []store.User{f.owner, member} {
			got := kinds(u)
			if got[string(publish.NotifyPaused)] != 1 || got[string(publish.NotifyResumed)] != 1 {
				t.Errorf("user %s: notifications %v, want one paused and one resumed", u.Email, got)
			}
		}
	})
}
