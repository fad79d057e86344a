package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/contacts"
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
