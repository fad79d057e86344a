package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/listen/listentest"
	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// TestEveryRouteRefusesOtherWorkspaces walks every operation of the OpenAPI
// document as an admin of workspace B, aimed at the resources of workspace A,
// and expects a refusal. A new route that is not listed here fails the test,
// so nobody can add one without deciding how it is protected.
func TestEveryRouteRefusesOtherWorkspaces(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, wsA := env.Owner(t)
	wsB, err := auth.CreateWorkspace(ctx, env.Store, owner.OrganizationID, owner.ID, "B", "UTC", wsA.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	outsider := env.Member(t, owner, wsB.ID, "outsider@example.test", auth.Admin)
	tok := env.Token(t, outsider)

	// Resources of A.
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, wsA.ID, "a")
	if err != nil {
		t.Fatal(err)
	}
	m, err := env.App.Media.Upload(ctx, owner, wsA.ID, "p.png", strings.NewReader(pngBytes), "alt", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.App.Posts.Save(ctx, owner, wsA.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "secret plan"}}}, posts.Submit)
	if err != nil {
		t.Fatal(err)
	}
	// A moderation rule of A that acts on the item below, and a saved reply.
	rule, err := env.App.Inbox.SaveRule(ctx, owner, wsA.ID, moderation.Rule{Name: "Urgent", Enabled: true,
		Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{"plan"}}},
		Actions:    []moderation.Action{{Kind: moderation.ActPriority, Priority: moderation.PriorityUrgent}}})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := env.App.Inbox.SaveReply(ctx, owner, wsA.ID, 0, "Thanks", "Thanks {name}")
	if err != nil {
		t.Fatal(err)
	}
	view, err := env.App.Inbox.SaveView(ctx, owner, wsA.ID, "Angry", "sentiment=negative", true)
	if err != nil {
		t.Fatal(err)
	}
	// An inbox item of A (a comment under A's post), read through the app.
	if _, err := env.App.Inbox.Ingest(ctx, ch, []network.Item{{ExternalID: "in-1", Kind: network.KindComment, Text: "secret plan reply",
		Author: network.Author{ExternalID: "fan"}, CreatedAt: wsA.CreatedAt}}); err != nil {
		t.Fatal(err)
	}
	inboxPage, err := env.App.Inbox.List(ctx, owner, wsA.ID, inbox.Filter{})
	if err != nil || len(inboxPage.Items) != 1 {
		t.Fatalf("A's inbox: %+v %v", inboxPage, err)
	}
	item := inboxPage.Items[0]
	ruleActs, err := env.App.Inbox.RuleActions(ctx, owner, item.ID)
	if err != nil || len(ruleActs) != 1 {
		t.Fatalf("A's rule actions: %+v %v", ruleActs, err)
	}
	// The item's author's contact (contacts are made when first looked at).
	contactPage, err := env.App.Contacts.List(ctx, owner, wsA.ID, contacts.Filter{})
	if err != nil || len(contactPage.Contacts) != 1 {
		t.Fatalf("A's contacts: %+v %v", contactPage, err)
	}
	contact := contactPage.Contacts[0]
	sentReply, err := env.App.Inbox.Reply(ctx, owner, item.ID, "secret plan answer")
	if err != nil {
		t.Fatal(err)
	}
	ownerTok, _, err := env.App.Auth.CreateAPIToken(ctx, owner, "owner's", nil)
	if err != nil {
		t.Fatal(err)
	}
	ownerToks, err := env.App.Auth.ListAPITokens(ctx, owner)
	if err != nil || len(ownerToks) != 1 {
		t.Fatalf("owner's tokens: %v %v", ownerToks, err)
	}
	hook, _, err := env.App.Webhooks.Create(ctx, owner, wsA.ID, webhooks.Input{URL: "https://hooks.example.com/a", Events: []webhooks.EventType{webhooks.InboxRuleAction}})
	if err != nil {
		t.Fatal(err)
	}
	// Listening in A: topics, a query, a Sandbox source, a mention, an
	// alert rule that has fired.
	lfx := listentest.Build(t, env, owner, wsA.ID, listentest.Names{Topic: "Secret plan", Query: "secret AND plan", Source: "Secret plan stream",
		MentionTopic: "Secret plan buzz", Mention: "secret plan mention", Author: "secretplanauthor", Term: "secretplanterm",
		AlertTopic: "Marque", AlertRule: "Pic secret plan"})
	ltopic, lquery, lsource, alertRule, alert := lfx.Topic, lfx.Query, lfx.Source, lfx.Rule, lfx.Alert
	ids := map[string]string{"ws": fmt.Sprint(wsA.ID), "user": fmt.Sprint(owner.ID), "token": "not-a-token"}
	idFor := func(path string) string {
		switch {
		case strings.HasPrefix(path, "/v1/posts/"):
			return fmt.Sprint(v.Post.ID)
		case strings.HasPrefix(path, "/v1/channels/"):
			return fmt.Sprint(ch.ID)
		case strings.HasPrefix(path, "/v1/media/"):
			return fmt.Sprint(m.ID)
		case strings.HasPrefix(path, "/v1/variants/"):
			return fmt.Sprint(v.Variants[0].ID)
		case strings.HasPrefix(path, "/v1/tokens/"):
			return fmt.Sprint(ownerToks[0].ID)
		case strings.HasPrefix(path, "/v1/inbox/items/"):
			return fmt.Sprint(item.ID)
		case strings.HasPrefix(path, "/v1/inbox/replies/"):
			return fmt.Sprint(sentReply.ID)
		case strings.HasPrefix(path, "/v1/inbox/conversations/"):
			return fmt.Sprint(item.ConversationID)
		case strings.Contains(path, "/webhooks/"):
			return fmt.Sprint(hook.ID)
		case strings.HasPrefix(path, "/v1/moderation-rules/"):
			return fmt.Sprint(rule.ID)
		case strings.HasPrefix(path, "/v1/inbox/rule-actions/"):
			return fmt.Sprint(ruleActs[0].ID)
		case strings.Contains(path, "/saved-replies/"):
			return fmt.Sprint(reply.ID)
		case strings.HasPrefix(path, "/v1/contacts/"):
			return fmt.Sprint(contact.ID)
		case strings.HasPrefix(path, "/v1/inbox/views/"):
			return fmt.Sprint(view.ID)
		case strings.Contains(path, "/listen/topics/"):
			return fmt.Sprint(ltopic.ID)
		case strings.Contains(path, "/listen/queries/"):
			return fmt.Sprint(lquery.ID)
		case strings.Contains(path, "/listen/sources/"):
			return fmt.Sprint(lsource.ID)
		case strings.Contains(path, "/listen/alert-rules/"):
			return fmt.Sprint(alertRule.ID)
		case strings.Contains(path, "/listen/alerts/"):
			return fmt.Sprint(alert.ID)
		}
		return "1"
	}

	// Operations that are not about one workspace, and what they must answer.
	global := map[string]func(t *testing.T, status int, body string){
		"setup": func(t *testing.T, status int, _ string) { wantOneOf(t, status, 409, 422) },
		"create-token": func(t *testing.T, status int, _ string) {
			wantOneOf(t, status, 401, 422)
		},
		"me": func(t *testing.T, status int, body string) {
			if status != 200 || !strings.Contains(body, "outsider@example.test") {
				t.Errorf("me: %d %s", status, body)
			}
		},
		"list-workspaces": func(t *testing.T, status int, body string) {
			if status != 200 || strings.Contains(body, fmt.Sprintf(`"id":%d,`, wsA.ID)) {
				t.Errorf("list-workspaces shows workspace A to an outsider: %d %s", status, body)
			}
		},
		"create-workspace":  func(t *testing.T, status int, _ string) { wantOneOf(t, status, 403, 422) },
		"accept-invitation": func(t *testing.T, status int, _ string) { wantOneOf(t, status, 404, 422) },
		"get-review":        func(t *testing.T, status int, _ string) { wantOneOf(t, status, 404) },
		"decide-review":     func(t *testing.T, status int, _ string) { wantOneOf(t, status, 404, 422) },
		"status":            func(t *testing.T, status int, _ string) { wantOneOf(t, status, 403) },
		"list-tokens": func(t *testing.T, status int, body string) {
			if status != 200 || strings.Contains(body, "owner's") {
				t.Errorf("list-tokens shows another user's token: %d %s", status, body)
			}
		},
		"revoke-token":           func(t *testing.T, status int, _ string) { wantOneOf(t, status, 404) },
		"change-password":        func(t *testing.T, status int, _ string) { wantOneOf(t, status, 422) },
		"request-password-reset": func(t *testing.T, status int, _ string) { wantOneOf(t, status, 202, 409, 422) },
		"reset-password":         func(t *testing.T, status int, _ string) { wantOneOf(t, status, 404, 422) },
		// Scores the texts it is sent; nothing of a workspace. {} has none.
		"sentiment": func(t *testing.T, status int, _ string) { wantOneOf(t, status, 422) },
		"notifications": func(t *testing.T, status int, body string) {
			if status != 200 || strings.Contains(body, "secret plan") {
				t.Errorf("notifications: %d %s", status, body)
			}
		},
	}
	// Bodies that pass validation, so that the refusal is about access.
	bodies := map[string]string{
		"update-workspace":         `{"name":"pwned"}`,
		"set-member-role":          `{"role":"analyst"}`,
		"invite":                   `{"email":"x@example.test","role":"analyst"}`,
		"connect-sandbox":          `{"name":"x"}`,
		"connect-bluesky":          `{"handle":"x.test","app_password":"x"}`,
		"connect-mastodon":         `{"instance_url":"https://example.test"}`,
		"set-queue":                `[]`,
		"move-queued-post":         fmt.Sprintf(`{"post_id":%d,"direction":"up"}`, v.Post.ID),
		"update-channel":           `{"default_visibility":"private"}`,
		"sandbox-faults":           `{"mode":"none"}`,
		"sandbox-audience":         `{"rate":1}`,
		"describe-media":           `{"alt":"x","tags":[]}`,
		"create-post":              fmt.Sprintf(`{"action":"draft","variants":[{"channel_id":%d,"text":"x"}]}`, ch.ID),
		"check-post":               fmt.Sprintf(`{"variants":[{"channel_id":%d,"text":"x"}]}`, ch.ID),
		"update-post":              fmt.Sprintf(`{"action":"draft","variants":[{"channel_id":%d,"text":"x"}]}`, ch.ID),
		"approve-post":             `{}`,
		"reject-post":              `{"reason":"no"}`,
		"move-post":                `{"scheduled_local":"2030-01-01T10:00"}`,
		"comment-post":             `{"body":"x"}`,
		"review-link":              `{"reviewer":"x"}`,
		"retry-variant":            `{}`,
		"resume":                   `{"send":[]}`,
		"decide-review":            `{"decision":"approve"}`,
		"accept-invitation":        `{"name":"x","password":"correct horse battery"}`,
		"setup":                    `{"name":"x","email":"x@example.test","password":"correct horse battery"}`,
		"create-token":             `{"email":"owner@example.test","password":"wrong password"}`,
		"create-workspace":         `{"name":"x","timezone":"UTC"}`,
		"import-csv":               "",
		"update-inbox-items":       fmt.Sprintf(`{"ids":[%d],"status":"done","add_tags":["pwned"]}`, item.ID),
		"update-inbox-item":        `{"status":"done","sentiment":"negative"}`,
		"add-inbox-note":           `{"body":"x"}`,
		"act-on-inbox-item":        `{"action":"like"}`,
		"create-webhook":           `{"url":"https://hooks.example.com/b","events":["inbox.rule.action"]}`,
		"update-webhook":           `{"url":"https://hooks.example.com/b","events":["inbox.rule.action"],"enabled":false}`,
		"set-inbox-sla":            `{"enabled":true,"target_minutes":60,"days":[1],"open":"09:00","close":"18:00"}`,
		"create-moderation-rule":   validRule,
		"try-moderation-rule":      validRule,
		"update-moderation-rule":   validRule,
		"create-saved-reply":       `{"name":"x","body":"x"}`,
		"update-saved-reply":       `{"name":"x","body":"x"}`,
		"update-contact":           `{"vip":true,"add_tags":["pwned"]}`,
		"add-contact-note":         `{"body":"x"}`,
		"merge-contact":            fmt.Sprintf(`{"contact_id":%d}`, contact.ID),
		"split-contact":            fmt.Sprintf(`{"account_id":%d}`, contact.Authors[0].ID),
		"reply-to-inbox-item":      `{"text":"pwned"}`,
		"create-inbox-view":        `{"name":"pwned","query":"status=new","shared":true}`,
		"update-inbox-view":        `{"name":"pwned","shared":false}`,
		"open-incident":            `{"title":"pwned"}`,
		"add-incident-note":        `{"text":"pwned"}`,
		"check-incident-item":      `{"item":0,"done":true}`,
		"set-incident-scenario":    `{"scenario_id":0}`,
		"close-incident":           `{"send":[]}`,
		"create-scenario":          `{"name":"pwned"}`,
		"update-scenario":          `{"name":"pwned"}`,
		"create-statement":         `{"title":"pwned","texts":{"":"pwned"}}`,
		"update-statement":         `{"title":"pwned","texts":{"":"pwned"}}`,
		"create-listen-topic":      `{"name":"pwned","kind":"brand"}`,
		"update-listen-topic":      `{"name":"pwned","kind":"brand"}`,
		"create-listen-query":      fmt.Sprintf(`{"topic_id":%d,"query":"pwned"}`, ltopic.ID),
		"update-listen-query":      fmt.Sprintf(`{"topic_id":%d,"query":"pwned"}`, ltopic.ID),
		"validate-listen-query":    `{"query":"secret"}`,
		"preview-listen-query":     `{"query":"secret"}`,
		"create-listen-source":     `{"kind":"sandbox","name":"pwned"}`,
		"update-listen-source":     `{"kind":"sandbox","name":"pwned","enabled":false}`,
		"set-sandbox-storm":        `{"mode":"on"}`,
		"create-alert-rule":        `{"name":"pwned","kind":"volume"}`,
		"update-alert-rule":        `{"name":"pwned","kind":"volume","enabled":false}`,
		"test-alert-rule":          `{"name":"x","kind":"volume"}`,
		"reject-inbox-reply":       `{"comment":"pwned"}`,
		"set-inbox-reply-approval": `{"enabled":true}`,
	}

	resp := env.Do(t, "", "GET", "/api/openapi.json", nil)
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%v: %.300s", err, raw)
	}
	var paths []string
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	walked := 0
	for _, path := range paths {
		for method, op := range doc.Paths[path] {
			method = strings.ToUpper(method)
			url := "/api" + path
			for name, val := range ids {
				url = strings.ReplaceAll(url, "{"+name+"}", val)
			}
			url = strings.ReplaceAll(url, "{id}", idFor(path))
			if strings.Contains(path, "calendar") || strings.Contains(path, "export") {
				url += "?from=2020-01-01T00:00:00Z&to=2020-03-01T00:00:00Z"
			}
			b := bodies[op.OperationID]
			if b == "" && method != "GET" && method != "DELETE" && op.OperationID != "import-csv" {
				b = "{}"
			}
			var rd io.Reader
			if b != "" {
				rd = strings.NewReader(b)
			}
			r := env.Do(t, tok, method, url, rd)
			raw, _ := io.ReadAll(r.Body)
			r.Body.Close()
			walked++
			t.Run(op.OperationID, func(t *testing.T) {
				if check, ok := global[op.OperationID]; ok {
					check(t, r.StatusCode, string(raw))
					return
				}
				if !strings.Contains(path, "{ws}") && !strings.Contains(path, "{id}") {
					t.Fatalf("%s %s is not classified: add it to the global list with what it must answer", method, path)
				}
				wantOneOf(t, r.StatusCode, 403, 404)
				if strings.Contains(string(raw), "secret plan") {
					t.Errorf("%s %s leaked workspace A's content: %s", method, url, raw)
				}
			})
		}
	}
	if walked < 40 {
		t.Errorf("walked %d operations; the OpenAPI document seems incomplete", walked)
	}
	// Nothing of A changed.
	got, _, _, err := env.App.Posts.Get(ctx, owner, v.Post.ID)
	if err != nil || got.Variants[0].Text != "secret plan" || posts.Status(got.Post.Status) != posts.NeedsApproval {
		t.Errorf("workspace A's post changed: %+v %v", got.Post, err)
	}
	if h, err := env.App.Webhooks.Get(ctx, owner, wsA.ID, hook.ID); err != nil || !h.Enabled || h.URL != "https://hooks.example.com/a" {
		t.Errorf("workspace A's webhook changed: %+v %v", h, err)
	}
	lfx.Unchanged(t, env, owner)
	if chs, _ := env.App.Channels.List(ctx, owner, wsA.ID); len(chs) != 1 {
		t.Errorf("workspace A has %d channels, want 1", len(chs))
	}
	if _, err := env.App.Auth.APITokenUser(ctx, ownerTok); err != nil {
		t.Errorf("the owner's API token was revoked by an outsider: %v", err)
	}
	if it, err := env.App.Inbox.Item(ctx, owner, item.ID); err != nil || it.Status != "new" || len(it.Tags) != 0 || it.SentimentCorrected {
		t.Errorf("workspace A's inbox item changed: %+v %v", it, err)
	}
	if it, _ := env.App.Inbox.Item(ctx, owner, item.ID); it.Priority != 3 {
		t.Errorf("workspace A's rule action was undone by an outsider: priority %d", it.Priority)
	}
	if rules, _ := env.App.Inbox.Rules(ctx, owner, wsA.ID); len(rules) != 1 || rules[0].Name != "Urgent" {
		t.Errorf("workspace A's rules changed: %+v", rules)
	}
	if vs, _ := env.App.Inbox.Views(ctx, owner, wsA.ID); len(vs) != 1 || vs[0].Name != "Angry" || !vs[0].Shared {
		t.Errorf("workspace A's saved views changed: %+v", vs)
	}
	if reps, _ := env.App.Inbox.SavedReplies(ctx, owner, wsA.ID); len(reps) != 1 || reps[0].Name != "Thanks" {
		t.Errorf("workspace A's saved replies changed: %+v", reps)
	}
	if d, err := env.App.Contacts.Get(ctx, owner, contact.ID); err != nil || d.Contact.Erased() || d.Contact.Vip || len(d.Tags)+len(d.Notes)+len(d.Audit) != 0 {
		t.Errorf("workspace A's contact changed: %+v %v", d, err)
	}
	if c, err := env.App.Inbox.Replies(ctx, owner, item.ConversationID); err != nil || len(c) != 1 {
		t.Errorf("workspace A's conversation has %d replies (%v), want its own one", len(c), err)
	}
	if w, _ := env.Store.GetWorkspace(ctx, wsA.ID); w.Name == "pwned" {
		t.Error("workspace A was renamed by an outsider")
	}
}

func wantOneOf(t *testing.T, got int, want ...int) {
	t.Helper()
	for _, w := range want {
		if got == w {
			return
		}
	}
	t.Errorf("status %d, want one of %v", got, want)
}

// pngBytes is a 1×1 PNG.
var pngBytes = string([]byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xff, 0xff, 0x3f, 0x00, 0x05, 0xfe, 0x02, 0xfe, 0xa7, 0x35, 0x81,
	0x84, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82})

var _ = http.StatusOK

// validRule is a moderation rule that passes validation.
const validRule = `{"name":"pwned","enabled":true,"order":0,"conditions":[{"kind":"keywords","terms":["x"]}],"actions":[{"kind":"hide"}]}`
