package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/networktest"
)

// A contact's list line and page say how many messages the person wrote in
// words the reader uses ("1 message", "2 messages", never "1 éléments"), give
// the contact's number the merge form asks for, and name the network as
// people write it.
func TestContactsCountMessagesAndShowTheirNumber(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		now := time.Now().UTC()
		one := fanComment("c1", "Bonjour !", now.Add(-2*time.Minute))
		one.Author.ExternalID, one.Author.Handle = "solo", "solo"
		one.ConversationID = "other"
		f.ingest(t, fanComment("c2", "Premier", now.Add(-3*time.Minute)), fanComment("c3", "Second", now.Add(-time.Minute)), one)
		page, err := env.App.Contacts.List(context.Background(), f.owner, f.ws.ID, contacts.Filter{})
		if err != nil || len(page.Contacts) != 2 {
			t.Fatalf("contacts: %d, %v; want 2", len(page.Contacts), err)
		}
		b := newBrowser(t, env, f.owner.Email)
		list := readBody(b.do(http.MethodGet, fmt.Sprintf("/w/%d/contacts", f.ws.ID), nil))
		for _, c := range page.Contacts {
			want := fmt.Sprintf("n° %d · %d message", c.ID, c.ItemCount)
			if c.ItemCount > 1 {
				want += "s"
			}
			if !strings.Contains(list, want) {
				t.Errorf("contacts list lacks %q for %s", want, c.Authors[0].Handle)
			}
			page := readBody(b.do(http.MethodGet, fmt.Sprintf("/w/%d/contacts/%d", f.ws.ID, c.ID), nil))
			if want := "Contact " + want; !strings.Contains(page, want) {
				t.Errorf("contact page lacks %q", want)
			}
			if !strings.Contains(page, ">Sandbox</span>") {
				t.Errorf("contact page %d names its network by its key, want Sandbox", c.ID)
			}
		}
		if strings.Contains(list, "éléments") {
			t.Error("the contacts list still counts “éléments”")
		}
	})
}

// A refused rule or saved reply comes back as typed, with what to correct
// named as the form names it, in the reader's language; nothing is saved.
// With no saved reply yet, the page says what they are for.
func TestModerationRefusalKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		b := newBrowser(t, env, f.owner.Email)
		page := fmt.Sprintf("/w/%d/moderation", f.ws.ID)
		if body := readBody(b.do(http.MethodGet, page, nil)); !strings.Contains(body, `data-testid="no-saved-replies"`) || !strings.Contains(body, "Aucune réponse enregistrée") {
			t.Error("with no saved reply, the page says nothing of them")
		}
		for _, do := range []string{"save", "try"} {
			resp := b.do(http.MethodPost, page+"/rules", url.Values{"name": {"Colère en majuscules"}, "order": {"3"}, "enabled": {"1"},
				"cond_kind_0": {"keywords"}, "cond_value_0": {"remboursement, arnaque"}, "cond_kind_1": {"regex"}, "cond_value_1": {"(rembours"},
				"act_kind_0": {"tag"}, "act_value_0": {"colere"}, "do": {do}})
			body := readBody(resp)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422", do, resp.StatusCode)
			}
			for _, want := range []string{`value="Colère en majuscules"`, `value="remboursement, arnaque"`, `value="(rembours"`, `value="colere"`, `value="3"`,
				"Condition 2 — ", "parenthèse"} {
				if !strings.Contains(body, want) {
					t.Errorf("%s: the refused rule's page lacks %q", do, want)
				}
			}
		}
		if rules, err := env.App.Inbox.Rules(context.Background(), f.owner, f.ws.ID); err != nil || len(rules) != 0 {
			t.Errorf("rules after the refusals: %d, %v; want none", len(rules), err)
		}
		resp := b.do(http.MethodPost, page+"/replies", url.Values{"name": {"Retard de livraison"}, "body": {"Bonjour {prenom}, désolés du retard !"}, "do": {"save"}})
		body := readBody(resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="Retard de livraison"`) || !strings.Contains(body, "Bonjour {prenom}, désolés du retard !") || !strings.Contains(body, "{prenom}") {
			t.Errorf("refused saved reply (%d): the form lost what was typed or says nothing", resp.StatusCode)
		}
		if !strings.Contains(body, "Variable inconnue") {
			t.Error("the refused saved reply does not say why in French")
		}
	})
}

// Refused response-target settings come back as typed (target, days, hours,
// even an hour that is no hour), with why in French; the saved ones stay.
func TestResponseTargetRefusalKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		b := newBrowser(t, env, f.owner.Email)
		page := fmt.Sprintf("/w/%d/inbox/sla", f.ws.ID)
		for _, c := range []struct {
			name, open, close, want string
		}{
			{"closes before it opens", "19:00", "08:00", "L’heure d’ouverture doit précéder"},
			{"no such hour", "09:00", "25:00", "25:00"},
		} {
			resp := b.do(http.MethodPost, page, url.Values{"enabled": {"1"}, "target_hours": {"3.5"}, "day": {"1", "3"}, "open": {c.open}, "close": {c.close}})
			body := readBody(resp)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422", c.name, resp.StatusCode)
			}
			for _, want := range []string{`data-testid="inbox-sla-form"`, `value="3.5"`, `value="` + c.open + `"`, `value="` + c.close + `"`,
				`value="3" checked`, c.want, "Europe/Paris", `data-testid="form-errors"`} {
				if !strings.Contains(body, want) {
					t.Errorf("%s: the refused settings' page lacks %q", c.name, want)
				}
			}
			if strings.Contains(body, `value="2" checked`) {
				t.Errorf("%s: Tuesday, left unticked, comes back ticked", c.name)
			}
		}
		saved, err := env.App.Inbox.SLA(context.Background(), f.owner, f.ws.ID)
		if err != nil || saved.Enabled {
			t.Errorf("after the refusals the target is on (%v): want the saved settings kept", err)
		}
	})
}

// Merging with a number that is no contact of the workspace keeps the
// contact's page and the typed number, and says where numbers are shown;
// the number as the list writes it ("n° 12") merges.
func TestContactMergeWithAnUnknownNumberKeepsThePage(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		now := time.Now().UTC()
		other := fanComment("c2", "Re-bonjour", now)
		other.Author.ExternalID, other.Author.Handle, other.ConversationID = "fan2", "fan2", "other"
		f.ingest(t, fanComment("c1", "Bonjour", now.Add(-time.Minute)), other)
		page, err := env.App.Contacts.List(context.Background(), f.owner, f.ws.ID, contacts.Filter{})
		if err != nil || len(page.Contacts) != 2 {
			t.Fatalf("contacts: %d, %v; want 2", len(page.Contacts), err)
		}
		into, from := page.Contacts[0], page.Contacts[1]
		b := newBrowser(t, env, f.owner.Email)
		merge := fmt.Sprintf("/w/%d/contacts/%d/merge", f.ws.ID, into.ID)
		for _, typed := range []string{"99999", "abc"} {
			resp := b.do(http.MethodPost, merge, url.Values{"other": {typed}})
			body := readBody(resp)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="contact"`) || !strings.Contains(body, `value="`+typed+`"`) ||
				!strings.Contains(body, "Aucun contact n° "+typed+" dans cet espace de travail") {
				t.Errorf("merge with %q (%d): the page, the typed number or the French reason is missing", typed, resp.StatusCode)
			}
		}
		if resp := b.do(http.MethodPost, merge, url.Values{"other": {fmt.Sprintf("n° %d", from.ID)}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("merge with “n° %d”: status %d, want 303", from.ID, resp.StatusCode)
		}
		if page, err := env.App.Contacts.List(context.Background(), f.owner, f.ws.ID, contacts.Filter{}); err != nil || len(page.Contacts) != 1 {
			t.Errorf("contacts after the merge: %d, %v; want 1", len(page.Contacts), err)
		}
	})
}

// A conversation offers one half of each pair it knows the state of: Hide
// or Unhide as the item is, Like until liked from Tribune, then Unlike.
func TestConversationOffersHideOrUnhideNotBoth(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": networktest.Allowing(map[network.Action]network.Support{
			network.ActLike: network.Supported, network.ActUnlike: network.Supported, network.ActHide: network.Supported, network.ActUnhide: network.Supported})}
		it, conv, itemPath := f.only(t, fanComment("c1", "Bonjour", time.Now().UTC()))
		b := newBrowser(t, env, f.owner.Email)
		offers := func(step string, want, not []string) {
			t.Helper()
			body := readBody(b.do(http.MethodGet, conv, nil))
			for _, a := range want {
				if !strings.Contains(body, fmt.Sprintf(`data-testid="act-%s-%d"`, a, it.ID)) {
					t.Errorf("%s: no %s button", step, a)
				}
			}
			for _, a := range not {
				if strings.Contains(body, fmt.Sprintf(`data-testid="act-%s-%d"`, a, it.ID)) {
					t.Errorf("%s: a %s button that would change nothing", step, a)
				}
			}
		}
		offers("new item", []string{"like", "hide"}, []string{"unlike", "unhide"})
		for _, a := range []string{"like", "hide"} {
			if resp := b.do(http.MethodPost, itemPath+"/act", url.Values{"action": {a}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: status %d", a, resp.StatusCode)
			}
		}
		offers("liked and hidden", []string{"unlike", "unhide"}, []string{"like", "hide"})
		if resp := b.do(http.MethodPost, itemPath+"/act", url.Values{"action": {"unhide"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("unhide: status %d", resp.StatusCode)
		}
		offers("shown again", []string{"unlike", "hide"}, []string{"like", "unhide"})
	})
}

// The response-time report of a workspace where nobody answered yet says
// what fills its tables, in French; once an item is answered it says no more.
func TestResponseReportSaysWhatFillsItWhileEmpty(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		it, _, _ := f.only(t, fanComment("c1", "Bonjour", time.Now().UTC().Add(-time.Hour)))
		b := newBrowser(t, env, f.owner.Email)
		report := fmt.Sprintf("/w/%d/inbox/report", f.ws.ID)
		if body := readBody(b.do(http.MethodGet, report, nil)); !strings.Contains(body, `data-testid="inbox-report-empty"`) || !strings.Contains(body, "Une réponse compte quand") {
			t.Error("an empty report does not say what fills it")
		}
		if err := env.App.Inbox.MarkResponded(context.Background(), f.owner, it.ID); err != nil {
			t.Fatal(err)
		}
		if body := readBody(b.do(http.MethodGet, report, nil)); strings.Contains(body, `data-testid="inbox-report-empty"`) {
			t.Error("the report still says it is empty after an answer")
		}
	})
}

// "Apply" with nothing ticked, or a saved view with a blank name, keeps the
// inbox as it was filtered and says why in French (the view's name as
// typed), instead of a page with only the error.
func TestInboxRefusalsKeepTheList(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		it, _, _ := f.only(t, fanComment("c1", "Bonjour", time.Now().UTC()))
		b := newBrowser(t, env, f.owner.Email)
		inboxPath := fmt.Sprintf("/w/%d/inbox", f.ws.ID)
		for _, c := range []struct {
			name, path string
			form       url.Values
			want       []string
		}{
			{"apply with nothing ticked", inboxPath + "/bulk", url.Values{"return": {"status=new&q=Bonjour"}, "status": {"done"}},
				[]string{"Sélectionnez entre 1 et 500 messages."}},
			{"a view with a blank name", inboxPath + "/views", url.Values{"query": {"status=new&q=Bonjour"}, "name": {"   "}},
				[]string{"Le nom d&#39;une vue compte de 1 à 80 caractères.", `value="   "`, `<details class="inbox-tools" open`}},
		} {
			resp := b.do(http.MethodPost, c.path, c.form)
			body := readBody(resp)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422", c.name, resp.StatusCode)
			}
			want := append([]string{`data-testid="inbox"`, `flash flash-error`, fmt.Sprintf(`data-testid="inbox-item-%d"`, it.ID), `value="Bonjour"`,
				`hx-get="/w/` + fmt.Sprint(f.ws.ID) + `/inbox?`}, c.want...)
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: the page lacks %q", c.name, w)
				}
			}
		}
		got, err := env.App.Inbox.Item(context.Background(), f.owner, it.ID)
		if err != nil || got.Status != "new" {
			t.Errorf("item after the refusals: %q, %v; want new", got.Status, err)
		}
	})
}
