package contacts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
	"github.com/tribune-social/tribune/internal/webhooks"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// fixture is a workspace with an owner, a community manager and an
// analyst, two channels on two networks, and the inbox service that
// ingests items into them (the real one: contacts read its rows).
type fixture struct {
	st                 store.Store
	s                  *Service
	in                 *inbox.Service
	owner, cm, analyst store.User
	ws                 store.Workspace
	masto, sky         store.Channel
	stranger           store.User
	strangerWS         store.Workspace
	strangerCh         store.Channel
	ctx                context.Context
	endpoint           int64             // the webhook endpoint withWebhooks made
	webhooks           *webhooks.Service // set by withWebhooks
}

func newFixture(t *testing.T, st store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: st, ctx: ctx}
	org := func(name string) store.Organization {
		o, err := st.CreateOrganization(ctx, store.CreateOrganizationParams{Name: name, CreatedAt: t0})
		must(t, err)
		return o
	}
	user := func(o store.Organization, email, role string) store.User {
		u, err := st.CreateUser(ctx, store.CreateUserParams{OrganizationID: o.ID, Email: email, Name: email[:strings.Index(email, "@")], PasswordHash: "x", OrgRole: role, Locale: "en", CreatedAt: t0})
		must(t, err)
		return u
	}
	wsOf := func(o store.Organization, name string) store.Workspace {
		ws, err := st.CreateWorkspace(ctx, store.CreateWorkspaceParams{OrganizationID: o.ID, Name: name, Timezone: "Europe/Paris", DuplicateWindowHours: 24, IcalTokenHash: fmt.Sprint("ical-", name, t.Name()), CreatedAt: t0})
		must(t, err)
		return ws
	}
	channel := func(ws store.Workspace, netw string) store.Channel {
		ch, err := st.CreateChannel(ctx, store.CreateChannelParams{WorkspaceID: ws.ID, Network: netw, Name: netw, Handle: "@brand",
			ExternalID: "brand", BaseURL: "http://" + netw + ".test", TokenCiphertext: []byte{1}, TokenKeyID: "k1", Status: "active", CreatedAt: t0})
		must(t, err)
		return ch
	}
	acme := org("Acme")
	f.owner, f.cm, f.analyst = user(acme, "owner@acme.test", "owner"), user(acme, "cm@acme.test", "member"), user(acme, "analyst@acme.test", "member")
	f.ws = wsOf(acme, "Brand")
	must(t, st.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: f.cm.ID, Role: string(auth.CommunityMgr), CreatedAt: t0}))
	must(t, st.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: f.analyst.ID, Role: string(auth.Analyst), CreatedAt: t0}))
	f.masto, f.sky = channel(f.ws, "mastodon"), channel(f.ws, "bluesky")
	other := org("Other")
	f.stranger = user(other, "boss@other.test", "owner")
	f.strangerWS = wsOf(other, "Elsewhere")
	f.strangerCh = channel(f.strangerWS, "mastodon")
	clock := func() time.Time { return t0 }
	a := &auth.Service{Store: st, Now: clock}
	f.s = &Service{Store: st, Auth: a, Now: clock}
	f.in = &inbox.Service{Store: st, Auth: a, Now: clock}
	return f
}

// say ingests one mention by an author on a channel.
func (f *fixture) say(t *testing.T, ch store.Channel, id string, author network.Author, text string) {
	t.Helper()
	_, err := f.in.Ingest(f.ctx, ch, []network.Item{{ExternalID: id, Kind: network.KindMention, Ref: network.Ref{ID: id, URL: "http://x.test/" + id},
		ConversationID: id, Author: author, Text: text, CreatedAt: t0.Add(time.Duration(len(id)) * time.Minute)}})
	must(t, err)
}

var (
	aliceMasto = network.Author{ExternalID: "109", Handle: "alice@mastodon.test", DisplayName: "Alice Martin", AvatarURL: "http://m.test/a.png", URL: "http://m.test/@alice"}
	aliceSky   = network.Author{ExternalID: "did:plc:alice", Handle: "alice.bsky.social", DisplayName: "alice martin ", URL: "https://bsky.app/profile/alice"}
	bob        = network.Author{ExternalID: "200", Handle: "bob@mastodon.test", DisplayName: "Bob"}
)

// contactOf finds the contact of the author with this handle.
func (f *fixture) contactOf(t *testing.T, handle string) Contact {
	t.Helper()
	p, err := f.s.List(f.ctx, f.owner, f.ws.ID, Filter{Query: handle})
	must(t, err)
	for _, c := range p.Contacts {
		for _, a := range c.Authors {
			if a.Handle == handle {
				return c
			}
		}
	}
	t.Fatalf("no contact for %s in %+v", handle, p.Contacts)
	return Contact{}
}

func TestEveryAuthorGetsOneContactAndMergeSplitKeepItems(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		f.say(t, f.masto, "m1", aliceMasto, "Love the launch")
		f.say(t, f.masto, "m22", aliceMasto, "Still love it")
		f.say(t, f.sky, "s333", aliceSky, "Bonjour")
		f.say(t, f.masto, "m4444", bob, "Meh")

		p, err := f.s.List(f.ctx, f.cm, f.ws.ID, Filter{})
		must(t, err)
		if got := len(p.Contacts); got != 3 {
			t.Fatalf("contacts = %d, want 3 (one per author)", got)
		}
		// Listing again creates nothing more.
		p, err = f.s.List(f.ctx, f.cm, f.ws.ID, Filter{})
		must(t, err)
		if got := len(p.Contacts); got != 3 {
			t.Fatalf("contacts after a second look = %d, want 3", got)
		}

		// Alice's two accounts are suggested, by name (case and spaces ignored).
		page, err := f.s.SuggestionsAfter(f.ctx, f.cm, f.ws.ID, "")
		must(t, err)
		sg := page.Suggestions
		am, as := f.contactOf(t, aliceMasto.Handle), f.contactOf(t, aliceSky.Handle)
		if len(sg) != 1 || sg[0].Reason != ReasonSameName || !samePair(sg[0], am.ID, as.ID) {
			t.Fatalf("suggestions = %+v, want alice's two contacts by name", sg)
		}

		must(t, f.s.Update(f.ctx, f.cm, as.ID, Change{VIP: ptr(true), AddTags: []string{"press"}}))
		must(t, f.s.AddNote(f.ctx, f.cm, as.ID, "Writes for a magazine"))
		must(t, f.s.Merge(f.ctx, f.cm, am.ID, as.ID))
		d, err := f.s.Get(f.ctx, f.analyst, am.ID)
		must(t, err)
		if got := len(d.Contact.Authors); got != 2 {
			t.Fatalf("merged contact has %d accounts, want 2", got)
		}
		if got := len(d.Items); got != 3 {
			t.Fatalf("merged history has %d items, want 3", got)
		}
		// Newest first across networks.
		for i := 1; i < len(d.Items); i++ {
			if d.Items[i].NetworkCreatedAt.After(d.Items[i-1].NetworkCreatedAt) {
				t.Fatalf("history not newest first: %v", d.Items)
			}
		}
		if !d.Contact.Vip || len(d.Tags) != 1 || d.Tags[0] != "press" || len(d.Notes) != 1 {
			t.Fatalf("merge lost the flag, tag or note: %+v tags %v notes %d", d.Contact.Contact, d.Tags, len(d.Notes))
		}
		if _, err := st.GetContact(f.ctx, as.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("merged-away contact still there: %v", err)
		}
		if len(d.Suggestions) != 0 {
			t.Fatalf("suggestions after the merge = %+v, want none", d.Suggestions)
		}

		var skyAuthor int64
		for _, a := range d.Contact.Authors {
			if a.Network == "bluesky" {
				skyAuthor = a.ID
			}
		}
		newID, err := f.s.Split(f.ctx, f.cm, am.ID, skyAuthor)
		must(t, err)
		left, err := f.s.Get(f.ctx, f.cm, am.ID)
		must(t, err)
		split, err := f.s.Get(f.ctx, f.cm, newID)
		must(t, err)
		if len(left.Items) != 2 || len(split.Items) != 1 || len(split.Contact.Authors) != 1 {
			t.Fatalf("after split: %d and %d items, %d accounts; want 2, 1, 1", len(left.Items), len(split.Items), len(split.Contact.Authors))
		}
		if _, err := f.s.Split(f.ctx, f.cm, newID, skyAuthor); err != errLastAuthor {
			t.Fatalf("splitting the last account: %v, want %v", err, errLastAuthor)
		}
		if got := len(left.Audit); got != 2 || left.Audit[0].Action != ActMerge || left.Audit[1].Action != ActSplit || *left.Audit[0].UserID != f.cm.ID {
			t.Fatalf("audit = %+v, want merge then split by the community manager", left.Audit)
		}
		// Every item is still there, once.
		n := 0
		for _, id := range []int64{am.ID, newID, f.contactOf(t, bob.Handle).ID} {
			c, err := st.CountContactItems(f.ctx, id)
			must(t, err)
			n += int(c)
		}
		if n != 4 {
			t.Fatalf("items across contacts = %d, want 4", n)
		}
	})
}

func samePair(s Suggestion, a, b int64) bool {
	return (s.A.ID == a && s.B.ID == b) || (s.A.ID == b && s.B.ID == a)
}

func TestSuggestionsByHandleLocalPart(t *testing.T) {
	f := newFixture(t, storetest.NewSQLite(t))
	f.say(t, f.masto, "m1", network.Author{ExternalID: "1", Handle: "@carol@mastodon.test", DisplayName: "C."}, "hi")
	f.say(t, f.sky, "s1", network.Author{ExternalID: "did:plc:c", Handle: "carol.bsky.social", DisplayName: "Carol"}, "hi")
	// Same network: never suggested, even with the same name.
	f.say(t, f.masto, "m2", network.Author{ExternalID: "2", Handle: "@carol@other.test", DisplayName: "Carol"}, "hi")
	page, err := f.s.SuggestionsAfter(f.ctx, f.cm, f.ws.ID, "")
	must(t, err)
	sg := page.Suggestions
	var got []string
	for _, s := range sg {
		got = append(got, s.Reason)
	}
	// carol.bsky.social pairs with both mastodon carols: by name with
	// @carol@other.test, by handle with @carol@mastodon.test.
	if len(sg) != 2 || strings.Join(got, ",") != "same_name,same_handle" {
		t.Fatalf("suggestions = %v, want same_name then same_handle", got)
	}
	for _, s := range sg {
		if s.A.Authors[0].Network == s.B.Authors[0].Network {
			t.Fatalf("suggested two accounts on one network: %+v", s)
		}
	}
}

func TestEraseRemovesPersonalDataButKeepsCounts(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		f.withWebhooks(t)
		// A long text (in characters, not bytes): an escalation quotes only
		// its beginning.
		f.say(t, f.masto, "m1", aliceMasto, "Love the launch, call me on 0612345678 "+strings.Repeat("é", 500))
		f.say(t, f.sky, "s22", aliceSky, "Bonjour")
		f.say(t, f.masto, "m333", bob, "Meh")
		am, as := f.contactOf(t, aliceMasto.Handle), f.contactOf(t, aliceSky.Handle)
		must(t, f.s.Merge(f.ctx, f.cm, am.ID, as.ID))
		must(t, f.s.Update(f.ctx, f.cm, am.ID, Change{Influencer: ptr(true), AddTags: []string{"press"}}))
		must(t, f.s.AddNote(f.ctx, f.cm, am.ID, "Alice lives in Lyon"))
		d, err := f.s.Get(f.ctx, f.cm, am.ID)
		must(t, err)
		_, err = f.in.AddNote(f.ctx, f.cm, d.Items[0].ID, "Alice again")
		must(t, err)
		open := inbox.StatusOpen
		must(t, f.in.Update(f.ctx, f.cm, f.ws.ID, []int64{d.Items[0].ID}, inbox.Change{Status: &open}))
		// The inbox keeps copies of their words and names elsewhere: the
		// replies to them, notifications, webhook events, the audit.
		var aliceItems, bobItems []store.InboxItem
		var bobCopies []string
		for _, it := range f.allItems(t) {
			switch it.ExternalID {
			case "m1":
				aliceItems = append(aliceItems, it)
				f.leaveCopies(t, it, aliceMasto.Handle, aliceMasto.DisplayName)
			case "s22":
				aliceItems = append(aliceItems, it)
				f.leaveCopies(t, it, aliceSky.Handle, aliceSky.DisplayName)
			case "m333":
				bobItems = append(bobItems, it)
				bobCopies = f.leaveCopies(t, it, bob.Handle, bob.DisplayName)
			}
		}
		aliceWords := []string{"alice", "0612345678", "Love the launch", "Bonjour", "http://x.test/m1", "http://x.test/s22"}
		beforeCopies := f.copies(t, append(aliceItems, bobItems...))
		for _, w := range aliceWords {
			if !beforeCopies.has(w) {
				t.Fatalf("the copies lack %q before erasure: the test would prove nothing", w)
			}
		}

		// Only owners and admins export or erase.
		for _, u := range []store.User{f.cm, f.analyst} {
			if err := f.s.Erase(f.ctx, u, am.ID); !errors.Is(err, problem.Forbidden) {
				t.Fatalf("erase by %s: %v, want forbidden", u.Email, err)
			}
			if _, err := f.s.Export(f.ctx, u, am.ID); !errors.Is(err, problem.Forbidden) {
				t.Fatalf("export by %s: %v, want forbidden", u.Email, err)
			}
		}

		// The export holds everything, and JSON says it all.
		e, err := f.s.Export(f.ctx, f.owner, am.ID)
		must(t, err)
		if len(e.Accounts) != 2 || len(e.Items) != 2 || len(e.ContactNotes) != 1 || len(e.ItemNotes) != 1 || len(e.Actions) == 0 ||
			len(e.Contact.Tags) != 1 || !e.Contact.Influencer {
			t.Fatalf("export = %+v", e)
		}
		js, err := json.Marshal(e)
		must(t, err)
		for _, want := range []string{"alice@mastodon.test", "alice.bsky.social", "0612345678", "Bonjour", "Alice lives in Lyon", "Alice again", "press", `"action":"export"`} {
			if !strings.Contains(strings.ToLower(string(js)), strings.ToLower(want)) {
				t.Errorf("export lacks %q", want)
			}
		}

		before := countRows(t, f)
		must(t, f.s.Erase(f.ctx, f.owner, am.ID))

		// A reply to the person still queued is never sent: it fails with
		// why, its text erased; the reply to Bob stays queued.
		checked := 0
		for _, its := range [][]store.InboxItem{aliceItems, bobItems} {
			for _, it := range its {
				replies, err := st.ListInboxRepliesOfConversation(f.ctx, it.ConversationID)
				must(t, err)
				for _, r := range replies {
					erased := it.AuthorID != bobItems[0].AuthorID
					if r.ItemID != it.ID {
						continue
					}
					checked++
					if erased && (r.State != "failed" || r.Error != ReplyErased) {
						t.Errorf("a queued reply to the erased person is %s (%q), want failed with why", r.State, r.Error)
					}
					if !erased && r.State != "queued" {
						t.Errorf("the reply to Bob is %s, want still queued", r.State)
					}
				}
			}
		}
		if checked != 3 {
			t.Errorf("%d replies checked, want 3 (two to Alice, one to Bob)", checked)
		}

		// Personal data is gone from the rows themselves.
		authors, err := st.ListContactAuthors(f.ctx, []int64{am.ID})
		must(t, err)
		for _, a := range authors {
			if a.Handle != "" || a.DisplayName != "" || a.AvatarURL != "" || a.URL != "" || !strings.HasPrefix(a.ExternalID, "erased-") {
				t.Fatalf("author not erased: %+v", a)
			}
		}
		items, err := st.ListContactItems(f.ctx, store.ListContactItemsParams{ContactID: am.ID, MaxRows: 100})
		must(t, err)
		for _, it := range items {
			if it.Text != "" || it.RefURL != "" {
				t.Fatalf("item not erased: %+v", it)
			}
			notes, err := st.ListInboxNotes(f.ctx, []int64{it.ID})
			must(t, err)
			if len(notes) != 0 {
				t.Fatalf("item notes left: %+v", notes)
			}
		}
		for _, q := range []string{"0612345678", "Bonjour"} {
			p, err := f.in.List(f.ctx, f.owner, f.ws.ID, inbox.Filter{Query: q})
			must(t, err)
			if len(p.Items) != 0 {
				t.Fatalf("search still finds %q: %+v", q, p.Items)
			}
		}
		after, err := f.s.Get(f.ctx, f.owner, am.ID)
		must(t, err)
		if !after.Contact.Erased() || after.Contact.Influencer || len(after.Tags) != 0 || len(after.Notes) != 0 {
			t.Fatalf("contact not erased: %+v tags %v notes %v", after.Contact.Contact, after.Tags, after.Notes)
		}
		last := after.Audit[len(after.Audit)-1]
		if last.Action != ActErase || *last.UserID != f.owner.ID || strings.Contains(strings.ToLower(last.Detail), "alice") {
			t.Fatalf("audit = %+v, want an erase by the owner naming nobody", last)
		}
		// Nor is any left in the copies, whose rows all stay; bob's copies
		// are as they were.
		afterCopies := f.copies(t, append(aliceItems, bobItems...))
		for _, w := range aliceWords {
			if x, ok := afterCopies.find(w); ok {
				t.Errorf("a copy still holds %q after erasure: %.200q", w, x)
			}
		}
		for _, b := range bobCopies {
			if !afterCopies.hasExactly(b) {
				t.Errorf("bob's copy %q was changed", b)
			}
		}
		if !afterCopies.has("Meh") {
			t.Errorf("bob's webhook event lost his words")
		}
		if got, want := afterCopies.counts(), beforeCopies.counts(); got != want {
			t.Errorf("copy rows = %v after erasure, want %v", got, want)
		}
		// A later fetch of the same item (an overlapping page) does not
		// bring the words back.
		f.say(t, f.sky, "s22", aliceSky, "Bonjour, edited")
		for _, it := range f.allItems(t) {
			if it.ExternalID == "s22" && it.Text != "" {
				t.Fatalf("a refetch wrote the erased text back: %q", it.Text)
			}
		}
		// The anonymous counts stay: every item row, and bob is untouched.
		if got := countRows(t, f); got != before {
			t.Fatalf("item rows = %d after erasure, want %d", got, before)
		}
		b := f.contactOf(t, bob.Handle)
		bd, err := f.s.Get(f.ctx, f.owner, b.ID)
		must(t, err)
		if bd.Items[0].Text != "Meh" {
			t.Fatalf("bob's item touched: %q", bd.Items[0].Text)
		}
		if err := f.s.AddNote(f.ctx, f.cm, am.ID, "again"); err != errErased {
			t.Fatalf("note on an erased contact: %v, want %v", err, errErased)
		}
	})
}

func countRows(t *testing.T, f *fixture) int {
	t.Helper()
	return len(f.allItems(t))
}

func (f *fixture) allItems(t *testing.T) []store.InboxItem {
	t.Helper()
	items, err := f.st.ListInboxItems(f.ctx, store.ListInboxItemsParams{WorkspaceID: f.ws.ID, BeforeID: 1 << 62, MaxRows: 1000})
	must(t, err)
	return items
}

func TestTenantIsolation(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		f.say(t, f.masto, "m1", aliceMasto, "hi")
		f.say(t, f.strangerCh, "x1", network.Author{ExternalID: "9", Handle: "alice@mastodon.test", DisplayName: "Alice Martin"}, "elsewhere")
		mine := f.contactOf(t, aliceMasto.Handle)
		p, err := f.s.List(f.ctx, f.stranger, f.strangerWS.ID, Filter{})
		must(t, err)
		if len(p.Contacts) != 1 || p.Contacts[0].ID == mine.ID {
			t.Fatalf("other workspace lists %+v", p.Contacts)
		}
		theirs := p.Contacts[0]
		if _, err := f.s.List(f.ctx, f.stranger, f.ws.ID, Filter{}); !errors.Is(err, problem.Forbidden) {
			t.Fatalf("listing another tenant's contacts: %v", err)
		}
		for name, call := range map[string]func() error{
			"get":    func() error { _, err := f.s.Get(f.ctx, f.stranger, mine.ID); return err },
			"update": func() error { return f.s.Update(f.ctx, f.stranger, mine.ID, Change{VIP: ptr(true)}) },
			"note":   func() error { return f.s.AddNote(f.ctx, f.stranger, mine.ID, "x") },
			"export": func() error { _, err := f.s.Export(f.ctx, f.stranger, mine.ID); return err },
			"erase":  func() error { return f.s.Erase(f.ctx, f.stranger, mine.ID) },
			"merge":  func() error { return f.s.Merge(f.ctx, f.stranger, theirs.ID, mine.ID) },
			"split":  func() error { _, err := f.s.Split(f.ctx, f.stranger, mine.ID, mine.Authors[0].ID); return err },
			"author": func() error { _, err := f.s.ForAuthor(f.ctx, f.stranger, mine.Authors[0].ID); return err },
			// A member of this workspace cannot pull a foreign contact in.
			"merge in": func() error { return f.s.Merge(f.ctx, f.owner, mine.ID, theirs.ID) },
		} {
			if err := call(); !errors.Is(err, problem.NotFound) {
				t.Errorf("%s across tenants: %v, want not found", name, err)
			}
		}
		// Suggestions stay inside a workspace: the namesake elsewhere is not one.
		page, err := f.s.SuggestionsAfter(f.ctx, f.owner, f.ws.ID, "")
		must(t, err)
		sg := page.Suggestions
		if len(sg) != 0 {
			t.Fatalf("suggestions across tenants: %+v", sg)
		}
	})
}

func TestListFilters(t *testing.T) {
	f := newFixture(t, storetest.NewSQLite(t))
	f.say(t, f.masto, "m1", aliceMasto, "hi")
	f.say(t, f.masto, "m22", bob, "hi")
	a := f.contactOf(t, aliceMasto.Handle)
	must(t, f.s.Update(f.ctx, f.cm, a.ID, Change{Ambassador: ptr(true)}))
	for _, tc := range []struct {
		name string
		f    Filter
		want int
	}{
		{"all", Filter{}, 2},
		{"by name, any case", Filter{Query: "MARTIN"}, 1},
		{"by handle", Filter{Query: "bob@"}, 1},
		{"like characters are literal", Filter{Query: "%"}, 0},
		{"an underscore is an underscore", Filter{Query: "bob_"}, 0},
		{"ambassadors", Filter{Flag: FlagAmbassador}, 1},
		{"vip", Filter{Flag: FlagVIP}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.s.List(f.ctx, f.analyst, f.ws.ID, tc.f)
			must(t, err)
			if len(p.Contacts) != tc.want {
				t.Fatalf("got %d contacts, want %d", len(p.Contacts), tc.want)
			}
		})
	}
	if _, err := f.s.List(f.ctx, f.analyst, f.ws.ID, Filter{Flag: "nice"}); err != errBadFlag {
		t.Fatalf("unknown flag: %v", err)
	}
	if err := f.s.Update(f.ctx, f.analyst, a.ID, Change{VIP: ptr(true)}); !errors.Is(err, problem.Forbidden) {
		t.Fatalf("analyst flags a contact: %v, want forbidden", err)
	}
	id, err := f.s.ForAuthor(f.ctx, f.analyst, a.Authors[0].ID)
	must(t, err)
	if id != a.ID {
		t.Fatalf("author's contact = %d, want %d", id, a.ID)
	}
}

func ptr[T any](v T) *T { return &v }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
