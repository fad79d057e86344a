package inbox

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// words is a deterministic Analyzer: a few words decide the label, a few
// French words the language. The real model is tested in package sentiment.
type words struct{}

func (words) Analyze(text string) sentiment.Result {
	l := strings.ToLower(text)
	r := sentiment.Result{Label: sentiment.Neutral, Lang: sentiment.English}
	switch {
	case strings.Contains(l, "love") || strings.Contains(l, "merci"):
		r.Label, r.Score = sentiment.Positive, 0.8
	case strings.Contains(l, "angry") || strings.Contains(l, "nul"):
		r.Label, r.Score = sentiment.Negative, -0.8
	}
	if strings.Contains(l, "merci") || strings.Contains(l, "nul") || strings.Contains(l, "bonjour") {
		r.Lang = sentiment.French
	}
	return r
}

// fakeInbox is a network.Inbox for the tests: it serves the items it is
// given and records the actions asked of it.
type fakeInbox struct {
	network.Connector // nil: publishing is not exercised here
	name              string
	caps              network.InboxCapabilities

	mu     sync.Mutex
	items  []network.Item
	acts   []string
	fetch  func(req network.FetchRequest) (network.FetchResult, error)
	actErr error
}

func (f *fakeInbox) Network() string { return f.name }

func (f *fakeInbox) InboxCapabilities(network.Account) network.InboxCapabilities { return f.caps }

func (f *fakeInbox) FetchInbox(ctx context.Context, acct network.Account, req network.FetchRequest) (network.FetchResult, error) {
	if f.fetch != nil {
		return f.fetch(req)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return network.FetchResult{Items: f.items, Cursor: req.Cursor}, nil
}

func (f *fakeInbox) Act(ctx context.Context, acct network.Account, a network.Action, it network.Item) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.actErr != nil {
		return f.actErr
	}
	f.acts = append(f.acts, string(a)+" "+it.Ref.ID)
	return nil
}

func (f *fakeInbox) actions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.acts...)
}

// accounts opens every channel as an account with no credentials.
type accounts struct{}

func (accounts) Account(ctx context.Context, ch store.Channel) (network.Account, error) {
	return network.Account{BaseURL: ch.BaseURL, ExternalID: ch.ExternalID, Handle: ch.Handle}, nil
}

// notes records notifications.
type notes struct {
	mu   sync.Mutex
	sent []publish.Notification
}

func (n *notes) Notify(ctx context.Context, m publish.Notification) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, m)
	return nil
}

// fixture is a workspace with its owner, a community manager, an analyst,
// a channel on the fake network and one published post on it.
type fixture struct {
	s                 *Service
	st                store.Store
	conn              *fakeInbox
	notes             *notes
	owner, cm, reader store.User
	ws                store.Workspace
	ch                store.Channel
	post              store.Post
	variant           store.PostVariant
	now               time.Time
}

// ourPostID is the network id of the fixture's published post.
const ourPostID = "our-1"

func newFixture(t testing.TB, st store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: st, now: t0, notes: &notes{}}
	f.conn = &fakeInbox{name: "fake", caps: network.InboxCapabilities{
		Kinds:     map[network.ItemKind]network.Support{network.KindComment: network.Supported, network.KindMention: network.Supported},
		Actions:   map[network.Action]network.Support{network.ActLike: network.Supported, network.ActHide: network.Supported, network.ActUnhide: network.Supported, network.ActDelete: network.Unsupported("The fake network keeps every reply.")},
		PollEvery: time.Minute}}
	org, err := st.CreateOrganization(ctx, store.CreateOrganizationParams{Name: "Acme", CreatedAt: t0})
	must(t, err)
	user := func(email, role string) store.User {
		u, err := st.CreateUser(ctx, store.CreateUserParams{OrganizationID: org.ID, Email: email, Name: email[:strings.Index(email, "@")], PasswordHash: "x", OrgRole: role, Locale: "en", CreatedAt: t0})
		must(t, err)
		return u
	}
	f.owner, f.cm, f.reader = user("owner@example.test", "owner"), user("cm@example.test", "member"), user("reader@example.test", "member")
	f.ws, err = st.CreateWorkspace(ctx, store.CreateWorkspaceParams{OrganizationID: org.ID, Name: "Brand", Timezone: "Europe/Paris", DuplicateWindowHours: 24, IcalTokenHash: fmt.Sprint("ical-", t.Name()), CreatedAt: t0})
	must(t, err)
	must(t, st.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: f.cm.ID, Role: string(auth.CommunityMgr), CreatedAt: t0}))
	must(t, st.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: f.reader.ID, Role: string(auth.Analyst), CreatedAt: t0}))
	f.ch = f.channel(t, f.ws, "fake")
	f.post, err = st.CreatePost(ctx, store.CreatePostParams{WorkspaceID: f.ws.ID, AuthorID: f.owner.ID, Status: "published", Tags: "[]", CreatedAt: t0})
	must(t, err)
	f.variant, err = st.CreateVariant(ctx, store.CreateVariantParams{PostID: f.post.ID, ChannelID: f.ch.ID, Text: "Our launch", Thread: "[]", MediaIDs: "[]", State: "published", UpdatedAt: t0})
	must(t, err)
	_, err = st.CreatePublishParts(ctx, store.Rows([]store.PartRow{{VariantID: f.variant.ID, Seq: 0, Kind: "post", Text: "Our launch", State: "pending"}}))
	must(t, err)
	must(t, st.MarkPartsDone(ctx, store.Rows([]store.PartDoneRow{{VariantID: f.variant.ID, Seq: 0, ExternalID: ourPostID, DoneAt: store.RowTime(t0)}})))
	// Ingestion inserts the rules' network actions as jobs; the tests work
	// them with runRuleActs.
	must(t, st.SetupJobs(&river.Config{}))
	f.s = &Service{Store: st, Auth: &auth.Service{Store: st, Now: f.clock}, Connectors: map[string]network.Connector{"fake": f.conn},
		Accounts: accounts{}, Analyzer: words{}, Notifier: f.notes, Now: f.clock}
	return f
}

func (f *fixture) clock() time.Time { return f.now }

// runRuleActs performs the rules' queued network actions as their jobs do.
func (f *fixture) runRuleActs(t *testing.T) {
	t.Helper()
	for _, it := range f.allItems(t) {
		acts, err := f.st.ListInboxRuleActions(context.Background(), it.ID)
		must(t, err)
		for _, a := range acts {
			if a.Result == ResultQueued {
				must(t, f.s.PerformRuleAct(context.Background(), RuleActArgs{ActionID: a.ID}))
			}
		}
	}
}

func (f *fixture) channel(t testing.TB, ws store.Workspace, netw string) store.Channel {
	t.Helper()
	ch, err := f.st.CreateChannel(context.Background(), store.CreateChannelParams{WorkspaceID: ws.ID, Network: netw, Name: netw + " channel", Handle: "@brand",
		ExternalID: "brand", BaseURL: "http://fake.test", TokenCiphertext: []byte{1}, TokenKeyID: "k1", Status: "active", CreatedAt: t0})
	must(t, err)
	return ch
}

// comment is a comment under our post, numbered n.
func comment(n int, text string) network.Item {
	id := fmt.Sprintf("c%d", n)
	return network.Item{ExternalID: id, Kind: network.KindComment, Ref: network.Ref{ID: id, URL: "http://fake.test/" + id},
		Root: &network.Ref{ID: ourPostID}, ParentID: ourPostID, ConversationID: ourPostID,
		Author: network.Author{ExternalID: fmt.Sprintf("u%d", n%3), Handle: fmt.Sprintf("fan%d", n%3)}, Text: text,
		CreatedAt: t0.Add(time.Duration(n) * time.Minute)}
}

func comments(from, to int) []network.Item {
	var out []network.Item
	for n := from; n <= to; n++ {
		out = append(out, comment(n, fmt.Sprintf("comment number %d", n)))
	}
	return out
}

func (f *fixture) allItems(t *testing.T) []store.InboxItem {
	t.Helper()
	items, err := f.st.ListInboxItems(context.Background(), store.ListInboxItemsParams{WorkspaceID: f.ws.ID, BeforeID: 1 << 62, MaxRows: 10000})
	must(t, err)
	return items
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
