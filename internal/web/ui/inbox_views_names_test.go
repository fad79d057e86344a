package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/network"
)

// A view saved through the API with the API's filter names (channel_id,
// assignee_id, unassigned) is stored under the list page's names, and
// lists the same items opened in the UI and given to the API's list.
func TestAViewSavedWithTheAPINamesOpensInTheUIAndTheAPI(t *testing.T) {
	t.Parallel()
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			viewWithAPINames(t, apptest.Start(t, apptest.Options{Postgres: db == "postgres"}))
		})
	}
}

func viewWithAPINames(t *testing.T, env *apptest.Env) {
	ctx := context.Background()
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	colleague := env.Member(t, owner, ws.ID, "colleague@example.test", auth.Admin)
	var chs []int64
	ids := map[string]int64{}
	for _, name := range []string{"alpha", "beta"} {
		ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		chs = append(chs, ch.ID)
		for _, who := range []string{"mine", "nobody"} {
			ext := name + "-" + who
			if _, err := env.App.Inbox.Ingest(ctx, ch, []network.Item{{ExternalID: ext, Kind: network.KindComment, Ref: network.Ref{ID: ext},
				ConversationID: ext, Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: ext, CreatedAt: time.Now()}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	page, err := env.App.Inbox.List(ctx, owner, ws.ID, inbox.Filter{})
	if err != nil || len(page.Items) != 4 {
		t.Fatal(page, err)
	}
	for _, it := range page.Items {
		ids[it.Text] = it.ID
		if strings.HasSuffix(it.Text, "-mine") {
			if err := env.App.Inbox.Update(ctx, owner, ws.ID, []int64{it.ID}, inbox.Change{Assignee: &colleague.ID}); err != nil {
				t.Fatal(err)
			}
		}
	}
	b := newBrowser(t, env, owner.Email)
	for _, c := range []struct {
		name, query, stored, want string
	}{
		{"channel_id and assignee_id", fmt.Sprintf("channel_id=%d&assignee_id=%d", chs[0], colleague.ID),
			fmt.Sprintf("assignee=%d&channel=%d", colleague.ID, chs[0]), "alpha-mine"},
		{"channel_id and unassigned", fmt.Sprintf("channel_id=%d&unassigned=true", chs[1]),
			fmt.Sprintf("assignee=none&channel=%d", chs[1]), "beta-nobody"},
		{"the page's own names", fmt.Sprintf("channel=%d&assignee=none", chs[0]),
			fmt.Sprintf("assignee=none&channel=%d", chs[0]), "alpha-nobody"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"name": c.name, "query": c.query})
			r := env.Do(t, tok, http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/inbox/views", ws.ID), strings.NewReader(string(body)))
			var v struct {
				ID    int64  `json:"id"`
				Query string `json:"query"`
			}
			if err := json.NewDecoder(r.Body).Decode(&v); err != nil || r.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %v", r.StatusCode, err)
			}
			if v.Query != c.stored {
				t.Errorf("stored query: got %q, want %q", v.Query, c.stored)
			}
			// The UI: the view's link leads to the list with its filters.
			resp := b.do(http.MethodGet, fmt.Sprintf("/w/%d/inbox/views/%d", ws.ID, v.ID), nil)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("open the view: %d, want 303", resp.StatusCode)
			}
			resp = b.do(http.MethodGet, resp.Header.Get("Location"), nil)
			html := readBody(resp)
			for text, id := range ids {
				shown := strings.Contains(html, fmt.Sprintf(`data-testid="inbox-item-%d"`, id))
				if shown != (text == c.want) {
					t.Errorf("UI (%d): item %s shown %v, want only %s", resp.StatusCode, text, shown, c.want)
				}
			}
			// The API: the view's query given to the list as it is.
			r = env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/inbox?%s", ws.ID, v.Query), nil)
			var got struct {
				Items []struct {
					ID int64 `json:"id"`
				} `json:"items"`
			}
			if err := json.NewDecoder(r.Body).Decode(&got); err != nil || r.StatusCode != http.StatusOK {
				t.Fatalf("API list: %d %v", r.StatusCode, err)
			}
			if len(got.Items) != 1 || got.Items[0].ID != ids[c.want] {
				t.Errorf("API list of %q: %+v, want only %s (%d)", v.Query, got.Items, c.want, ids[c.want])
			}
		})
	}
	// Two names for one filter that disagree: refused, naming both.
	body := fmt.Sprintf(`{"name":"both","query":"channel=%d&channel_id=%d"}`, chs[0], chs[1])
	if r := env.Do(t, tok, http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/inbox/views", ws.ID), strings.NewReader(body)); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a view with channel and channel_id that differ: %d, want 422", r.StatusCode)
	}
	if r := env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/inbox?channel=%d&channel_id=%d", ws.ID, chs[0], chs[1]), nil); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a list with channel and channel_id that differ: %d, want 422", r.StatusCode)
	}
}
