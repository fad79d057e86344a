package listen

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// words is a deterministic Analyzer: a few words decide the label and the
// language. The real model is tested in package sentiment.
type words struct {
	mu       sync.Mutex
	analysed int
}

func (*words) Detect(text string) string {
	l := strings.ToLower(text)
	if strings.Contains(l, "merci") || strings.Contains(l, "nul") || strings.Contains(l, "bonjour") || strings.Contains(l, "rentrée") {
		return sentiment.French
	}
	return sentiment.English
}

func (w *words) AnalyzeLang(text, lang string) sentiment.Result {
	w.mu.Lock()
	w.analysed++
	w.mu.Unlock()
	l := strings.ToLower(text)
	r := sentiment.Result{Label: sentiment.Neutral, Lang: lang}
	switch {
	case strings.Contains(l, "love") || strings.Contains(l, "merci"):
		r.Label, r.Score = sentiment.Positive, 0.8
	case strings.Contains(l, "angry") || strings.Contains(l, "nul"):
		r.Label, r.Score = sentiment.Negative, -0.8
	}
	return r
}

type fixture struct {
	st                 store.Store
	s                  *Service
	an                 *words
	owner, cm, analyst store.User
	ws, other          store.Workspace
	now                time.Time
	mu                 sync.Mutex
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newFixture(t testing.TB, st store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: st, now: t0, an: &words{}}
	org, err := st.CreateOrganization(ctx, store.CreateOrganizationParams{Name: "Acme", CreatedAt: t0})
	must(t, err)
	user := func(email, role string) store.User {
		u, err := st.CreateUser(ctx, store.CreateUserParams{OrganizationID: org.ID, Email: email, Name: email[:strings.Index(email, "@")], PasswordHash: "x", OrgRole: role, Locale: "en", CreatedAt: t0})
		must(t, err)
		return u
	}
	f.owner, f.cm, f.analyst = user("owner@example.test", "owner"), user("cm@example.test", "member"), user("analyst@example.test", "member")
	f.ws, err = st.CreateWorkspace(ctx, store.CreateWorkspaceParams{OrganizationID: org.ID, Name: "Brand", Timezone: "Europe/Paris", DuplicateWindowHours: 24, IcalTokenHash: fmt.Sprint("ical-", t.Name()), CreatedAt: t0})
	must(t, err)
	f.other, err = st.CreateWorkspace(ctx, store.CreateWorkspaceParams{OrganizationID: org.ID, Name: "Other", Timezone: "Europe/Paris", DuplicateWindowHours: 24, IcalTokenHash: fmt.Sprint("ical2-", t.Name()), CreatedAt: t0})
	must(t, err)
	must(t, st.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: f.cm.ID, Role: string(auth.CommunityMgr), CreatedAt: t0}))
	must(t, st.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: f.analyst.ID, Role: string(auth.Analyst), CreatedAt: t0}))
	_, err = st.CreateChannel(ctx, store.CreateChannelParams{WorkspaceID: f.ws.ID, Network: "bluesky", Name: "Our account", Handle: "@brand.example",
		ExternalID: "brand", BaseURL: "http://fake.test", TokenCiphertext: []byte{1}, TokenKeyID: "k1", Status: "active", CreatedAt: t0})
	must(t, err)
	keys, err := secret.ParseKeyring(secret.NewKeySpec("k1"))
	must(t, err)
	f.s = &Service{Store: st, Auth: &auth.Service{Store: st, Now: f.clock}, Keys: keys, Analyzer: f.an, Kinds: source.Registry{}, Now: f.clock}
	f.s.Kinds.Add(fakeKind)
	return f
}

// topic creates a topic with one query.
func (f *fixture) topic(t testing.TB, name, q string) (Topic, Query) {
	t.Helper()
	ctx := context.Background()
	tp, err := f.s.CreateTopic(ctx, f.cm, f.ws.ID, TopicInput{Name: name, Kind: KindBrand})
	must(t, err)
	qq, err := f.s.CreateQuery(ctx, f.cm, f.ws.ID, QueryInput{TopicID: tp.ID, Query: q})
	must(t, err)
	return tp, qq
}

// source creates a fake source of the workspace.
func (f *fixture) source(t testing.TB, feed string) Source {
	t.Helper()
	feedsMu.Lock()
	if feeds[feed] == nil {
		feeds[feed] = &fakeFeed{}
	}
	feedsMu.Unlock()
	src, err := f.s.CreateSource(context.Background(), f.owner, f.ws.ID, SourceInput{Kind: "fake", Name: "Fake " + feed, Values: map[string]string{"feed": feed, "token": "s3cret"}})
	must(t, err)
	return src
}

func post(n int, text string) source.Post {
	return source.Post{Network: "fake", ExternalID: fmt.Sprintf("p%d", n), URL: fmt.Sprintf("https://fake.test/p%d", n), Author: fmt.Sprintf("fan%d", n%3),
		AuthorFollowers: int64(100 * (n%3 + 1)), Text: text, CreatedAt: t0.Add(time.Duration(n) * time.Minute)}
}
