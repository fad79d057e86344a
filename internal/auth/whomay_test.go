package auth_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/store"
)

// WhoMay answers as Authorize does for every user of the organisation and
// every permission; in particular an organisation owner without a
// membership row in the workspace may act there, so WhoMay lists them.
func TestWhoMayAgreesWithAuthorize(t *testing.T) {
	t.Parallel()
	onEachDialect(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		other, err := env.App.Auth.AddWorkspace(ctx, owner, "Other", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		coOwner, err := env.App.Store.CreateUser(ctx, store.CreateUserParams{OrganizationID: owner.OrganizationID, Email: "co-owner@example.test",
			Name: "Co-owner", PasswordHash: "x", OrgRole: string(auth.Owner), Locale: "en", CreatedAt: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		users := []store.User{owner, coOwner}
		for _, r := range auth.Roles[1:] {
			users = append(users, env.Member(t, owner, ws.ID, string(r)+"@example.test", r))
		}
		users = append(users, env.Member(t, owner, other.ID, "elsewhere@example.test", auth.Admin))

		perms := []auth.Permission{auth.View, auth.Compose, auth.Schedule, auth.Approve, auth.ManageChannels, auth.ManageTeam, auth.Crisis, auth.Comment}
		for _, p := range perms {
			got, err := env.App.Auth.WhoMay(ctx, ws.ID, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				_, _, aerr := env.App.Auth.Authorize(ctx, u, ws.ID, p)
				listed := slices.ContainsFunc(got, func(g store.User) bool { return g.ID == u.ID })
				if listed != (aerr == nil) {
					t.Errorf("%s: %s listed %v, but Authorize says %v", p, u.Email, listed, aerr)
				}
			}
		}
		got, err := env.App.Auth.WhoMay(ctx, ws.ID, auth.Schedule)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(got, func(g store.User) bool { return g.ID == coOwner.ID }) {
			t.Errorf("the organisation owner without a membership row is not listed among %d users", len(got))
		}
	})
}
