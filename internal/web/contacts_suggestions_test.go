package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// TestSuggestionsPageThroughAPIAndUI walks every page of suggested merges
// through the API (next_after) and the contacts page (« Plus de
// suggestions »): each pair once, none missing, a bad cursor refused.
func TestSuggestionsPageThroughAPIAndUI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	// 130 people with an account on two networks each: 130 pairs by name
	// (and by handle), more than two pages.
	const people = 130
	var rows []store.AuthorRow
	for i := range people {
		for _, nw := range []string{"mastodon", "bluesky"} {
			rows = append(rows, store.AuthorRow{WorkspaceID: ws.ID, Network: nw, ExternalID: fmt.Sprint(nw, i),
				Handle: fmt.Sprintf("person%03d", i), DisplayName: fmt.Sprintf("Person %03d", i), UpdatedAt: store.RowTime(time.Now())})
		}
	}
	if _, err := env.Store.UpsertInboxAuthors(ctx, store.Rows(rows)); err != nil {
		t.Fatal(err)
	}
	token := env.Token(t, owner)

	type page struct {
		Suggestions []struct {
			A, B   struct{ ID int64 }
			Reason string
		}
		NextAfter string `json:"next_after"`
	}
	seen := map[string]bool{}
	pages := 0
	for after := ""; ; {
		resp := env.Do(t, token, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/contacts/suggestions?after=%s", ws.ID, url.QueryEscape(after)), nil)
		var p page
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d: %d %v", pages, resp.StatusCode, err)
		}
		resp.Body.Close()
		pages++
		for _, s := range p.Suggestions {
			k := fmt.Sprint(s.A.ID, "-", s.B.ID)
			if seen[k] {
				t.Fatalf("pair %s listed twice (page %d)", k, pages)
			}
			seen[k] = true
		}
		if p.NextAfter == "" {
			break
		}
		after = p.NextAfter
	}
	if len(seen) != people || pages < 3 {
		t.Fatalf("API: %d pairs over %d pages, want %d pairs over 3 pages or more", len(seen), pages, people)
	}
	resp := env.Do(t, token, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/contacts/suggestions?after=nonsense", ws.ID), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a made-up cursor: status %d, want 422", resp.StatusCode)
	}

	// The contacts page, in French, follows its « Plus de suggestions » link.
	sess, _, err := env.App.Auth.Login(ctx, owner.Email, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	more := regexp.MustCompile(`href="([^"]+)" data-testid="more-suggestions"`)
	pair := regexp.MustCompile(`data-testid="suggestion-(\d+-\d+)"`)
	uiSeen := map[string]bool{}
	path := fmt.Sprintf("/w/%d/contacts", ws.ID)
	for uiPages := 0; path != ""; uiPages++ {
		if uiPages > 10 {
			t.Fatal("the contacts page never stops offering more suggestions")
		}
		req, _ := http.NewRequest(http.MethodGet, env.Server.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: sess})
		req.Header.Set("Accept-Language", "fr")
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.StatusCode)
		}
		for _, m := range pair.FindAllStringSubmatch(string(b), -1) {
			uiSeen[m[1]] = true
		}
		path = ""
		if m := more.FindStringSubmatch(string(b)); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	if len(uiSeen) != people {
		t.Errorf("UI: %d pairs reached through « Plus de suggestions », want %d", len(uiSeen), people)
	}
}
