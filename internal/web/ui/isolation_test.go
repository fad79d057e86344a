package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/listen/listentest"
	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/ui"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// TestEveryUIRouteRefusesOtherWorkspaces walks every pattern of the UI's
// route table (read from the registration itself, so a new route cannot be
// forgotten) as a signed-in admin of workspace B, with the headers of a
// same-origin form post, twice: with workspace A in the path, and with B in
// the path but A's posts, variants, channels and media as the ids. Every
// answer about A must be 403 or 404, no answer may carry A's content, and
// nothing of A may change.
func TestEveryUIRouteRefusesOtherWorkspaces(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			walkUI(t, apptest.Start(t, apptest.Options{Postgres: dialect == "postgres"}))
		})
	}
}

// tenantA is workspace A and what it holds; secrets are strings that must
// never reach the outsider.
type tenantA struct {
	ws      store.Workspace
	ch      store.Channel
	media   store.Media
	post    posts.View
	member  store.User       // in A only
	item    inbox.Item       // an inbox item of A
	contact contacts.Contact // the item's author's contact
	rule    int64            // a moderation rule of A
	reply   int64            // a saved reply of A
	ruleAct int64            // the rule's action on the item
	token   string           // an API token of A's member
	tokenID int64
	hookID  int64
	view    int64 // a saved inbox view of A, shared with A
	// A's crisis cell: a scenario, an approved statement, a closed incident.
	scenario, statement, incident int64
	// A's listening: topics, a query, a source, a mention, a fired alert.
	listen  listentest.Fixture
	secrets []string
}

func walkUI(t *testing.T, env *apptest.Env) {
	ctx := context.Background()
	owner, ws := env.Owner(t)
	a := seedA(t, env, owner, ws)
	wsB, err := auth.CreateWorkspace(ctx, env.Store, owner.OrganizationID, owner.ID, "B", "UTC", ws.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	outsider := env.Member(t, owner, wsB.ID, "outsider@example.test", auth.Admin)
	login := func() string {
		tok, _, err := env.App.Auth.Login(ctx, outsider.Email, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	w := &walker{env: env, a: a, session: login(), client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}

	// Routes about no workspace, and what they must answer the outsider.
	global := map[string]func(t *testing.T, r answer){
		"GET /{$}": func(t *testing.T, r answer) {
			want(t, r, 303)
			if loc := r.header.Get("Location"); loc != fmt.Sprintf("/w/%d/calendar", wsB.ID) {
				t.Errorf("home sends the outsider to %q", loc)
			}
		},
		"GET /setup":                   func(t *testing.T, r answer) { want(t, r, 303) },
		"POST /setup":                  func(t *testing.T, r answer) { want(t, r, 403, 409, 422) },
		"GET /login":                   func(t *testing.T, r answer) { want(t, r, 200) },
		"POST /login":                  func(t *testing.T, r answer) { want(t, r, 401) },
		"POST /logout":                 func(t *testing.T, r answer) { want(t, r, 303) },
		"GET /invite/{token}":          func(t *testing.T, r answer) { want(t, r, 200, 404) },
		"POST /invite/{token}":         func(t *testing.T, r answer) { want(t, r, 404, 422) },
		"POST /settings/language":      func(t *testing.T, r answer) { want(t, r, 303) },
		"GET /settings/tokens":         func(t *testing.T, r answer) { want(t, r, 200) },
		"POST /settings/tokens":        func(t *testing.T, r answer) { want(t, r, 200) },
		"GET /notifications":           func(t *testing.T, r answer) { want(t, r, 200) },
		"GET /status":                  func(t *testing.T, r answer) { want(t, r, 403) },
		"GET /review/{token}":          func(t *testing.T, r answer) { want(t, r, 404) },
		"POST /review/{token}":         func(t *testing.T, r answer) { want(t, r, 404) },
		"GET /oauth/mastodon/callback": func(t *testing.T, r answer) { want(t, r, 400, 403, 404, 422) },
		"POST /workspaces":             func(t *testing.T, r answer) { want(t, r, 403) },
		"GET /ical/{file}":             func(t *testing.T, r answer) { want(t, r, 404) },
		"GET /shared/{token}":          func(t *testing.T, r answer) { want(t, r, 404) },
		"POST /settings/password":      func(t *testing.T, r answer) { want(t, r, 200, 303, 422) },
		"GET /forgot":                  func(t *testing.T, r answer) { want(t, r, 200) },
		"POST /forgot":                 func(t *testing.T, r answer) { want(t, r, 200, 303, 409) }, // 409: no SMTP configured here
		"GET /reset/{token}":           func(t *testing.T, r answer) { want(t, r, 200, 404) },
		"POST /reset/{token}":          func(t *testing.T, r answer) { want(t, r, 404, 422) },
		"GET /favicon.ico":             func(t *testing.T, r answer) { want(t, r, 301) },
		// The walker asks for "/" itself, the home page; unknown addresses are
		// TestUnknownPageIsARealNotFoundPage's.
		"GET /": func(t *testing.T, r answer) { want(t, r, 303) },
	}

	walked := 0
	for _, pattern := range ui.RoutePatterns() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			t.Fatalf("pattern %q has no method: every UI route names its method", pattern)
		}
		if check, ok := global[pattern]; ok {
			session := w.session
			if pattern == "POST /logout" {
				session = login() // keep the walker's own session alive
			}
			r := w.do(t, session, method, w.fill(t, path, ""), pattern)
			walked++
			t.Run(pattern, func(t *testing.T) {
				check(t, r)
				w.noLeak(t, r)
			})
			continue
		}
		if !strings.Contains(path, "{ws}") && !strings.Contains(path, "{id}") {
			t.Errorf("%s is not classified: add it to the global list with what it must answer", pattern)
			continue
		}
		for _, variant := range w.expand(path) {
			for _, side := range []string{"A", "B"} {
				wsID := a.ws.ID
				if side == "B" {
					// B in the path, A's resources as ids: only routes that
					// name a resource say anything about A. A {user} of the
					// organisation may be added to any workspace by its admin
					// (auth.SetRole), so that one is not about A.
					if !strings.Contains(path, "{id}") {
						continue
					}
					wsID = wsB.ID
				}
				target := w.fill(t, variant, fmt.Sprint(wsID))
				r := w.do(t, w.session, method, target, pattern)
				walked++
				t.Run(side+" "+method+" "+variant, func(t *testing.T) {
					want(t, r, 403, 404)
					w.noLeak(t, r)
				})
			}
		}
	}
	if n := len(ui.RoutePatterns()); walked < n {
		t.Errorf("walked %d requests for %d patterns", walked, n)
	}
	a.unchanged(t, env, owner)
}

// seedA fills workspace A with something of every kind.
func seedA(t *testing.T, env *apptest.Env, owner store.User, ws store.Workspace) tenantA {
	t.Helper()
	ctx := context.Background()
	a := tenantA{}
	if err := env.Store.UpdateWorkspaceSettings(ctx, store.UpdateWorkspaceSettingsParams{Name: "Acme hidden workspace", Timezone: ws.Timezone,
		RequireApproval: true, DuplicateWindowHours: ws.DuplicateWindowHours, ID: ws.ID}); err != nil {
		t.Fatal(err)
	}
	var err error
	if a.ch, err = env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acmehiddenchannel"); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Channels.SetQueue(ctx, owner, a.ch.ID, []schedule.Slot{{Weekday: time.Monday, Minute: 9 * 60}}); err != nil {
		t.Fatal(err)
	}
	if a.media, err = env.App.Media.Upload(ctx, owner, ws.ID, "acme-hidden.png", strings.NewReader(pngBytes), "acme hidden alt", nil); err != nil {
		t.Fatal(err)
	}
	in := posts.Input{Variants: []posts.VariantInput{{ChannelID: a.ch.ID, Text: "secret plan", MediaIDs: []int64{a.media.ID}}},
		ScheduledLocal: time.Now().AddDate(0, 0, 5).Format("2006-01-02") + "T09:00"}
	if a.post, err = env.App.Posts.Save(ctx, owner, ws.ID, 0, in, posts.Submit); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Posts.Comment(ctx, owner, a.post.Post.ID, "secret remark"); err != nil {
		t.Fatal(err)
	}
	rule, err := env.App.Inbox.SaveRule(ctx, owner, ws.ID, moderation.Rule{Name: "secret rule", Enabled: true,
		Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{"inbox"}}},
		Actions:    []moderation.Action{{Kind: moderation.ActPriority, Priority: moderation.PriorityHigh}}})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := env.App.Inbox.SaveReply(ctx, owner, ws.ID, 0, "secret reply", "Thanks {name}")
	if err != nil {
		t.Fatal(err)
	}
	a.rule, a.reply = rule.ID, reply.ID
	if _, err := env.App.Inbox.Ingest(ctx, a.ch, []network.Item{{ExternalID: "acme-1", Kind: network.KindComment, Text: "secret inbox comment",
		Author: network.Author{ExternalID: "fan", Handle: "acmehiddenfan"}, CreatedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	page, err := env.App.Inbox.List(ctx, owner, ws.ID, inbox.Filter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("A's inbox: %+v %v", page, err)
	}
	a.item = page.Items[0]
	acts, err := env.App.Inbox.RuleActions(ctx, owner, a.item.ID)
	if err != nil || len(acts) != 1 {
		t.Fatalf("A's rule actions: %+v %v", acts, err)
	}
	a.ruleAct = acts[0].ID
	cs, err := env.App.Contacts.List(ctx, owner, ws.ID, contacts.Filter{})
	if err != nil || len(cs.Contacts) != 1 {
		t.Fatalf("A's contacts: %+v %v", cs, err)
	}
	a.contact = cs.Contacts[0]
	a.member = env.Member(t, owner, ws.ID, "a-only@example.test", auth.Analyst)
	tok, row, err := env.App.Auth.CreateAPIToken(ctx, a.member, "a's script", nil)
	if err != nil {
		t.Fatal(err)
	}
	a.token, a.tokenID = tok, row.ID
	feed, err := env.App.Calendar.RotateICal(ctx, owner, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.ws, err = env.Store.GetWorkspace(ctx, ws.ID); err != nil {
		t.Fatal(err)
	}
	icalToken := strings.TrimSuffix(feed[strings.LastIndex(feed, "/")+1:], ".ics")
	hook, hookSecret, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: "https://hooks.example.com/acme-hidden-hook", Events: []webhooks.EventType{webhooks.InboxRuleAction}})
	if err != nil {
		t.Fatal(err)
	}
	a.hookID = hook.ID
	view, err := env.App.Inbox.SaveView(ctx, owner, ws.ID, "secret view", "tag=acmehiddentag", true)
	if err != nil {
		t.Fatal(err)
	}
	a.view = view.ID
	sc, err := env.App.Crisis.SaveScenario(ctx, owner, ws.ID, 0, crisis.ScenarioInput{Name: "acme secret scenario", Checklist: []string{"acme secret check"}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := env.App.Crisis.SaveStatement(ctx, owner, ws.ID, sc.ID, 0, crisis.StatementInput{Title: "acme secret statement", Texts: map[string]string{"": "acme secret words"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Crisis.ApproveStatement(ctx, owner, ws.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	inc, err := env.App.Crisis.Open(ctx, owner, ws.ID, crisis.OpenInput{Title: "acme secret incident", ScenarioID: sc.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Crisis.Close(ctx, owner, ws.ID, inc.ID, nil); err != nil {
		t.Fatal(err)
	}
	a.scenario, a.statement, a.incident = sc.ID, st.ID, inc.ID
	if a.ws, err = env.Store.GetWorkspace(ctx, ws.ID); err != nil {
		t.Fatal(err)
	}
	a.secrets = []string{"acme secret scenario", "acme secret check", "acme secret statement", "acme secret words", "acme secret incident", "secret view", "acmehiddentag", "acme-hidden-hook", hookSecret, "secret plan", "secret remark", "secret inbox comment", "acmehiddenfan", "secret rule", "secret reply", a.ws.Name, a.ch.Name, "acme-hidden.png", "acme hidden alt", a.member.Email, icalToken, a.ws.IcalTokenHash, a.token}
	a.listen = listentest.Build(t, env, owner, ws.ID, listentest.Names{Topic: "acme hidden topic", Query: "acmehiddenquery", Source: "acme hidden source",
		MentionTopic: "secret topic", Mention: "secret mention", Author: "acmehiddenauthor", Term: "acmehiddenterm",
		AlertTopic: "secret alert topic", AlertRule: "secret alert rule"})
	a.secrets = append(a.secrets, a.listen.Secrets()...)
	return a
}

// unchanged checks that nothing of A moved.
func (a tenantA) unchanged(t *testing.T, env *apptest.Env, owner store.User) {
	t.Helper()
	ctx := context.Background()
	a.listen.Unchanged(t, env, owner)
	got, _, _, err := env.App.Posts.Get(ctx, owner, a.post.Post.ID)
	if err != nil {
		t.Fatalf("workspace A's post: %v", err)
	}
	if posts.Status(got.Post.Status) != posts.NeedsApproval || got.Post.Version != a.post.Post.Version || got.Variants[0].Text != "secret plan" ||
		got.Variants[0].State != a.post.Variants[0].State || !got.Post.ScheduledAt.Equal(*a.post.Post.ScheduledAt) {
		t.Errorf("workspace A's post changed: %+v %+v", got.Post, got.Variants)
	}
	h, err := env.App.Posts.History(ctx, owner, a.post.Post.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Comments) != 1 || len(h.Links) != 0 {
		t.Errorf("workspace A's post has %d comments and %d review links, want 1 and 0", len(h.Comments), len(h.Links))
	}
	ws, err := env.Store.GetWorkspace(ctx, a.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := env.App.Crisis.Playbook(ctx, owner, a.ws.ID)
	if err != nil || len(pb) != 1 || pb[0].Name != "acme secret scenario" || len(pb[0].Statements) != 1 || !pb[0].Statements[0].Approved() ||
		pb[0].Statements[0].Texts[""] != "acme secret words" {
		t.Errorf("workspace A's playbook changed: %+v %v", pb, err)
	}
	if inc, err := env.App.Crisis.Get(ctx, owner, a.ws.ID, a.incident); err != nil || inc.Open() || len(inc.Checks) != 0 || len(inc.Published) != 0 {
		t.Errorf("workspace A's incident changed: %+v %v", inc, err)
	}
	if ws.IcalTokenHash != a.ws.IcalTokenHash {
		t.Errorf("workspace A's iCal secret changed")
	}
	if _, err := env.App.Auth.APITokenUser(ctx, a.token); err != nil {
		t.Errorf("A's member's API token stopped working: %v", err)
	}
	if ws.Name != a.ws.Name || !ws.RequireApproval || ws.Timezone != a.ws.Timezone || ws.PausedAt != nil || ws.DuplicateWindowHours != a.ws.DuplicateWindowHours {
		t.Errorf("workspace A's settings changed: %+v", ws)
	}
	if chs, _ := env.App.Channels.List(ctx, owner, a.ws.ID); len(chs) != 1 {
		t.Errorf("workspace A has %d channels, want 1", len(chs))
	}
	if slots, err := env.App.Channels.Queue(ctx, owner, a.ch.ID); err != nil || len(slots) != 1 {
		t.Errorf("workspace A's queue: %v %v, want one slot", slots, err)
	}
	if m, err := env.App.Media.Get(ctx, owner, a.media.ID); err != nil || m.Alt != "acme hidden alt" {
		t.Errorf("workspace A's media: %+v %v", m, err)
	}
	if ms, _ := env.App.Media.List(ctx, owner, a.ws.ID); len(ms) != 1 {
		t.Errorf("workspace A has %d media, want 1", len(ms))
	}
	if it, err := env.App.Inbox.Item(ctx, owner, a.item.ID); err != nil || it.Status != "new" || it.Priority != a.item.Priority || len(it.Tags) != 0 || it.SentimentCorrected {
		t.Errorf("workspace A's inbox item changed: %+v %v", it, err)
	}
	if rs, err := env.App.Inbox.Replies(ctx, owner, a.item.ConversationID); err != nil || len(rs) != 0 {
		t.Errorf("an outsider replied to workspace A's item: %d replies (%v)", len(rs), err)
	}
	if d, err := env.App.Contacts.Get(ctx, owner, a.contact.ID); err != nil || d.Contact.Erased() || d.Contact.Vip || len(d.Tags)+len(d.Notes)+len(d.Audit) != 0 || len(d.Contact.Authors) != 1 {
		t.Errorf("workspace A's contact changed: %+v %v", d, err)
	}
	if c, err := env.App.Inbox.Conversation(ctx, owner, a.item.ConversationID); err != nil || len(c.Notes) != 0 || len(c.Actions) != 1 || c.Actions[0].UserID != nil {
		t.Errorf("workspace A's conversation got notes or actions: %+v %v", c, err)
	}
	// Only the seeded rule's own action, still in force.
	if act, err := env.App.Inbox.RuleAction(ctx, owner, a.ruleAct); err != nil || act.UndoneAt != nil {
		t.Errorf("workspace A's rule action was undone: %+v %v", act, err)
	}
	if rules, _ := env.App.Inbox.Rules(ctx, owner, a.ws.ID); len(rules) != 1 || rules[0].Name != "secret rule" || !rules[0].Enabled {
		t.Errorf("workspace A's rules changed: %+v", rules)
	}
	if vs, _ := env.App.Inbox.Views(ctx, owner, a.ws.ID); len(vs) != 1 || vs[0].Name != "secret view" || !vs[0].Shared {
		t.Errorf("workspace A's saved views changed: %+v", vs)
	}
	if reps, _ := env.App.Inbox.SavedReplies(ctx, owner, a.ws.ID); len(reps) != 1 || reps[0].Name != "secret reply" {
		t.Errorf("workspace A's saved replies changed: %+v", reps)
	}
	members, err := env.Store.ListMembers(ctx, a.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.ID == a.member.ID && m.Role != string(auth.Analyst) {
			t.Errorf("A's member's role changed to %s", m.Role)
		}
		if m.Email == "outsider@example.test" || m.Email == "x@example.test" {
			t.Errorf("%s joined workspace A", m.Email)
		}
	}
	if inv, _ := env.Store.ListInvitations(ctx, a.ws.ID); len(inv) != 0 {
		t.Errorf("workspace A has %d pending invitations, want 0", len(inv))
	}
}

type walker struct {
	env     *apptest.Env
	a       tenantA
	session string
	client  *http.Client
}

// postActions are the {action} values of POST /w/{ws}/posts/{id}/{action},
// plus one no handler knows.
var postActions = []string{"approve", "reject", "comment", "unschedule", "delete", "submit", "publish_now", "queue", "schedule", "review-link", "no-such-action"}

// expand gives one path per value of the parameters that select a handler's
// branch ({action}, {network}).
func (w *walker) expand(path string) []string {
	out := []string{path}
	actions := postActions
	switch {
	case strings.Contains(path, "/crisis/incidents/"):
		actions = []string{"note", "check", "scenario", "close", "no-such-action"}
	case strings.Contains(path, "/crisis/statements/"):
		actions = []string{"save", "delete", "approve", "publish", "no-such-action"}
	}
	for name, values := range map[string][]string{"{action}": actions, "{network}": {"sandbox", "bluesky", "mastodon", "no-such-network"}} {
		var next []string
		for _, p := range out {
			if !strings.Contains(p, name) {
				next = append(next, p)
				continue
			}
			for _, v := range values {
				next = append(next, strings.ReplaceAll(p, name, v))
			}
		}
		out = next
	}
	return out
}

// fill puts A's ids (and ws) into a path; a parameter it does not know
// fails the test, so a new kind of route gets a decision.
func (w *walker) fill(t *testing.T, path, ws string) string {
	t.Helper()
	if strings.Contains(path, "{id}") {
		var id int64
		switch {
		case strings.HasPrefix(path, "/w/{ws}/posts/"):
			id = w.a.post.Post.ID
		case strings.HasPrefix(path, "/w/{ws}/variants/"):
			id = w.a.post.Variants[0].ID
		case strings.HasPrefix(path, "/w/{ws}/channels/"):
			id = w.a.ch.ID
		case strings.HasPrefix(path, "/w/{ws}/media/"), strings.HasPrefix(path, "/media/"):
			id = w.a.media.ID
		case strings.HasPrefix(path, "/settings/tokens/"):
			id = w.a.tokenID
		case strings.HasPrefix(path, "/w/{ws}/inbox/items/"):
			id = w.a.item.ID
		case strings.HasPrefix(path, "/w/{ws}/inbox/conversations/"):
			id = w.a.item.ConversationID
		case strings.HasPrefix(path, "/w/{ws}/webhooks/"):
			id = w.a.hookID
		case strings.HasPrefix(path, "/w/{ws}/inbox/rule-actions/"):
			id = w.a.ruleAct
		case strings.HasPrefix(path, "/w/{ws}/moderation/rules/"):
			id = w.a.rule
		case strings.HasPrefix(path, "/w/{ws}/moderation/replies/"):
			id = w.a.reply
		case strings.HasPrefix(path, "/w/{ws}/inbox/authors/"):
			id = w.a.item.AuthorID
		case strings.HasPrefix(path, "/w/{ws}/contacts/"):
			id = w.a.contact.ID
		case strings.HasPrefix(path, "/w/{ws}/inbox/views/"):
			id = w.a.view
		case strings.HasPrefix(path, "/w/{ws}/crisis/incidents/"):
			id = w.a.incident
		case strings.HasPrefix(path, "/w/{ws}/crisis/scenarios/"):
			id = w.a.scenario
		case strings.HasPrefix(path, "/w/{ws}/crisis/statements/"):
			id = w.a.statement
		case strings.HasPrefix(path, "/w/{ws}/listen/topics/"):
			id = w.a.listen.Topic.ID
		case strings.HasPrefix(path, "/w/{ws}/listen/queries/"):
			id = w.a.listen.Query.ID
		case strings.HasPrefix(path, "/w/{ws}/listen/sources/"):
			id = w.a.listen.Source.ID
		case strings.HasPrefix(path, "/w/{ws}/listen/alert-rules/"):
			id = w.a.listen.Rule.ID
		case strings.HasPrefix(path, "/w/{ws}/listen/alerts/"):
			id = w.a.listen.Alert.ID
		default:
			t.Fatalf("%s: which of A's resources is its {id}? add it to the walk", path)
		}
		path = strings.ReplaceAll(path, "{id}", fmt.Sprint(id))
	}
	r := strings.NewReplacer("{ws}", ws, "{user}", fmt.Sprint(w.a.member.ID), "{token}", "not-a-token", "{file}", "not-a-token.ics", "{$}", "")
	path = r.Replace(path)
	if strings.ContainsAny(path, "{}") {
		t.Fatalf("%s: a path parameter the walk does not know; add it", path)
	}
	return path
}

// body is what each route is sent: fields that pass validation, naming A's
// resources, so that a refusal is about access.
func (w *walker) body(pattern string) (string, string) {
	a := w.a
	switch pattern {
	case "POST /w/{ws}/calendar/move":
		b, _ := json.Marshal(map[string]any{"post_id": a.post.Post.ID, "start": time.Now().AddDate(0, 0, 9).Format("2006-01-02") + "T10:00"})
		return "application/json", string(b)
	case "POST /w/{ws}/import", "POST /w/{ws}/media":
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("format", "tribune")
		_ = mw.WriteField("channel", fmt.Sprint(a.ch.ID))
		_ = mw.WriteField("alt", "pwned")
		name, content := "posts.csv", "scheduled_at,channel,text\n"+time.Now().AddDate(0, 0, 9).Format("2006-01-02")+" 10:00,"+fmt.Sprint(a.ch.ID)+",pwned\n"
		if strings.HasSuffix(pattern, "/media") {
			name, content = "p.png", pngBytes
		}
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = io.WriteString(fw, content)
		_ = mw.Close()
		return mw.FormDataContentType(), b.String()
	}
	f := url.Values{
		"channel": {fmt.Sprint(a.ch.ID)}, "text": {"pwned"}, "action": {"draft"}, "scheduled_local": {time.Now().AddDate(0, 0, 9).Format("2006-01-02") + "T10:00"},
		"media": {fmt.Sprint(a.media.ID)}, "version": {fmt.Sprint(a.post.Post.Version)},
		"name": {"pwned"}, "email": {"x@example.test"}, "password": {"correct horse battery"}, "role": {"admin"}, "timezone": {"UTC"},
		"duplicate_window_hours": {"1"}, "organization": {"pwned"}, "workspace": {"pwned"}, "lang": {"fr"},
		"note": {"pwned"}, "reason": {"pwned"}, "body": {"pwned"}, "reviewer": {"pwned"}, "decision": {"approve"}, "confirm_not_published": {"1"},
		"send": {fmt.Sprint(a.post.Variants[0].ID)}, "alt": {"pwned"}, "tags": {"pwned"}, "day": {"1", "2"}, "times": {"10:00"}, "mode": {"error"},
		"instance_url": {"https://example.test"}, "handle": {"x.test"}, "app_password": {"x"},
		"post": {fmt.Sprint(a.post.Post.ID)}, "direction": {"up"},
		"item": {fmt.Sprint(a.item.ID)}, "status": {"done"}, "assignee": {"none"}, "priority": {"3"}, "add_tag": {"pwned"}, "sentiment": {"negative"},
		"shared": {"on"}, "query": {"tag=pwned"}, "topic_id": {fmt.Sprint(a.listen.Topic.ID)}, "kind": {"brand", "volume"},
		"rule":  {fmt.Sprint(a.listen.Rule.ID)},
		"other": {fmt.Sprint(a.contact.ID)}, "account": {fmt.Sprint(a.item.AuthorID)}, "confirm": {"yes"}, "flags": {"1"}, "vip": {"on"},
	}
	return "application/x-www-form-urlencoded", f.Encode()
}

type answer struct {
	status int
	header http.Header
	body   string
	what   string
}

// do sends what a browser on Tribune's own pages sends: the session cookie
// and the same-origin headers the cross-origin protection checks.
func (w *walker) do(t *testing.T, session, method, path, pattern string) answer {
	t.Helper()
	var rd io.Reader
	ctype := ""
	if method != http.MethodGet {
		var b string
		ctype, b = w.body(pattern)
		rd = strings.NewReader(b)
	}
	req, err := http.NewRequest(method, w.env.Server.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
	req.Header.Set("Origin", w.env.Server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b), what: method + " " + path}
}

// noLeak fails when an answer carries anything of A: content, names,
// secrets, or a cookie holding a review or invitation link.
func (w *walker) noLeak(t *testing.T, r answer) {
	t.Helper()
	all := r.body + "\n" + strings.Join(r.header.Values("Set-Cookie"), "\n") + "\n" + r.header.Get("Location")
	for _, s := range w.a.secrets {
		if strings.Contains(all, s) || strings.Contains(all, url.QueryEscape(s)) {
			t.Errorf("%s leaked %q of workspace A", r.what, s)
		}
	}
	for _, c := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "tribune_review_link=") || strings.HasPrefix(c, "tribune_invite_link=") {
			t.Errorf("%s set %s", r.what, c)
		}
	}
	if strings.Contains(r.header.Get("Location"), fmt.Sprintf("/w/%d/", w.a.ws.ID)) {
		t.Errorf("%s sends the outsider into workspace A: %s", r.what, r.header.Get("Location"))
	}
}

func want(t *testing.T, r answer, statuses ...int) {
	t.Helper()
	for _, s := range statuses {
		if r.status == s {
			return
		}
	}
	t.Errorf("%s: status %d, want one of %v (%.200s)", r.what, r.status, statuses, r.body)
}

// pngBytes is a 1×1 PNG.
var pngBytes = string([]byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xff, 0xff, 0x3f, 0x00, 0x05, 0xfe, 0x02, 0xfe, 0xa7, 0x35, 0x81,
	0x84, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82})
