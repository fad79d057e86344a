package inbox

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

func (f *fixture) ids(t *testing.T, exts ...string) []int64 {
	t.Helper()
	var out []int64
	for _, e := range exts {
		it, err := f.st.GetInboxItemByExternal(context.Background(), store.GetInboxItemByExternalParams{ChannelID: f.ch.ID, ExternalID: e})
		must(t, err)
		out = append(out, it.ID)
	}
	return out
}

func wantProblem(t *testing.T, what string, err error, code string) {
	t.Helper()
	if p := problem.As(err); err == nil || p == nil || p.Code != code {
		t.Errorf("%s: error %v, want %s", what, err, code)
	}
}

// Statuses, assignment (the assignee is told), tags, priority on a bulk
// selection, each audited per item with who did it; notes; an analyst
// reads and changes nothing.
func TestTriageBulkChangesAreAuditedAndNotified(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		_, err := f.s.Ingest(ctx, f.ch, comments(1, 4))
		must(t, err)
		sel := f.ids(t, "c1", "c2", "c3")
		open, high, cm := StatusOpen, PriorityHigh, f.cm.ID
		must(t, f.s.Update(ctx, f.owner, f.ws.ID, sel, Change{Status: &open, Assignee: &cm, Priority: &high, AddTags: []string{"billing", "vip"}}))
		must(t, f.s.Update(ctx, f.cm, f.ws.ID, sel[:1], Change{RemoveTags: []string{"vip"}}))
		for _, it := range f.allItems(t) {
			in := slices.Contains(sel, it.ID)
			if in != (it.Status == "open") || in != (it.AssigneeID != nil && *it.AssigneeID == f.cm.ID) || in != (it.Priority == int64(PriorityHigh)) {
				t.Errorf("item %s: status %s assignee %v priority %d (selected %v)", it.ExternalID, it.Status, it.AssigneeID, it.Priority, in)
			}
		}
		tags, err := st.ListInboxItemTags(ctx, sel)
		must(t, err)
		if len(tags) != 5 {
			t.Errorf("tags %+v, want billing on three and vip on two", tags)
		}
		if len(f.notes.sent) != 1 || f.notes.sent[0].UserID != f.cm.ID || f.notes.sent[0].Kind != NotifyAssigned {
			t.Errorf("notifications %+v, want one to the assignee", f.notes.sent)
		}
		acts, err := st.ListInboxActions(ctx, sel[:1])
		must(t, err)
		var got []string
		for _, a := range acts {
			got = append(got, a.Action+":"+a.Detail+":"+a.UserName)
		}
		want := []string{"status:open:owner", "assign:cm:owner", "priority:High:owner", "tag:billing:owner", "tag:vip:owner", "untag:vip:cm"}
		if !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
		note, err := f.s.AddNote(ctx, f.cm, sel[0], "  Refund promised by phone  ")
		must(t, err)
		if note.Body != "Refund promised by phone" {
			t.Errorf("note %q", note.Body)
		}
		// Self-assignment tells nobody.
		must(t, f.s.Update(ctx, f.cm, f.ws.ID, sel, Change{Assignee: &cm}))
		if len(f.notes.sent) != 1 {
			t.Errorf("assigning oneself sent a notification")
		}

		done := StatusDone
		wantProblem(t, "analyst changes a status", f.s.Update(ctx, f.reader, f.ws.ID, sel, Change{Status: &done}), "forbidden")
		_, err = f.s.AddNote(ctx, f.reader, sel[0], "x")
		wantProblem(t, "analyst adds a note", err, "forbidden")
		if _, err := f.s.List(ctx, f.reader, f.ws.ID, Filter{}); err != nil {
			t.Errorf("analyst reads the inbox: %v", err)
		}
		bad := Status("closed")
		wantProblem(t, "unknown status", f.s.Update(ctx, f.owner, f.ws.ID, sel, Change{Status: &bad}), "invalid_status")
		outsider := f.reader.ID + 1000
		wantProblem(t, "assign to a stranger", f.s.Update(ctx, f.owner, f.ws.ID, sel, Change{Assignee: &outsider}), "invalid_assignee")
		wantProblem(t, "empty selection", f.s.Update(ctx, f.owner, f.ws.ID, nil, Change{Status: &done}), "invalid_selection")
	})
}

// Every filter narrows the list; search finds words in French and in
// English and never reads what is typed as query syntax.
func TestListFiltersAndSearch(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		items := []network.Item{
			comment(1, "Merci pour la livraison rapide"),
			comment(2, "I am angry about the delivery"),
			comment(3, "I love the new colours"),
			{ExternalID: "m1", Kind: network.KindMessage, ConversationID: "dm", Author: network.Author{ExternalID: "u5"}, Text: "Service nul, remboursement ?", CreatedAt: t0.Add(48 * time.Hour)},
		}
		_, err := f.s.Ingest(ctx, f.ch, items)
		must(t, err)
		ids := f.ids(t, "c1", "c2", "c3", "m1")
		pending, cm := StatusPending, f.cm.ID
		must(t, f.s.Update(ctx, f.owner, f.ws.ID, ids[1:2], Change{Status: &pending, Assignee: &cm, AddTags: []string{"delivery"}}))

		list := func(fl Filter) []string {
			t.Helper()
			p, err := f.s.List(ctx, f.owner, f.ws.ID, fl)
			must(t, err)
			var out []string
			for _, it := range p.Items {
				out = append(out, it.ExternalID)
			}
			slices.Sort(out)
			return out
		}
		for _, c := range []struct {
			name string
			f    Filter
			want []string
		}{
			{"all", Filter{}, []string{"c1", "c2", "c3", "m1"}},
			{"status", Filter{Status: StatusPending}, []string{"c2"}},
			{"status and assignee", Filter{Status: StatusPending, AssigneeID: f.cm.ID}, []string{"c2"}},
			{"unassigned", Filter{Unassigned: true}, []string{"c1", "c3", "m1"}},
			{"new", Filter{Status: StatusNew}, []string{"c1", "c3", "m1"}},
			{"new and unassigned", Filter{Status: StatusNew, Unassigned: true}, []string{"c1", "c3", "m1"}},
			{"pending and unassigned", Filter{Status: StatusPending, Unassigned: true}, nil},
			{"new and assigned", Filter{Status: StatusNew, AssigneeID: f.cm.ID}, nil},
			{"pending, assigned to another", Filter{Status: StatusPending, AssigneeID: f.owner.ID}, nil},
			{"tag", Filter{Tag: "delivery"}, []string{"c2"}},
			{"kind", Filter{Kind: network.KindMessage}, []string{"m1"}},
			{"sentiment", Filter{Sentiment: sentiment.Negative}, []string{"c2", "m1"}},
			{"language", Filter{Lang: sentiment.French}, []string{"c1", "m1"}},
			{"channel", Filter{ChannelID: f.ch.ID}, []string{"c1", "c2", "c3", "m1"}},
			{"other network", Filter{Network: "mastodon"}, nil},
			{"since", Filter{Since: t0.Add(24 * time.Hour)}, []string{"m1"}},
			{"until", Filter{Until: t0.Add(2*time.Minute + time.Second)}, []string{"c1", "c2"}},
			{"search French", Filter{Query: "livraison"}, []string{"c1"}},
			{"search English", Filter{Query: "Delivery"}, []string{"c2"}},
			{"search two words", Filter{Query: "new colours"}, []string{"c3"}},
			{"search and status", Filter{Query: "delivery", Status: StatusNew}, nil},
			{"search with syntax", Filter{Query: `"remboursement? (*`}, []string{"m1"}},
			{"search punctuation only", Filter{Query: `"(*`}, nil},
		} {
			if got := list(c.f); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
		_, err = f.s.List(ctx, f.owner, f.ws.ID, Filter{Kind: "tweet"})
		wantProblem(t, "unknown kind", err, "invalid_filter")
		// The fixture's test-only network is none Tribune knows: refused
		// like any unknown name, not listed empty.
		_, err = f.s.List(ctx, f.owner, f.ws.ID, Filter{Network: "fake"})
		wantProblem(t, "unknown network", err, "invalid_network")
	})
}

// The list pages newest first without losing or repeating an item.
func TestListPages(t *testing.T) {
	t.Parallel()
	st := storetest.NewSQLite(t)
	ctx := context.Background()
	f := newFixture(t, st)
	_, err := f.s.Ingest(ctx, f.ch, comments(1, PageSize*2+5))
	must(t, err)
	seen := map[int64]bool{}
	var before int64
	pages := 0
	for {
		p, err := f.s.List(ctx, f.owner, f.ws.ID, Filter{Before: before})
		must(t, err)
		pages++
		for _, it := range p.Items {
			if seen[it.ID] || (before != 0 && it.ID >= before) {
				t.Fatalf("item %d twice or out of order", it.ID)
			}
			seen[it.ID] = true
		}
		if p.Next == 0 {
			break
		}
		before = p.Next
	}
	if len(seen) != PageSize*2+5 || pages != 3 {
		t.Errorf("%d items in %d pages, want %d in 3", len(seen), pages, PageSize*2+5)
	}
}

// A search pages newest first, like the list, without losing or repeating
// a match, and never reaches another workspace's items (the search reads
// the full-text index first, the workspace second).
func TestSearchPages(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		var items []network.Item
		for n := 1; n <= PageSize*2+5; n++ {
			text := fmt.Sprintf("colis numéro %d", n)
			if n%2 == 0 {
				text = fmt.Sprintf("merci %d", n)
			}
			items = append(items, comment(n, text))
		}
		_, err := f.s.Ingest(ctx, f.ch, items)
		must(t, err)
		o := newFixtureIn(t, f)
		_, err = o.s.Ingest(ctx, o.ch, []network.Item{comment(1000, "colis de l'autre")})
		must(t, err)
		mine := map[int64]bool{}
		for _, it := range f.allItems(t) {
			mine[it.ID] = true
		}
		seen := map[int64]bool{}
		var before int64
		pages := 0
		for {
			p, err := f.s.List(ctx, f.owner, f.ws.ID, Filter{Query: "colis", Before: before})
			must(t, err)
			pages++
			for _, it := range p.Items {
				if seen[it.ID] || (before != 0 && it.ID >= before) || !mine[it.ID] {
					t.Fatalf("item %d twice, out of order or another workspace's", it.ID)
				}
				seen[it.ID] = true
			}
			if p.Next == 0 {
				break
			}
			before = p.Next
		}
		if want := PageSize + 3; len(seen) != want || pages != 2 {
			t.Errorf("%d matches in %d pages, want %d in 2", len(seen), pages, want)
		}
	})
}

// A workspace never sees, changes or acts on another's items, even by id.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		_, err := f.s.Ingest(ctx, f.ch, comments(1, 2))
		must(t, err)
		// Another organisation with its own workspace, channel and items.
		o := newFixtureIn(t, f)
		_, err = o.s.Ingest(ctx, o.ch, comments(1, 1))
		must(t, err)
		mine := f.ids(t, "c1", "c2")
		theirs := o.ids(t, "c1")

		p, err := f.s.List(ctx, f.owner, f.ws.ID, Filter{})
		must(t, err)
		if len(p.Items) != 2 {
			t.Errorf("own list has %d items, want 2", len(p.Items))
		}
		_, err = o.s.List(ctx, o.owner, f.ws.ID, Filter{})
		wantProblem(t, "list another workspace", err, "forbidden")
		_, err = o.s.Item(ctx, o.owner, mine[0])
		wantProblem(t, "read another's item", err, "not_found")
		it, err := f.s.Item(ctx, f.owner, mine[0])
		must(t, err)
		_, err = o.s.Conversation(ctx, o.owner, it.ConversationID)
		wantProblem(t, "read another's conversation", err, "not_found")
		_, err = o.s.AddNote(ctx, o.owner, mine[0], "x")
		wantProblem(t, "note on another's item", err, "not_found")
		wantProblem(t, "act on another's item", o.s.Act(ctx, o.owner, mine[0], network.ActLike), "not_found")
		_, _, err = o.s.Capabilities(ctx, o.owner, f.ch.ID)
		wantProblem(t, "another's channel", err, "not_found")
		done := StatusDone
		// A selection mixing in another workspace's item changes nothing.
		wantProblem(t, "bulk with another's item", f.s.Update(ctx, f.owner, f.ws.ID, append(mine, theirs...), Change{Status: &done}), "not_found")
		wantProblem(t, "bulk through one's own workspace id", o.s.Update(ctx, o.owner, o.ws.ID, mine, Change{Status: &done}), "not_found")
		for _, it := range append(f.allItems(t), o.allItems(t)...) {
			if it.Status != string(StatusNew) {
				t.Errorf("item %d changed to %s", it.ID, it.Status)
			}
		}
		if n := len(f.conn.actions()); n != 0 {
			t.Errorf("%d network calls made", n)
		}
	})
}

// newFixtureIn makes a second organisation in f's database.
func newFixtureIn(t *testing.T, f *fixture) *fixture {
	t.Helper()
	ctx := context.Background()
	o := &fixture{st: f.st, now: f.now, notes: &notes{}, conn: f.conn}
	org, err := f.st.CreateOrganization(ctx, store.CreateOrganizationParams{Name: "Other", CreatedAt: t0})
	must(t, err)
	o.owner, err = f.st.CreateUser(ctx, store.CreateUserParams{OrganizationID: org.ID, Email: "boss@other.test", Name: "boss", PasswordHash: "x", OrgRole: "owner", Locale: "fr", CreatedAt: t0})
	must(t, err)
	o.ws, err = f.st.CreateWorkspace(ctx, store.CreateWorkspaceParams{OrganizationID: org.ID, Name: "Other", Timezone: "UTC", DuplicateWindowHours: 24, IcalTokenHash: "other-" + t.Name(), CreatedAt: t0})
	must(t, err)
	o.ch = o.channel(t, o.ws, "fake")
	o.s = &Service{Store: f.st, Auth: f.s.Auth, Connectors: f.s.Connectors, Accounts: accounts{}, Analyzer: words{}, Notifier: o.notes, Now: o.clock}
	return o
}

// Network actions go through the connector and are audited with who asked;
// an action the network does not allow is refused with its reason before
// any call; a failed call is audited as failed.
func TestActThroughTheNetworkAudited(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		_, err := f.s.Ingest(ctx, f.ch, comments(1, 1))
		must(t, err)
		id := f.ids(t, "c1")[0]
		must(t, f.s.Act(ctx, f.cm, id, network.ActLike))
		must(t, f.s.Act(ctx, f.cm, id, network.ActHide))
		if got := f.conn.actions(); !slices.Equal(got, []string{"like c1", "hide c1"}) {
			t.Errorf("network saw %v, want like and hide of c1", got)
		}
		it, err := f.s.Item(ctx, f.cm, id)
		must(t, err)
		if !it.Hidden {
			t.Errorf("hidden item not marked hidden")
		}
		// A later fetch that cannot tell (hidden false) does not unhide it.
		_, err = f.s.Ingest(ctx, f.ch, comments(1, 1))
		must(t, err)
		if it, _ = f.s.Item(ctx, f.cm, id); !it.Hidden {
			t.Errorf("a fetch unhid the item")
		}

		err = f.s.Act(ctx, f.cm, id, network.ActDelete)
		if p := problem.As(err); p == nil || p.Code != "action_unsupported" || p.Message != "The fake network keeps every reply." {
			t.Errorf("delete refused with %v, want the network's reason", err)
		}
		err = f.s.Act(ctx, f.cm, id, network.ActBlock) // missing from the capabilities
		wantProblem(t, "an action the network does not list", err, "action_unsupported")
		f.conn.actErr = &network.Error{Kind: network.Permanent, Status: 403, Message: "not your post"}
		err = f.s.Act(ctx, f.cm, id, network.ActUnhide)
		wantProblem(t, "a refused call", err, "network_error")
		wantProblem(t, "analyst acts", f.s.Act(ctx, f.reader, id, network.ActLike), "forbidden")
		wantProblem(t, "reply as an action", f.s.Act(ctx, f.cm, id, network.ActReply), "reply_is_a_publication")
		if n := len(f.conn.actions()); n != 2 {
			t.Errorf("%d network calls, want only the 2 allowed ones", n)
		}

		acts, err := st.ListInboxActions(ctx, []int64{id})
		must(t, err)
		var got []string
		for _, a := range acts {
			got = append(got, a.Action+":"+a.Result+":"+a.UserName)
		}
		want := []string{"like:ok:cm", "hide:ok:cm", "delete:refused:cm", "block:refused:cm", "unhide:failed:cm"}
		if !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
		c, err := f.s.Conversation(ctx, f.reader, it.ConversationID)
		must(t, err)
		if !c.HasInbox || c.Capabilities.Action(network.ActDelete).OK || len(c.Items) != 1 || len(c.Actions) != 5 {
			t.Errorf("conversation %+v", c)
		}
	})
}
