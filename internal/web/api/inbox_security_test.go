package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// The addresses a network gives (an item's, its thread root's, its
// author's profile and avatar) are the network's word: one that is not an
// absolute http(s) address is dropped when the item is stored, so no API
// client, export or webhook ever receives a javascript: or data: address to
// render, while an https one comes through.
func TestInboxKeepsOnlyWebAddressesFromTheNetwork(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{})
	env, owner, ws, tok := in.env, in.owner, in.ws, in.tok
	ctx := context.Background()
	hostile := []string{"javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:image/svg+xml,<svg onload=alert(1)>", "vbscript:msgbox(1)", "//evil.example/x"}
	for i, bad := range hostile {
		ext := fmt.Sprintf("x%d", i)
		in.ingest(t, network.Item{ExternalID: ext, Kind: network.KindComment, Ref: network.Ref{ID: ext, URL: bad}, ConversationID: "c" + ext,
			Root: &network.Ref{ID: "c" + ext, URL: bad}, Author: network.Author{ExternalID: "a" + ext, Handle: "hostile" + ext, URL: bad, AvatarURL: bad},
			Text: "hostile " + ext, CreatedAt: time.Now().Add(time.Duration(i) * time.Minute)})
	}
	good := "https://social.example/@fan/1"
	in.ingest(t, network.Item{ExternalID: "ok", Kind: network.KindComment, Ref: network.Ref{ID: "ok", URL: good}, ConversationID: "cok",
		Author: network.Author{ExternalID: "aok", Handle: "fan", URL: good, AvatarURL: good}, Text: "friendly", CreatedAt: time.Now()})

	read := func(path string) string {
		t.Helper()
		r := env.Do(t, tok, http.MethodGet, path, nil)
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, r.StatusCode, b)
		}
		return string(b)
	}
	cs, err := env.App.Contacts.List(ctx, owner, ws.ID, contacts.Filter{})
	if err != nil || len(cs.Contacts) != len(hostile)+1 {
		t.Fatalf("contacts: %d %v", len(cs.Contacts), err)
	}
	bodies := map[string]string{}
	for _, p := range []string{fmt.Sprintf("/api/v1/workspaces/%d/inbox?limit=100", ws.ID), fmt.Sprintf("/api/v1/workspaces/%d/contacts", ws.ID)} {
		bodies[p] = read(p)
	}
	for _, c := range cs.Contacts {
		for _, p := range []string{fmt.Sprintf("/api/v1/contacts/%d", c.ID), fmt.Sprintf("/api/v1/contacts/%d/gdpr-export", c.ID)} {
			bodies[p] = read(p)
		}
	}
	for p, body := range bodies {
		low := strings.ToLower(body)
		for _, bad := range []string{"javascript:", "data:image", "vbscript:", "evil.example"} {
			if strings.Contains(low, bad) {
				t.Errorf("%s carries a hostile address (%s)", p, bad)
			}
		}
	}
	if list := bodies[fmt.Sprintf("/api/v1/workspaces/%d/inbox?limit=100", ws.ID)]; strings.Count(list, good) < 3 {
		t.Errorf("the https addresses (item, author, avatar) did not come through: %s", list)
	}
}

// A change carries a bounded number of tags: a request with thousands is
// refused at once with a reason, and nothing is tagged.
func TestInboxRefusesAFloodOfTags(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{})
	env, ws, tok := in.env, in.ws, in.tok
	in.ingest(t, network.Item{ExternalID: "t1", Kind: network.KindComment, Ref: network.Ref{ID: "t1"}, ConversationID: "c",
		Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "hello", CreatedAt: time.Now()})
	item := in.only(t)
	tags := make([]string, 60000)
	for i := range tags {
		tags[i] = fmt.Sprintf("%q", fmt.Sprint(i))
	}

	r := env.Do(t, tok, http.MethodPatch, fmt.Sprintf("/api/v1/workspaces/%d/inbox", ws.ID),
		strings.NewReader(fmt.Sprintf(`{"ids":[%d],"add_tags":[%s]}`, item.ID, strings.Join(tags, ","))))
	_, _ = io.Copy(io.Discard, r.Body)
	r.Body.Close()
	if r.StatusCode != 422 {
		t.Errorf("60,000 tags: %d, want 422", r.StatusCode)
	}
	if got := in.only(t); len(got.Tags) != 0 {
		t.Errorf("the item got %d tags", len(got.Tags))
	}
}

// The bound on tags is the use cases' own, not only the API schema's: a
// change of an item or of a contact with more than 20 tags is refused with
// a 422 and a reason, whoever calls, and nothing is tagged.
func TestTagFloodRefusedByTheUseCases(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{})
	env, owner, ws := in.env, in.owner, in.ws
	ctx := context.Background()
	in.ingest(t, network.Item{ExternalID: "t1", Kind: network.KindComment, Ref: network.Ref{ID: "t1"}, ConversationID: "c",
		Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "hello", CreatedAt: time.Now()})
	item := in.only(t)
	tags := make([]string, 21)
	for i := range tags {
		tags[i] = fmt.Sprint("t", i)
	}
	check := func(what string, err error) {
		t.Helper()
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Status != 422 || pe.Code != "too_many_tags" {
			t.Errorf("%s with 21 tags: %v, want 422 too_many_tags", what, err)
		}
	}
	check("inbox add", env.App.Inbox.Update(ctx, owner, ws.ID, []int64{item.ID}, inbox.Change{AddTags: tags}))
	check("inbox remove", env.App.Inbox.Update(ctx, owner, ws.ID, []int64{item.ID}, inbox.Change{RemoveTags: tags}))
	cs, err := env.App.Contacts.List(ctx, owner, ws.ID, contacts.Filter{})
	if err != nil || len(cs.Contacts) != 1 {
		t.Fatalf("contacts: %+v %v", cs.Contacts, err)
	}
	check("contact add", env.App.Contacts.Update(ctx, owner, cs.Contacts[0].ID, contacts.Change{AddTags: tags}))
	check("contact remove", env.App.Contacts.Update(ctx, owner, cs.Contacts[0].ID, contacts.Change{RemoveTags: tags}))
	if got := in.only(t); len(got.Tags) != 0 {
		t.Errorf("the item got %d tags", len(got.Tags))
	}
	if d, err := env.App.Contacts.Get(ctx, owner, cs.Contacts[0].ID); err != nil || len(d.Tags) != 0 {
		t.Errorf("the contact got tags: %v %v", d.Tags, err)
	}
	// Twenty still pass.
	if err := env.App.Inbox.Update(ctx, owner, ws.ID, []int64{item.ID}, inbox.Change{AddTags: tags[:20]}); err != nil {
		t.Errorf("20 tags: %v", err)
	}
}

// The walk of every route as another tenant (isolation_test.go) puts A's
// ids in the path; here the path is the outsider's own workspace or
// contact, and A's ids come in the body: a bulk change naming A's item, a
// merge pulling A's contact into B's, a reply to B's item with A's saved
// reply (its text would leak). Each is refused as not found and A keeps
// everything, even when the caller is a member of both.
func TestBodyIDsOfAnotherWorkspaceAreNotFound(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{})
	env, owner, wsA := in.env, in.owner, in.ws
	ctx := context.Background()
	in.ingest(t, network.Item{ExternalID: "a1", Kind: network.KindComment, Ref: network.Ref{ID: "a1"}, ConversationID: "c",
		Author: network.Author{ExternalID: "fanA", Handle: "fanA"}, Text: "A's comment", CreatedAt: time.Now()})
	itemA := in.only(t)
	savedA, err := env.App.Inbox.SaveReply(ctx, owner, wsA.ID, 0, "A secret", "acme secret saved words")
	if err != nil {
		t.Fatal(err)
	}
	wsB, err := auth.CreateWorkspace(ctx, env.Store, owner.OrganizationID, owner.ID, "B", "UTC", wsA.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	outsider := env.Member(t, owner, wsB.ID, "outsider@example.test", auth.Admin)
	tok := env.Token(t, outsider)
	chB, err := env.App.Channels.ConnectSandbox(ctx, owner, wsB.ID, "b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Inbox.Ingest(ctx, chB, []network.Item{{ExternalID: "b1", Kind: network.KindComment, Ref: network.Ref{ID: "b1"},
		ConversationID: "c", Author: network.Author{ExternalID: "fanB", Handle: "fanB"}, Text: "B's comment", CreatedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	pageB, err := env.App.Inbox.List(ctx, outsider, wsB.ID, inbox.Filter{})
	if err != nil || len(pageB.Items) != 1 {
		t.Fatalf("B's inbox: %+v %v", pageB.Items, err)
	}
	contactsOf := func(ws int64) []contacts.Contact {
		t.Helper()
		cs, err := env.App.Contacts.List(ctx, owner, ws, contacts.Filter{})
		if err != nil || len(cs.Contacts) != 1 {
			t.Fatalf("contacts of %d: %+v %v", ws, cs.Contacts, err)
		}
		return cs.Contacts
	}
	contactA, contactB := contactsOf(wsA.ID)[0], contactsOf(wsB.ID)[0]

	for _, c := range []struct{ name, method, path, body string }{
		{"bulk change of B naming A's item", http.MethodPatch, fmt.Sprintf("/api/v1/workspaces/%d/inbox", wsB.ID),
			fmt.Sprintf(`{"ids":[%d],"status":"done","add_tags":["pwned"]}`, itemA.ID)},
		{"bulk change of B naming B's and A's items", http.MethodPatch, fmt.Sprintf("/api/v1/workspaces/%d/inbox", wsB.ID),
			fmt.Sprintf(`{"ids":[%d,%d],"status":"done"}`, pageB.Items[0].ID, itemA.ID)},
		{"merge of A's contact into B's", http.MethodPost, fmt.Sprintf("/api/v1/contacts/%d/merge", contactB.ID), fmt.Sprintf(`{"contact_id":%d}`, contactA.ID)},
		{"reply to B's item with A's saved reply", http.MethodPost, fmt.Sprintf("/api/v1/inbox/items/%d/replies", pageB.Items[0].ID),
			fmt.Sprintf(`{"saved_reply_id":%d}`, savedA.ID)},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := env.Do(t, tok, c.method, c.path, strings.NewReader(c.body))
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode != 404 && r.StatusCode != 422 {
				t.Errorf("%d, want 404 (or 422): %.300s", r.StatusCode, b)
			}
			for _, secret := range []string{"acme secret", "A's comment", "fanA"} {
				if strings.Contains(string(b), secret) {
					t.Errorf("the answer carries A's %q", secret)
				}
			}
		})
	}
	// Even a member of both (the owner) cannot mix them: one person is one
	// workspace's contact.
	r := env.Do(t, in.tok, http.MethodPost, fmt.Sprintf("/api/v1/contacts/%d/merge", contactB.ID), strings.NewReader(fmt.Sprintf(`{"contact_id":%d}`, contactA.ID)))
	_, _ = io.Copy(io.Discard, r.Body)
	r.Body.Close()
	if r.StatusCode != 404 {
		t.Errorf("the owner merging A's contact into B's: %d, want 404", r.StatusCode)
	}
	r = env.Do(t, in.tok, http.MethodPatch, fmt.Sprintf("/api/v1/workspaces/%d/inbox", wsB.ID), strings.NewReader(fmt.Sprintf(`{"ids":[%d],"status":"done"}`, itemA.ID)))
	_, _ = io.Copy(io.Discard, r.Body)
	r.Body.Close()
	if r.StatusCode != 404 {
		t.Errorf("the owner changing A's item through B: %d, want 404", r.StatusCode)
	}
	if got := in.only(t); got.Status != itemA.Status || len(got.Tags) != 0 {
		t.Errorf("A's item changed: %+v", got)
	}
	if got, err := env.App.Inbox.Item(ctx, owner, pageB.Items[0].ID); err != nil || got.Status != pageB.Items[0].Status {
		t.Errorf("B's item changed with A's in the same selection: %+v %v", got, err)
	}
	if got := contactsOf(wsA.ID)[0]; got.ID != contactA.ID || len(got.Authors) != 1 {
		t.Errorf("A's contact changed: %+v", got)
	}
	if rs, err := env.App.Inbox.Replies(ctx, owner, pageB.Items[0].ConversationID); err != nil || len(rs) != 0 {
		t.Errorf("B's item got replies: %+v %v", rs, err)
	}
}

// Every rule runs on every item stored, inside the ingestion's
// transaction: a workspace holds at most inbox.MaxRules. The next one is
// refused with a reason (in French too), in the API and the use case,
// while the existing rules can still be edited.
func TestWorkspaceRulesAreBounded(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{})
	env, owner, ws := in.env, in.owner, in.ws
	ctx := context.Background()
	rule := func(i int) moderation.Rule {
		return moderation.Rule{Name: fmt.Sprint("rule ", i), Enabled: true,
			Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{fmt.Sprint("word", i)}}},
			Actions:    []moderation.Action{{Kind: moderation.ActTag, Tag: "t"}}}
	}
	var last inbox.StoredRule
	for i := range inbox.MaxRules {
		var err error
		if last, err = env.App.Inbox.SaveRule(ctx, owner, ws.ID, rule(i)); err != nil {
			t.Fatalf("rule %d: %v", i, err)
		}
	}
	r := env.Do(t, in.tok, http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/moderation-rules", ws.ID),
		strings.NewReader(`{"name":"one more","order":0,"enabled":true,"conditions":[{"kind":"keywords","terms":["more"]}],"actions":[{"kind":"hide"}]}`))
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 422 || !strings.Contains(string(b), "at most 100 moderation rules") {
		t.Errorf("rule %d through the API: %d %.300s, want 422 too_many_rules", inbox.MaxRules+1, r.StatusCode, b)
	}
	req := rule(999)
	_, err := env.App.Inbox.SaveRule(ctx, owner, ws.ID, req)
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Code != "too_many_rules" || !strings.HasPrefix(pe.Localized("fr"), "Un espace de travail a au plus 100 règles") {
		t.Errorf("rule %d: %v, want too_many_rules in French too", inbox.MaxRules+1, err)
	}
	if rules, err := env.App.Inbox.Rules(ctx, owner, ws.ID); err != nil || len(rules) != inbox.MaxRules {
		t.Errorf("%d rules %v, want %d", len(rules), err, inbox.MaxRules)
	}
	edit := rule(1000)
	edit.ID = last.ID
	if _, err := env.App.Inbox.SaveRule(ctx, owner, ws.ID, edit); err != nil {
		t.Errorf("editing a rule at the bound: %v", err)
	}
}

// Rows stored before ingestion kept only web addresses (or written by any
// other path) may still hold a javascript: or data: address: the API hands
// out only http(s) ones, for an item, its author, a contact's accounts and
// a reply, so no client renders the network's word as a link.
func TestAPIHandsOutOnlyWebAddresses(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{})
	env, owner, ws, tok, ch := in.env, in.owner, in.ws, in.tok, in.ch
	ctx := context.Background()
	in.ingest(t, network.Item{ExternalID: "ok", Kind: network.KindComment, Ref: network.Ref{ID: "ok", URL: "https://social.example/@fan/1"}, ConversationID: "c",
		Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "hello", CreatedAt: time.Now()})
	first := in.only(t)
	item, err := env.App.Inbox.Item(ctx, owner, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	bad := "javascript:alert(document.cookie)"
	if _, err := env.Store.UpsertInboxAuthor(ctx, store.UpsertInboxAuthorParams{WorkspaceID: ws.ID, Network: ch.Network, ExternalID: "fan", Handle: "fan",
		AvatarURL: "data:image/svg+xml,<svg onload=alert(1)>", URL: bad, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.InsertInboxItem(ctx, store.InsertInboxItemParams{WorkspaceID: ws.ID, ChannelID: ch.ID, Network: ch.Network, ExternalID: "bad",
		Kind: string(network.KindComment), ConversationID: item.ConversationID, RefID: "bad", RefURL: bad, RootURL: bad, AuthorID: item.AuthorID, Text: "hostile",
		Sentiment: "neutral", NetworkCreatedAt: now, Status: "new", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	rp, err := env.App.Inbox.Reply(ctx, owner, item.ID, "our answer")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Store.FinishInboxReply(ctx, store.FinishInboxReplyParams{State: string(inbox.ReplySent), ExternalID: "r1", ExternalURL: bad, UpdatedAt: now, ID: rp.ID}); err != nil {
		t.Fatal(err)
	}
	cs, err := env.App.Contacts.List(ctx, owner, ws.ID, contacts.Filter{})
	if err != nil || len(cs.Contacts) != 1 {
		t.Fatalf("contacts: %+v %v", cs.Contacts, err)
	}
	for _, p := range []string{fmt.Sprintf("/api/v1/workspaces/%d/inbox", ws.ID), fmt.Sprintf("/api/v1/inbox/items/%d", item.ID),
		fmt.Sprintf("/api/v1/inbox/conversations/%d", item.ConversationID), fmt.Sprintf("/api/v1/workspaces/%d/contacts", ws.ID),
		fmt.Sprintf("/api/v1/contacts/%d", cs.Contacts[0].ID), fmt.Sprintf("/api/v1/inbox/replies/%d", rp.ID)} {
		r := env.Do(t, tok, http.MethodGet, p, nil)
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			t.Errorf("%s: %d %.200s", p, r.StatusCode, b)
			continue
		}
		if low := strings.ToLower(string(b)); strings.Contains(low, "javascript:") || strings.Contains(low, "data:image") {
			t.Errorf("%s hands out a hostile address: %.400s", p, b)
		}
	}
	if r := env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/inbox", ws.ID), nil); !strings.Contains(readAll(r), "https://social.example/@fan/1") {
		t.Errorf("the https address of the first item is gone")
	}
}

func readAll(r *http.Response) string {
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return string(b)
}
