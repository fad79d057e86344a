package inbox

import (
	"context"
	"testing"

	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// A view keeps only the filters; a personal view is its author's alone, a
// shared one is seen by the workspace but changed only by its author; a
// member of another workspace sees none of them.
func TestSavedViewsArePersonalOrSharedAndOwnedByTheirAuthor(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		mine, err := f.s.SaveView(ctx, f.cm, f.ws.ID, "  Angry  ", "sentiment=negative&before=42&status=new&evil=1&q=", false)
		must(t, err)
		if mine.Query != "sentiment=negative&status=new" || mine.Name != "Angry" {
			t.Errorf("saved %q %q, want only the filters and a trimmed name", mine.Name, mine.Query)
		}
		shared, err := f.s.SaveView(ctx, f.owner, f.ws.ID, "Mine to do", "assignee=none", true)
		must(t, err)
		names := func(u store.User) []string {
			vs, err := f.s.Views(ctx, u, f.ws.ID)
			must(t, err)
			var out []string
			for _, v := range vs {
				out = append(out, v.Name)
			}
			return out
		}
		if got := names(f.cm); len(got) != 2 || got[0] != "Angry" || got[1] != "Mine to do" {
			t.Errorf("the author sees %v, want their view and the shared one by name", got)
		}
		if got := names(f.reader); len(got) != 1 || got[0] != "Mine to do" {
			t.Errorf("a colleague sees %v, want only the shared view", got)
		}
		if _, err := f.s.View(ctx, f.reader, mine.ID); err == nil {
			t.Error("a colleague opened a personal view")
		}
		wantProblem(t, "a colleague renames a shared view", func() error { _, err := f.s.RenameView(ctx, f.cm, shared.ID, "x", true); return err }(), "not_view_owner")
		wantProblem(t, "a colleague deletes a shared view", f.s.DeleteView(ctx, f.cm, shared.ID), "not_view_owner")
		wantProblem(t, "empty name", func() error { _, err := f.s.SaveView(ctx, f.cm, f.ws.ID, " ", "", false); return err }(), "invalid_view_name")

		// Renaming and sharing, then deleting.
		r, err := f.s.RenameView(ctx, f.cm, mine.ID, "Unhappy", true)
		must(t, err)
		if r.Name != "Unhappy" || !r.Shared {
			t.Errorf("renamed %+v", r)
		}
		if got := names(f.reader); len(got) != 2 {
			t.Errorf("after sharing a colleague sees %v", got)
		}
		must(t, f.s.DeleteView(ctx, f.cm, mine.ID))
		if got := names(f.cm); len(got) != 1 {
			t.Errorf("after delete %v", got)
		}

		// Another workspace: its member sees nothing and cannot open by id.
		other, err := st.CreateWorkspace(ctx, store.CreateWorkspaceParams{OrganizationID: f.ws.OrganizationID, Name: "Other", Timezone: "UTC", IcalTokenHash: "other-" + t.Name(), CreatedAt: t0})
		must(t, err)
		outsider, err := st.CreateUser(ctx, store.CreateUserParams{OrganizationID: f.ws.OrganizationID, Email: "out@example.test", Name: "out", PasswordHash: "x", OrgRole: "member", Locale: "en", CreatedAt: t0})
		must(t, err)
		must(t, st.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: other.ID, UserID: outsider.ID, Role: "admin", CreatedAt: t0}))
		if _, err := f.s.View(ctx, outsider, shared.ID); err == nil {
			t.Error("a member of another workspace opened a shared view")
		}
		if _, err := f.s.Views(ctx, outsider, f.ws.ID); err == nil {
			t.Error("a member of another workspace listed its views")
		}
	})
}
