package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// replyNet is a network that publishes: it keeps the posts it created by
// attempt key, so Recover can find an attempt whose answer was lost, and
// can be told to fail in the ways real networks do.
type replyNet struct {
	*fakeInbox
	mu       sync.Mutex
	posts    map[string]network.PostRequest // by attempt key
	calls    int
	publish  func(req network.PostRequest) (network.Ref, error) // overrides the happy path when set
	recovers int
	cannot   bool // Recover cannot tell
}

func (n *replyNet) Publish(ctx context.Context, acct network.Account, req network.PostRequest) (network.Ref, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls++
	if n.publish != nil {
		return n.publish(req)
	}
	return n.create(req), nil
}

func (n *replyNet) create(req network.PostRequest) network.Ref {
	n.posts[req.AttemptKey] = req
	id := "reply-" + req.AttemptKey
	return network.Ref{ID: id, URL: "http://fake.test/" + id}
}

func (n *replyNet) Recover(ctx context.Context, acct network.Account, req network.PostRequest) (network.Ref, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.recovers++
	if n.cannot {
		return network.Ref{}, network.ErrUnknownOutcome
	}
	if _, ok := n.posts[req.AttemptKey]; ok {
		id := "reply-" + req.AttemptKey
		return network.Ref{ID: id, URL: "http://fake.test/" + id}, nil
	}
	return network.Ref{}, network.ErrNotPublished
}

// replyFixture is the inbox fixture on a "mastodon" channel (so the rules
// table's length applies) whose network publishes, with one comment and
// one direct message ingested.
func replyFixture(t *testing.T, st store.Store) (*fixture, *replyNet, store.Channel, store.InboxItem, store.InboxItem) {
	f := newFixture(t, st)
	must(t, st.SetupJobs(&river.Config{})) // Reply inserts the job; the tests run SendReply themselves
	f.conn.caps.Actions[network.ActReply] = network.Supported
	net := &replyNet{fakeInbox: f.conn, posts: map[string]network.PostRequest{}}
	f.s.Connectors = map[string]network.Connector{"mastodon": net}
	ch := f.channel(t, f.ws, "mastodon")
	dm := network.Item{ExternalID: "dm1", Kind: network.KindMessage, Ref: network.Ref{ID: "dm1"}, ConversationID: "conv-9",
		Author: network.Author{ExternalID: "u9", Handle: "@fan9@fake.test"}, Text: "bonjour, a question", CreatedAt: t0}
	_, err := f.s.Ingest(context.Background(), ch, []network.Item{comment(1, "love it"), dm})
	must(t, err)
	get := func(ext string) store.InboxItem {
		it, err := st.GetInboxItemByExternal(context.Background(), store.GetInboxItemByExternalParams{ChannelID: ch.ID, ExternalID: ext})
		must(t, err)
		return it
	}
	return f, net, ch, get("c1"), get("dm1")
}

func (f *fixture) reply(t *testing.T, id int64) store.InboxReply {
	t.Helper()
	r, err := f.st.GetInboxReply(context.Background(), id)
	must(t, err)
	return r
}

// A reply goes into the thread once, with ReplyTo the item and Root its
// thread's root, its network id stored; a second run of the job sends
// nothing; the next fetch that sees it does not add it as a new item.
func TestReplySentOnceAndNotReingested(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, net, ch, c1, dm := replyFixture(t, st)
		r, err := f.s.Reply(ctx, f.cm, c1.ID, "  Thank you!  ")
		must(t, err)
		if r.State != string(ReplyQueued) || r.Text != "Thank you!" {
			t.Fatalf("queued reply: %+v", r)
		}
		must(t, f.s.SendReply(ctx, r.ID, false))
		must(t, f.s.SendReply(ctx, r.ID, false)) // River retrying a finished job
		got := f.reply(t, r.ID)
		if got.State != string(ReplySent) || got.ExternalID != "reply-"+got.AttemptKey || got.ExternalURL == "" || len(got.AttemptKey) != 13 {
			t.Fatalf("sent reply: %+v", got)
		}
		if net.calls != 1 {
			t.Fatalf("Publish called %d times, want 1", net.calls)
		}
		req := net.posts[got.AttemptKey]
		if req.ReplyTo == nil || req.ReplyTo.ID != "c1" || req.Root == nil || req.Root.ID != ourPostID || req.Visibility != "" {
			t.Fatalf("request: %+v", req)
		}
		// A direct message is answered privately.
		r2, err := f.s.Reply(ctx, f.cm, dm.ID, "Sure")
		must(t, err)
		must(t, f.s.SendReply(ctx, r2.ID, false))
		if req := net.posts[f.reply(t, r2.ID).AttemptKey]; req.Visibility != network.VisibilityDirect || req.ReplyTo.ID != "dm1" || req.Text != "@fan9@fake.test Sure" {
			t.Fatalf("dm reply request: %+v", req)
		}
		// The next fetch sees our reply under the thread.
		ours := comment(2, "Thank you!")
		ours.ExternalID, ours.Ref.ID = got.ExternalID, got.ExternalID
		res, err := f.s.Ingest(ctx, ch, []network.Item{ours, comment(3, "another fan")})
		must(t, err)
		if len(res.NewIDs) != 1 {
			t.Fatalf("ingest after our reply added %d items, want 1 (only the fan's)", len(res.NewIDs))
		}
		replies, err := f.s.Replies(ctx, f.cm, c1.ConversationID)
		must(t, err)
		if len(replies) != 1 || replies[0].ID != r.ID {
			t.Fatalf("conversation replies: %+v", replies)
		}

		// A poll that runs during the call stores our reply before its
		// network id is committed: the commit takes it back out.
		net.publish = func(req network.PostRequest) (network.Ref, error) {
			ref := net.create(req)
			it := comment(4, req.Text)
			it.ExternalID, it.Ref.ID = ref.ID, ref.ID
			if _, err := f.s.Ingest(ctx, ch, []network.Item{it}); err != nil {
				t.Error(err)
			}
			return ref, nil
		}
		r3, err := f.s.Reply(ctx, f.cm, c1.ID, "raced")
		must(t, err)
		must(t, f.s.SendReply(ctx, r3.ID, false))
		if _, err := st.GetInboxItemByExternal(ctx, store.GetInboxItemByExternalParams{ChannelID: ch.ID, ExternalID: f.reply(t, r3.ID).ExternalID}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("our reply, ingested during the call, stays a community item: %v", err)
		}
	})
}

// The process dies after the in-flight mark: the post may or may not have
// reached the network. The next run asks the network and never sends twice.
func TestReplyCrashAfterInFlightIsRecovered(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, net, _, c1, _ := replyFixture(t, st)

		// 1. The call reached the network, the answer was lost (a time-out).
		net.publish = func(req network.PostRequest) (network.Ref, error) {
			net.create(req)
			return network.Ref{}, &network.Error{Kind: network.Temporary, Err: errors.New("read: connection reset")}
		}
		r, err := f.s.Reply(ctx, f.cm, c1.ID, "landed but unanswered")
		must(t, err)
		if err := f.s.SendReply(ctx, r.ID, false); err == nil {
			t.Fatal("a lost answer must fail the run so that the next one recovers")
		}
		if got := f.reply(t, r.ID); got.State != string(ReplyInFlight) {
			t.Fatalf("after a lost answer: %s, want in_flight", got.State)
		}
		net.publish = nil
		must(t, f.s.SendReply(ctx, r.ID, false))
		if got := f.reply(t, r.ID); got.State != string(ReplySent) || got.ExternalID == "" || net.calls != 1 || net.recovers != 1 {
			t.Fatalf("recovered: %+v, %d calls, %d recovers", got, net.calls, net.recovers)
		}

		// 2. The process died right after the mark, before calling: the
		// network proves it has nothing, so it is sent, once, same key.
		r2, err := f.s.Reply(ctx, f.cm, c1.ID, "never left")
		must(t, err)
		now := f.now
		n, err := st.MarkInboxReplyInFlight(ctx, store.MarkInboxReplyInFlightParams{AttemptKey: "3lcrashcrash2", InFlightAt: &now, ID: r2.ID})
		must(t, err)
		if n != 1 {
			t.Fatal("mark in flight")
		}
		must(t, f.s.SendReply(ctx, r2.ID, false))
		if got := f.reply(t, r2.ID); got.State != string(ReplySent) || got.AttemptKey != "3lcrashcrash2" || net.calls != 2 {
			t.Fatalf("resent: %+v, %d calls", got, net.calls)
		}

		// 3. The network cannot tell: unknown, nothing sent, a person checks.
		r3, err := f.s.Reply(ctx, f.cm, c1.ID, "who knows")
		must(t, err)
		_, err = st.MarkInboxReplyInFlight(ctx, store.MarkInboxReplyInFlightParams{AttemptKey: "3lcrashcrash3", InFlightAt: &now, ID: r3.ID})
		must(t, err)
		net.cannot = true
		must(t, f.s.SendReply(ctx, r3.ID, false))
		must(t, f.s.SendReply(ctx, r3.ID, false))
		if got := f.reply(t, r3.ID); got.State != string(ReplyUnknown) || got.Error == "" || net.calls != 2 {
			t.Fatalf("unknown: %+v, %d calls", got, net.calls)
		}
	})
}

// A network that refuses the reply: failed, with the network's own words,
// audited under the member who wrote it.
func TestReplyRefusedByNetworkShowsReason(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, net, _, c1, _ := replyFixture(t, st)
		net.publish = func(req network.PostRequest) (network.Ref, error) {
			return network.Ref{}, &network.Error{Kind: network.Permanent, Status: 422, Message: "Validation failed: Text contains a blocked word"}
		}
		r, err := f.s.Reply(ctx, f.cm, c1.ID, "hello")
		must(t, err)
		must(t, f.s.SendReply(ctx, r.ID, false))
		got := f.reply(t, r.ID)
		if got.State != string(ReplyFailed) || got.Error != "Validation failed: Text contains a blocked word" {
			t.Fatalf("refused: %+v", got)
		}
		acts, err := st.ListInboxActions(ctx, []int64{c1.ID})
		must(t, err)
		found := false
		for _, a := range acts {
			found = found || (a.Action == "reply" && a.Result == ResultFailed && a.UserID != nil && *a.UserID == f.cm.ID)
		}
		if !found {
			t.Fatalf("audit: %+v", acts)
		}
	})
}

// Refused before anything is stored: a network that cannot reply (its
// reason), a text longer than the rules table allows, an empty one; and
// who may reply: those who may publish, in their own workspace only.
func TestReplyRefusalsAndRoles(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, net, _, c1, _ := replyFixture(t, st)
		_, err := f.s.Reply(ctx, f.cm, c1.ID, strings.Repeat("a", 501))
		wantProblem(t, "too long", err, "reply_too_long")
		if p := problem.As(err); p == nil || !strings.Contains(p.Localized("en"), "501") {
			t.Errorf("too long says the count: %v", err)
		}
		_, err = f.s.Reply(ctx, f.cm, c1.ID, "   ")
		wantProblem(t, "empty", err, "invalid_reply")
		_, err = f.s.Reply(ctx, f.reader, c1.ID, "hi")
		wantProblem(t, "analyst", err, "forbidden")
		contributor := f.member(t, "contrib@example.test", auth.Contributor)
		_, err = f.s.Reply(ctx, contributor, c1.ID, "hi")
		wantProblem(t, "contributor", err, "forbidden")
		// Another workspace's owner does not see the item at all.
		other := f.otherOwner(t)
		_, err = f.s.Reply(ctx, other, c1.ID, "hi")
		wantProblem(t, "other tenant", err, "not_found")
		if _, err := f.s.Replies(ctx, other, c1.ConversationID); problem.As(err) == nil || problem.As(err).Code != "not_found" {
			t.Errorf("other tenant lists replies: %v", err)
		}
		f.conn.caps.Actions[network.ActReply] = network.Unsupported("The fake network has no replies.")
		_, err = f.s.Reply(ctx, f.cm, c1.ID, "hi")
		wantProblem(t, "unsupported", err, "reply_unsupported")
		if p := problem.As(err); p == nil || p.Message != "The fake network has no replies." {
			t.Errorf("unsupported gives the network's reason: %v", err)
		}
		replies, err := f.s.Replies(ctx, f.cm, c1.ConversationID)
		must(t, err)
		if len(replies) != 0 || net.calls != 0 {
			t.Fatalf("refused replies stored (%d) or sent (%d)", len(replies), net.calls)
		}
		// The owner may.
		f.conn.caps.Actions[network.ActReply] = network.Supported
		_, err = f.s.Reply(ctx, f.owner, c1.ID, "hi")
		must(t, err)
	})
}

func (f *fixture) member(t *testing.T, email string, role auth.Role) store.User {
	t.Helper()
	u, err := f.st.CreateUser(context.Background(), store.CreateUserParams{OrganizationID: f.ws.OrganizationID, Email: email, Name: "m", PasswordHash: "x", OrgRole: "member", Locale: "en", CreatedAt: t0})
	must(t, err)
	must(t, f.st.UpsertMembership(context.Background(), store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: u.ID, Role: string(role), CreatedAt: t0}))
	return u
}

func (f *fixture) otherOwner(t *testing.T) store.User {
	t.Helper()
	ctx := context.Background()
	org, err := f.st.CreateOrganization(ctx, store.CreateOrganizationParams{Name: "Other", CreatedAt: t0})
	must(t, err)
	u, err := f.st.CreateUser(ctx, store.CreateUserParams{OrganizationID: org.ID, Email: fmt.Sprint("o@other.test"), Name: "o", PasswordHash: "x", OrgRole: "owner", Locale: "en", CreatedAt: t0})
	must(t, err)
	return u
}

// A reply to a Bluesky direct message goes through the chat, which takes
// 1,000 graphemes; a reply to a comment is a post, which takes 300. The
// reply box's counter and the check before sending count alike.
func TestReplyToABlueskyDirectMessageTakesTheChatLimit(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		ch := f.channel(t, f.ws, "bluesky")
		dm := network.Item{ExternalID: "dm1", Kind: network.KindMessage, Ref: network.Ref{ID: "dm1"}, ConversationID: "convo-1",
			Author: network.Author{ExternalID: "did:plc:fan", Handle: "fan.test"}, Text: "a question", CreatedAt: t0}
		_, err := f.s.Ingest(ctx, ch, []network.Item{comment(1, "love it"), dm})
		must(t, err)
		get := func(ext string) store.InboxItem {
			it, err := st.GetInboxItemByExternal(ctx, store.GetInboxItemByExternalParams{ChannelID: ch.ID, ExternalID: ext})
			must(t, err)
			return it
		}
		long := strings.Repeat("é", 800)
		c, err := f.s.CountReply(ctx, f.cm, get("dm1").ID, long)
		must(t, err)
		if c.Used != 800 || c.Max != 1000 {
			t.Errorf("a direct message's reply counted %d of %d, want 800 of 1000", c.Used, c.Max)
		}
		c, err = f.s.CountReply(ctx, f.cm, get("c1").ID, long)
		must(t, err)
		if c.Used != 800 || c.Max != 300 {
			t.Errorf("a comment's reply counted %d of %d, want 800 of 300", c.Used, c.Max)
		}
	})
}
