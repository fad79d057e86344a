package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// onEachDialect runs fn on SQLite and on PostgreSQL (skipped when the
// PostgreSQL suite is off).
func onEachDialect(t *testing.T, fn func(t *testing.T, env *apptest.Env)) {
	t.Helper()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			fn(t, apptest.Start(t, apptest.Options{Postgres: dialect == "postgres"}))
		})
	}
}

func code(err error) string {
	var pe *problem.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// Setup is open until the first account exists.
func TestInstalled(t *testing.T) {
	t.Parallel()
	onEachDialect(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		if got, err := env.App.Auth.Installed(ctx); err != nil || got {
			t.Fatalf("empty installation: got %v, %v, want false", got, err)
		}
		env.Owner(t)
		if got, err := env.App.Auth.Installed(ctx); err != nil || !got {
			t.Fatalf("after setup: got %v, %v, want true", got, err)
		}
	})
}

// Only the organisation's owner adds workspaces, named and in an IANA zone;
// the UI and the API both go through AddWorkspace.
func TestAddWorkspace(t *testing.T) {
	t.Parallel()
	onEachDialect(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		admin := env.Member(t, owner, ws.ID, "admin@example.test", auth.Admin)
		for _, c := range []struct {
			name     string
			user     store.User
			ws, tz   string
			wantCode string
		}{
			{"a workspace admin is not the organisation's owner", admin, "B", "UTC", "forbidden"},
			{"blank name", owner, "  ", "UTC", "invalid"},
			{"server's Local zone", owner, "B", "Local", "invalid"},
			{"unknown zone", owner, "B", "Mars/Olympus", "invalid"},
			{"owner", owner, " B ", "Europe/Paris", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := env.App.Auth.AddWorkspace(ctx, c.user, c.ws, c.tz)
				if code(err) != c.wantCode || (c.wantCode == "" && err != nil) {
					t.Fatalf("got %v, want %q", err, c.wantCode)
				}
				if c.wantCode != "" {
					return
				}
				if got.Name != "B" || got.Timezone != c.tz {
					t.Errorf("got %q in %q, want \"B\" in %q", got.Name, got.Timezone, c.tz)
				}
				if _, role, err := env.App.Auth.Authorize(ctx, c.user, got.ID, auth.ManageTeam); err != nil || role != auth.Owner {
					t.Errorf("creator's role: %q, %v; want owner", role, err)
				}
			})
		}
	})
}

// Members are listed to anyone who may view the workspace; invitations
// only to those who manage its team; neither to another workspace's member.
func TestMembersAndInvitations(t *testing.T) {
	t.Parallel()
	onEachDialect(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		other, err := env.App.Auth.AddWorkspace(ctx, owner, "other", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		outsider := env.Member(t, owner, other.ID, "outsider@example.test", auth.Admin)
		contributor := env.Member(t, owner, ws.ID, "c@example.test", auth.Contributor)
		admin := env.Member(t, owner, ws.ID, "a@example.test", auth.Admin)
		if _, err := env.App.Auth.Invite(ctx, owner, ws.ID, "pending@example.test", auth.Analyst); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name                 string
			user                 store.User
			members, invitations string // the error codes wanted, "" for allowed
		}{
			{"owner", owner, "", ""},
			{"admin", admin, "", ""},
			{"contributor", contributor, "", "forbidden"},
			{"another workspace's admin", outsider, "forbidden", "forbidden"},
		} {
			t.Run(c.name, func(t *testing.T) {
				ms, err := env.App.Auth.Members(ctx, c.user, ws.ID)
				if code(err) != c.members || (c.members == "" && (err != nil || len(ms) != 3)) {
					t.Errorf("members: %d, %v; want code %q (3 members when allowed)", len(ms), err, c.members)
				}
				inv, err := env.App.Auth.Invitations(ctx, c.user, ws.ID)
				if code(err) != c.invitations || (c.invitations == "" && (err != nil || len(inv) == 0)) {
					t.Errorf("invitations: %d, %v; want code %q", len(inv), err, c.invitations)
				}
			})
		}
	})
}

// A user's preferences: a blank name keeps the current one, the language is
// English or French, the zone is blank or IANA's.
func TestSetPreferences(t *testing.T) {
	t.Parallel()
	onEachDialect(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, _ := env.Owner(t)
		if _, err := env.App.Auth.SetPreferences(ctx, owner, auth.Preferences{Timezone: "Local"}); code(err) != "invalid" {
			t.Errorf("zone Local: %v, want invalid", err)
		}
		got, err := env.App.Auth.SetPreferences(ctx, owner, auth.Preferences{Name: " ", Locale: "de", Timezone: " America/Montreal "})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := env.App.Store.GetUser(ctx, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []store.User{got, stored} {
			if u.Name != owner.Name || u.Locale != "en" || u.Timezone != "America/Montreal" {
				t.Errorf("got name %q, locale %q, zone %q; want %q, en, America/Montreal", u.Name, u.Locale, u.Timezone, owner.Name)
			}
		}
	})
}
