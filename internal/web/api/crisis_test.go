package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
)

// The crisis cell through the API: a scenario and its statement, approved;
// an incident opened (publishing paused); the statement published on every
// channel once (the repeat says again); the timeline and the PDF report;
// and another workspace's admin finding none of it under their workspace.
func TestCrisisThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	if _, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "brand"); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/api/v1/workspaces/%d/crisis", ws.ID)
	call := func(method, path, body string, want int) *http.Response {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r := env.Do(t, tok, method, base+path, rd)
		if r.StatusCode != want {
			raw, _ := io.ReadAll(r.Body)
			t.Fatalf("%s %s: %d, want %d: %s", method, path, r.StatusCode, want, raw)
		}
		return r
	}
	sc := decode[struct{ ID int64 }](t, call("POST", "/scenarios", `{"name":"Rappel produit","checklist":["Prévenir le juridique"]}`, 201))
	st := decode[struct{ ID int64 }](t, call("POST", fmt.Sprintf("/scenarios/%d/statements", sc.ID), `{"title":"Attente","texts":{"":"Nous enquêtons."}}`, 201))
	inc := decode[struct{ ID int64 }](t, call("POST", "/incidents", fmt.Sprintf(`{"title":"Rappel","scenario_id":%d}`, sc.ID), 201))
	// Not approved: refused with a clear error in both languages.
	r := call("POST", fmt.Sprintf("/statements/%d/publish", st.ID), "", 409)
	if e := decode[struct {
		Code      string
		MessageFR string `json:"message_fr"`
	}](t, r); !strings.Contains(e.MessageFR, "n'est pas validée") {
		t.Errorf("unapproved statement: %+v", e)
	}
	call("POST", fmt.Sprintf("/statements/%d/approve", st.ID), "", 200)
	pub := decode[struct {
		PostID   int64 `json:"post_id"`
		Channels int
		Again    bool
	}](t, call("POST", fmt.Sprintf("/statements/%d/publish", st.ID), "", 200))
	if pub.Channels != 1 || pub.Again || pub.PostID == 0 {
		t.Errorf("publication %+v", pub)
	}
	again := decode[struct{ Again bool }](t, call("POST", fmt.Sprintf("/statements/%d/publish", st.ID), "", 200))
	if !again.Again {
		t.Error("second publication not reported as again")
	}
	call("POST", fmt.Sprintf("/incidents/%d/checklist", inc.ID), `{"item":0,"done":true}`, 204)
	call("POST", fmt.Sprintf("/incidents/%d/notes", inc.ID), `{"text":"Point presse à 15 h"}`, 204)
	got := decode[struct {
		Timeline       []struct{ Kind, Detail string }
		Checklist      []struct{ Done bool }
		StatementPosts []int64 `json:"statement_posts"`
	}](t, call("GET", fmt.Sprintf("/incidents/%d", inc.ID), "", 200))
	var ks []string
	for _, e := range got.Timeline {
		ks = append(ks, e.Kind)
	}
	if strings.Join(ks, ",") != "opened,pause,approved,statement,check,note" || len(got.Checklist) != 1 || !got.Checklist[0].Done || len(got.StatementPosts) != 1 {
		t.Errorf("incident: %v %+v", ks, got)
	}
	r = call("GET", fmt.Sprintf("/incidents/%d/report.pdf", inc.ID), "", 200)
	raw, _ := io.ReadAll(r.Body)
	if r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(raw), "%PDF-") {
		t.Errorf("report.pdf: %s %.10q", r.Header.Get("Content-Type"), raw)
	}
	call("POST", fmt.Sprintf("/incidents/%d/close", inc.ID), `{}`, 204)

	// Another workspace's admin, under their own workspace, with A's ids.
	wsB, err := auth.CreateWorkspace(ctx, env.Store, owner.OrganizationID, owner.ID, "B", "UTC", ws.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	outsider := env.Member(t, owner, wsB.ID, "outsider@example.test", auth.Admin)
	otok := env.Token(t, outsider)
	for _, c := range []struct{ method, path, body string }{
		{"GET", fmt.Sprintf("/incidents/%d", inc.ID), ""},
		{"GET", fmt.Sprintf("/incidents/%d/report.pdf", inc.ID), ""},
		{"POST", fmt.Sprintf("/incidents/%d/notes", inc.ID), `{"text":"x"}`},
		{"PUT", fmt.Sprintf("/scenarios/%d", sc.ID), `{"name":"x"}`},
		{"POST", fmt.Sprintf("/scenarios/%d/statements", sc.ID), `{"title":"x","texts":{"":"x"}}`},
		{"POST", fmt.Sprintf("/statements/%d/approve", st.ID), ""},
		{"POST", fmt.Sprintf("/statements/%d/publish", st.ID), ""},
		{"DELETE", fmt.Sprintf("/statements/%d", st.ID), ""},
	} {
		var rd io.Reader
		if c.body != "" {
			rd = strings.NewReader(c.body)
		}
		r := env.Do(t, otok, c.method, fmt.Sprintf("/api/v1/workspaces/%d/crisis", wsB.ID)+c.path, rd)
		r.Body.Close()
		if r.StatusCode != 404 {
			t.Errorf("B %s %s: %d, want 404", c.method, c.path, r.StatusCode)
		}
	}
}
