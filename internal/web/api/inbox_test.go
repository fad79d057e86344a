package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/networktest"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// inboxNet is a network whose inbox allows likes and refuses deletion,
// standing in for a connector (the real ones are tested in their packages).
func inboxNet() *networktest.Inbox {
	return networktest.Allowing(map[network.Action]network.Support{network.ActLike: network.Supported,
		network.ActDelete: network.Unsupported("This network does not allow this action.")})
}

type negWords struct{}

func (negWords) Analyze(text string) sentiment.Result {
	if strings.Contains(text, "late") {
		return sentiment.Result{Label: sentiment.Negative, Score: -0.7, Lang: sentiment.English}
	}
	return sentiment.Result{Label: sentiment.Neutral, Lang: sentiment.English}
}

func decode[T any](t *testing.T, r *http.Response) T {
	t.Helper()
	defer r.Body.Close()
	raw, _ := io.ReadAll(r.Body)
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%d %s: %v", r.StatusCode, raw, err)
	}
	return v
}

type itemJSON struct {
	ID             int64    `json:"id"`
	ConversationID int64    `json:"conversation_id"`
	Text           string   `json:"text"`
	Status         string   `json:"status"`
	Sentiment      string   `json:"sentiment"`
	Corrected      bool     `json:"sentiment_corrected"`
	Tags           []string `json:"tags"`
	AssigneeID     *int64   `json:"assignee_id"`
	Priority       int64    `json:"priority"`
}

// The inbox through the API: list with filters and search, bulk and single
// triage, notes, network actions (refused with the network's reason in
// both languages), the conversation and the capabilities; an analyst reads
// and changes nothing.
func TestInboxThroughTheAPI(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{})
	env, owner, ws, tok, ch := in.env, in.owner, in.ws, in.tok, in.ch
	analyst := env.Token(t, env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst))
	netw := inboxNet()
	env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": netw}
	env.App.Inbox.Analyzer = negWords{}
	var items []network.Item
	for i, text := range []string{"Parcel is late again", "Thanks for the quick answer", "Where is my parcel"} {
		id := fmt.Sprintf("n%d", i+1)
		items = append(items, network.Item{ExternalID: id, Kind: network.KindComment, Ref: network.Ref{ID: id}, ConversationID: "root",
			Root: &network.Ref{ID: "root"}, Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: text, CreatedAt: time.Now().Add(time.Duration(i) * time.Minute)})
	}
	in.ingest(t, items...)
	list := func(token, query string) []itemJSON {
		t.Helper()
		r := env.Do(t, token, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/inbox?%s", ws.ID, query), nil)
		if r.StatusCode != 200 {
			t.Fatalf("list %s: %d", query, r.StatusCode)
		}
		return decode[struct {
			Items []itemJSON `json:"items"`
		}](t, r).Items
	}
	all := list(tok, "")
	if len(all) != 3 || all[0].Text != "Where is my parcel" {
		t.Fatalf("list: %+v, want 3 items, newest first", all)
	}
	if got := list(analyst, "q=parcel&sentiment=negative"); len(got) != 1 || got[0].Text != "Parcel is late again" {
		t.Errorf("search and sentiment filter: %+v", got)
	}
	late, thanks := all[2], all[1]

	path := fmt.Sprintf("/api/v1/workspaces/%d/inbox", ws.ID)
	bulk := fmt.Sprintf(`{"ids":[%d,%d],"status":"open","assignee_id":%d,"priority":3,"add_tags":["delivery"]}`, late.ID, all[0].ID, owner.ID)
	if r := env.Do(t, analyst, http.MethodPatch, path, strings.NewReader(bulk)); r.StatusCode != 403 {
		t.Errorf("analyst bulk change: %d, want 403", r.StatusCode)
	}
	if r := env.Do(t, tok, http.MethodPatch, path, strings.NewReader(bulk)); r.StatusCode != 200 {
		t.Fatalf("bulk change: %d", r.StatusCode)
	}
	if got := list(tok, fmt.Sprintf("status=open&assignee_id=%d&tag=delivery", owner.ID)); len(got) != 2 || got[0].Priority != 3 {
		t.Errorf("after the bulk change: %+v", got)
	}

	itemPath := fmt.Sprintf("/api/v1/inbox/items/%d", thanks.ID)
	r := env.Do(t, tok, http.MethodPatch, itemPath, strings.NewReader(`{"sentiment":"positive","status":"done"}`))
	if got := decode[itemJSON](t, r); got.Sentiment != "positive" || !got.Corrected || got.Status != "done" {
		t.Errorf("item change: %+v", got)
	}
	if r := env.Do(t, tok, http.MethodPost, itemPath+"/notes", strings.NewReader(`{"body":"Happy customer"}`)); r.StatusCode != 201 {
		t.Errorf("note: %d", r.StatusCode)
	}
	if r := env.Do(t, analyst, http.MethodPost, itemPath+"/notes", strings.NewReader(`{"body":"x"}`)); r.StatusCode != 403 {
		t.Errorf("analyst note: %d, want 403", r.StatusCode)
	}

	if r := env.Do(t, tok, http.MethodPost, itemPath+"/actions", strings.NewReader(`{"action":"like"}`)); r.StatusCode != 200 {
		t.Errorf("like: %d", r.StatusCode)
	}
	r = env.Do(t, tok, http.MethodPost, itemPath+"/actions", strings.NewReader(`{"action":"delete"}`))
	refused := decode[struct {
		Code, Message string
		FR            string `json:"message_fr"`
	}](t, r)
	if r.StatusCode != 409 || refused.Code != "action_unsupported" || refused.Message != "This network does not allow this action." || refused.FR == "" || refused.FR == refused.Message {
		t.Errorf("delete: %d %+v, want 409 with the reason in English and French", r.StatusCode, refused)
	}
	if r := env.Do(t, analyst, http.MethodPost, itemPath+"/actions", strings.NewReader(`{"action":"like"}`)); r.StatusCode != 403 {
		t.Errorf("analyst like: %d, want 403", r.StatusCode)
	}
	if acts := netw.Acts(); len(acts) != 1 || acts[0] != "like n2" {
		t.Errorf("network saw %v, want one like", acts)
	}

	r = env.Do(t, analyst, http.MethodGet, fmt.Sprintf("/api/v1/inbox/conversations/%d", thanks.ConversationID), nil)
	conv := decode[struct {
		Items   []itemJSON `json:"items"`
		Notes   []struct{ Body string }
		Actions []struct {
			Action, Result string
		}
		Capabilities struct {
			Actions map[string]struct {
				OK     bool
				Reason string
			}
		}
	}](t, r)
	if len(conv.Items) != 3 || len(conv.Notes) != 1 || len(conv.Actions) < 8 || !conv.Capabilities.Actions["like"].OK || conv.Capabilities.Actions["delete"].OK ||
		conv.Capabilities.Actions["delete"].Reason == "" || conv.Capabilities.Actions["block"].OK {
		t.Errorf("conversation: %+v", conv)
	}
	r = env.Do(t, analyst, http.MethodGet, fmt.Sprintf("/api/v1/channels/%d/inbox-capabilities", ch.ID), nil)
	caps := decode[struct {
		Inbox bool
		Kinds map[string]struct{ OK bool }
	}](t, r)
	if !caps.Inbox || !caps.Kinds["comment"].OK || caps.Kinds["review"].OK {
		t.Errorf("capabilities: %+v", caps)
	}
}
