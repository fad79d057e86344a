package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// Who may do what to a contact, written out by hand (issue 14 §6) rather
// than derived from the code under test: every role reads; the roles that
// triage the inbox flag; only owners and admins export or erase a person's
// data (GDPR).
var (
	mayFlagContact = []auth.Role{auth.Owner, auth.Admin, auth.SocialMediaMgr, auth.CommunityMgr, auth.Contributor}
	mayGDPR        = []auth.Role{auth.Owner, auth.Admin}
)

// TestWhoMayExportAndEraseAContact walks reading, flagging, exporting and
// erasing a contact, through the API and the UI, as every role; each case
// has a person of its own, and the database says whether it happened.
func TestWhoMayExportAndEraseAContact(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acct")
	if err != nil {
		t.Fatal(err)
	}
	type actor struct {
		user           store.User
		token, session string
	}
	actors := map[auth.Role]actor{}
	for _, role := range auth.Roles {
		u := owner
		if role != auth.Owner {
			u = env.Member(t, owner, ws.ID, string(role)+"@example.test", role)
		}
		sess, _, err := env.App.Auth.Login(ctx, u.Email, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		actors[role] = actor{u, env.Token(t, u), sess}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	n := 0
	// person makes a contact with one item, and returns it.
	person := func(t *testing.T) contacts.Contact {
		n++
		handle := fmt.Sprintf("person%d", n)
		if _, err := env.App.Inbox.Ingest(ctx, ch, []network.Item{{ExternalID: handle, Kind: network.KindMention, Text: "hello from " + handle,
			Author: network.Author{ExternalID: handle, Handle: handle}, CreatedAt: time.Now()}}); err != nil {
			t.Fatal(err)
		}
		p, err := env.App.Contacts.List(ctx, owner, ws.ID, contacts.Filter{Query: handle})
		if err != nil || len(p.Contacts) != 1 {
			t.Fatalf("%s's contact: %+v %v", handle, p, err)
		}
		return p.Contacts[0]
	}
	uiDo := func(t *testing.T, a actor, method, path string, form url.Values) (int, string) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, env.Server.URL+path, body)
		req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: a.session})
		req.Header.Set("Origin", env.Server.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	apiDo := func(t *testing.T, a actor, method, path, body string) (int, string) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		resp := env.Do(t, a.token, method, path, rd)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	cpath := func(c contacts.Contact) string { return fmt.Sprintf("/w/%d/contacts/%d", ws.ID, c.ID) }

	type check struct {
		name string
		may  []auth.Role
		// do acts as a through a surface and returns the status and body.
		api, ui func(t *testing.T, a actor, c contacts.Contact) (int, string)
		// happened reads the database (or the answer) to tell whether it worked.
		happened func(t *testing.T, c contacts.Contact, body string) bool
	}
	get := func(t *testing.T, id int64) contacts.Contact {
		c, err := env.App.Contacts.Contact(ctx, owner, id)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	checks := []check{
		{name: "read", may: auth.Roles,
			api: func(t *testing.T, a actor, c contacts.Contact) (int, string) {
				return apiDo(t, a, "GET", fmt.Sprintf("/api/v1/contacts/%d", c.ID), "")
			},
			ui: func(t *testing.T, a actor, c contacts.Contact) (int, string) { return uiDo(t, a, "GET", cpath(c), nil) },
			happened: func(t *testing.T, c contacts.Contact, body string) bool {
				return strings.Contains(body, "hello from "+c.Authors[0].Handle)
			}},
		{name: "flag", may: mayFlagContact,
			api: func(t *testing.T, a actor, c contacts.Contact) (int, string) {
				return apiDo(t, a, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", c.ID), `{"vip":true}`)
			},
			ui: func(t *testing.T, a actor, c contacts.Contact) (int, string) {
				return uiDo(t, a, "POST", cpath(c), url.Values{"flags": {"1"}, "vip": {"on"}})
			},
			happened: func(t *testing.T, c contacts.Contact, _ string) bool { return get(t, c.ID).Vip }},
		{name: "export", may: mayGDPR,
			api: func(t *testing.T, a actor, c contacts.Contact) (int, string) {
				return apiDo(t, a, "GET", fmt.Sprintf("/api/v1/contacts/%d/gdpr-export", c.ID), "")
			},
			ui: func(t *testing.T, a actor, c contacts.Contact) (int, string) {
				return uiDo(t, a, "GET", cpath(c)+"/export", nil)
			},
			happened: func(t *testing.T, c contacts.Contact, body string) bool {
				return strings.Contains(body, "hello from "+c.Authors[0].Handle) &&
					(strings.Contains(body, `"action": "export"`) || strings.Contains(body, `"action":"export"`))
			}},
		{name: "erase", may: mayGDPR,
			api: func(t *testing.T, a actor, c contacts.Contact) (int, string) {
				return apiDo(t, a, "POST", fmt.Sprintf("/api/v1/contacts/%d/erase", c.ID), "")
			},
			ui: func(t *testing.T, a actor, c contacts.Contact) (int, string) {
				return uiDo(t, a, "POST", cpath(c)+"/erase", url.Values{"confirm": {"yes"}})
			},
			happened: func(t *testing.T, c contacts.Contact, _ string) bool { return get(t, c.ID).Erased() }},
	}
	for _, ck := range checks {
		for _, role := range auth.Roles {
			for _, via := range []string{"api", "ui"} {
				t.Run(ck.name+"/"+string(role)+"/"+via, func(t *testing.T) {
					c := person(t)
					do := ck.api
					if via == "ui" {
						do = ck.ui
					}
					status, body := do(t, actors[role], c)
					allowed := slices.Contains(ck.may, role)
					if got := ck.happened(t, c, body); got != allowed {
						t.Fatalf("%s as %s via %s: happened %v (status %d), want %v", ck.name, role, via, got, status, allowed)
					}
					if !allowed && status != http.StatusForbidden {
						t.Errorf("refused with %d, want 403", status)
					}
				})
			}
		}
	}
	// The UI asks for a confirmation before erasing.
	c := person(t)
	if status, _ := uiDo(t, actors[auth.Owner], "POST", cpath(c)+"/erase", url.Values{}); status != http.StatusUnprocessableEntity || get(t, c.ID).Erased() {
		t.Errorf("an unconfirmed erasure: %d, erased %v; want 422 and nothing erased", status, get(t, c.ID).Erased())
	}
}
