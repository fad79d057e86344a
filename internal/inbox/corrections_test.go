package inbox

import (
	"context"
	"testing"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// Corrections are counted per workspace and per from → to pair, most
// frequent first; a correction to the same label is not one; another
// workspace's corrections are not counted; an outsider reads nothing.
func TestSentimentCorrectionsCounted(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		// "angry" reads negative, "love" positive, the rest neutral (fixture's words).
		_, err := f.s.Ingest(ctx, f.ch, []network.Item{comment(1, "I love it"), comment(2, "so angry"), comment(3, "so angry again"), comment(4, "a question")})
		must(t, err)
		correct := func(n string, l sentiment.Label) {
			t.Helper()
			must(t, f.s.CorrectSentiment(ctx, f.cm, itemByExternal(t, f, n).ID, l))
		}
		correct("c1", sentiment.Negative) // positive → negative (sarcasm)
		correct("c2", sentiment.Neutral)  // negative → neutral
		correct("c3", sentiment.Neutral)  // negative → neutral
		correct("c4", sentiment.Neutral)  // neutral → neutral: not a correction
		correct("c3", sentiment.Positive) // neutral → positive: the second correction of c3

		got, err := f.s.SentimentCorrections(ctx, f.reader, f.ws.ID, f.now.AddDate(0, 0, -1), f.now.AddDate(0, 0, 1))
		must(t, err)
		want := []SentimentCorrection{{"negative", "neutral", 2}, {"neutral", "positive", 1}, {"positive", "negative", 1}}
		if got.Total != 4 || len(got.Pairs) != len(want) {
			t.Fatalf("corrections %+v, want total 4 and %v", got, want)
		}
		for i := range want {
			if got.Pairs[i] != want[i] {
				t.Errorf("pair %d = %+v, want %+v", i, got.Pairs[i], want[i])
			}
		}
		// Outside the period: none.
		if later, err := f.s.SentimentCorrections(ctx, f.reader, f.ws.ID, f.now.AddDate(0, 0, 1), f.now.AddDate(0, 0, 2)); err != nil || later.Total != 0 {
			t.Errorf("next day: %+v %v", later, err)
		}
		// Another workspace (another fixture, same database): nothing of
		// this one's, and this one closed to its members.
		ows, err := st.CreateWorkspace(ctx, store.CreateWorkspaceParams{OrganizationID: f.ws.OrganizationID, Name: "Other", Timezone: "Europe/Paris",
			DuplicateWindowHours: 24, IcalTokenHash: "ical-other-" + t.Name(), CreatedAt: t0})
		must(t, err)
		outsider, err := st.CreateUser(ctx, store.CreateUserParams{OrganizationID: f.ws.OrganizationID, Email: "outsider@example.test", Name: "outsider",
			PasswordHash: "x", OrgRole: "member", Locale: "en", CreatedAt: t0})
		must(t, err)
		must(t, st.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: ows.ID, UserID: outsider.ID, Role: string(auth.CommunityMgr), CreatedAt: t0}))
		if o, err := f.s.SentimentCorrections(ctx, outsider, ows.ID, f.now.AddDate(0, 0, -1), f.now.AddDate(0, 0, 1)); err != nil || o.Total != 0 {
			t.Errorf("another workspace: %+v %v", o, err)
		}
		if _, err := f.s.SentimentCorrections(ctx, outsider, f.ws.ID, f.now.AddDate(0, 0, -1), f.now.AddDate(0, 0, 1)); err == nil {
			t.Errorf("an outsider read the workspace's corrections")
		}
	})
}
