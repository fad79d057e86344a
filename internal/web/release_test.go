package web_test

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
	"github.com/tribune-social/tribune/internal/calendar"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// Who may get a post to the publisher, written out by hand (PRODUCT.md T1,
// T2) rather than derived from the code under test.
var (
	// releaseOwn: schedule, queue, publish now, move, import on one's own
	// authority. With approval required, only members who also approve.
	mayScheduleOwn = map[bool][]auth.Role{
		true:  {auth.Owner, auth.Admin, auth.SocialMediaMgr},
		false: {auth.Owner, auth.Admin, auth.SocialMediaMgr, auth.CommunityMgr},
	}
	// Approving a post waiting for approval, in person or through a review
	// link the approver created.
	mayApprove = []auth.Role{auth.Owner, auth.Admin, auth.SocialMediaMgr, auth.ClientReviewer}
	// Sending again what was already released (retry, resume).
	mayResend = []auth.Role{auth.Owner, auth.Admin, auth.SocialMediaMgr, auth.CommunityMgr}
)

// TestWhoCanGetAPostToScheduled walks every route that can move a post to
// scheduled (or queue a variant again), through the API and through the UI,
// as every role, in a workspace that requires approval and in one that does
// not. A role the table above does not allow must be refused (403) or see
// the post wait for approval; an allowed role must get it scheduled.
func TestWhoCanGetAPostToScheduled(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			s := newReleaseSite(t, apptest.Options{Postgres: dialect == "postgres"})
			for _, rt := range releaseRoutes() {
				for _, approval := range []bool{true, false} {
					for _, role := range auth.Roles {
						for _, via := range []string{"api", "ui"} {
							name := fmt.Sprintf("%s/approval=%v/%s/%s", rt.name, approval, role, via)
							t.Run(name, func(t *testing.T) {
								s.runCase(t, rt, approval, role, via)
							})
						}
					}
				}
			}
		})
	}
}

type releaseActor struct {
	user    store.User
	token   string // API
	session string // UI
}

type releaseSite struct {
	env    *apptest.Env
	owner  store.User
	ws     map[bool]store.Workspace // by "requires approval"
	ch     map[bool]store.Channel
	actors map[auth.Role]releaseActor
	client *http.Client
	n      int
	t1, t2 time.Time // the prepared schedule and the move target (UTC)
}

func newReleaseSite(t *testing.T, o apptest.Options) *releaseSite {
	t.Helper()
	env := apptest.Start(t, o)
	ctx := context.Background()
	owner, wsA := env.Owner(t)
	if err := env.Store.UpdateWorkspaceSettings(ctx, store.UpdateWorkspaceSettingsParams{Name: wsA.Name, Timezone: "UTC",
		RequireApproval: true, DuplicateWindowHours: wsA.DuplicateWindowHours, ID: wsA.ID}); err != nil {
		t.Fatal(err)
	}
	wsB, err := auth.CreateWorkspace(ctx, env.Store, owner.OrganizationID, owner.ID, "free", "UTC", wsA.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	s := &releaseSite{env: env, owner: owner, ws: map[bool]store.Workspace{}, ch: map[bool]store.Channel{}, actors: map[auth.Role]releaseActor{},
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for approval, id := range map[bool]int64{true: wsA.ID, false: wsB.ID} {
		ws, err := env.Store.GetWorkspace(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ws.RequireApproval != approval {
			t.Fatalf("workspace %d requires approval: %v, want %v", id, ws.RequireApproval, approval)
		}
		s.ws[approval] = ws
		ch, err := env.App.Channels.ConnectSandbox(ctx, owner, id, fmt.Sprintf("acct%d", id))
		if err != nil {
			t.Fatal(err)
		}
		s.ch[approval] = ch
		var slots []schedule.Slot
		for d := range 7 {
			for h := range 24 {
				slots = append(slots, schedule.Slot{Weekday: time.Weekday(d), Minute: h * 60})
			}
		}
		if err := env.App.Channels.SetQueue(ctx, owner, ch.ID, slots); err != nil {
			t.Fatal(err)
		}
	}
	for _, role := range auth.Roles {
		u := owner
		if role != auth.Owner {
			u = env.Member(t, owner, wsA.ID, string(role)+"@example.test", role)
			if err := env.App.Auth.SetRole(ctx, owner, wsB.ID, u.ID, role); err != nil {
				t.Fatal(err)
			}
		}
		sess, _, err := env.App.Auth.Login(ctx, u.Email, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		s.actors[role] = releaseActor{user: u, token: env.Token(t, u), session: sess}
	}
	day := time.Now().UTC().AddDate(0, 0, 10).Truncate(24 * time.Hour)
	s.t1, s.t2 = day.Add(9*time.Hour), day.Add(24*time.Hour+10*time.Hour)
	return s
}

// releaseRoute is one way of getting a post to the publisher.
type releaseRoute struct {
	name string
	may  func(approval bool) []auth.Role
	// prepare makes what the route acts on (nothing for creating routes).
	prepare func(t *testing.T, s *releaseSite, c *releaseCase)
	api, ui func(t *testing.T, s *releaseSite, c *releaseCase) int
	// released reports whether the route got the post to the publisher.
	released func(t *testing.T, s *releaseSite, c *releaseCase) (bool, string)
}

// releaseCase is one route × role × workspace × surface.
type releaseCase struct {
	actor   releaseActor
	ws      store.Workspace
	ch      store.Channel
	text    string // unique, to find the post a creating route made
	postID  int64
	variant int64
}

func (s *releaseSite) runCase(t *testing.T, rt releaseRoute, approval bool, role auth.Role, via string) {
	s.n++
	c := &releaseCase{actor: s.actors[role], ws: s.ws[approval], ch: s.ch[approval],
		text: fmt.Sprintf("release case %d %s %s %s", s.n, rt.name, role, via)}
	if rt.prepare != nil {
		rt.prepare(t, s, c)
	}
	send := rt.api
	if via == "ui" {
		send = rt.ui
	}
	status := send(t, s, c)
	got, state := rt.released(t, s, c)
	want := false
	for _, r := range rt.may(approval) {
		want = want || r == role
	}
	switch {
	case want && !got:
		t.Errorf("%s may get the post scheduled, but after HTTP %d it is %s", role, status, state)
	case !want && got:
		t.Errorf("%s got the post scheduled (HTTP %d, %s): the approval rule was bypassed", role, status, state)
	case !want && status != http.StatusForbidden && state != string(posts.NeedsApproval):
		// A refusal must be a refusal, not some unrelated failure that
		// would let this test pass whatever the rule says.
		t.Errorf("%s: HTTP %d and the post is %s; want 403 or the post waiting for approval", role, status, state)
	}
}

func ownRule(approval bool) []auth.Role { return mayScheduleOwn[approval] }
func approveRule(bool) []auth.Role      { return mayApprove }
func resendRule(bool) []auth.Role       { return mayResend }
func wsPath(c *releaseCase) string      { return fmt.Sprint(c.ws.ID) }
func postPath(c *releaseCase) string    { return fmt.Sprintf("/w/%d/posts/%d", c.ws.ID, c.postID) }
func local(t time.Time) string          { return t.UTC().Format(schedule.LocalLayout) }

func releaseRoutes() []releaseRoute {
	create := func(action posts.Action, when bool) releaseRoute {
		return releaseRoute{
			name: "create " + string(action), may: ownRule,
			api: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				in := map[string]any{"action": action, "variants": []map[string]any{{"channel_id": c.ch.ID, "text": c.text}}}
				if when {
					in["scheduled_local"] = local(s.t1)
				}
				return s.apiJSON(t, c, "POST", "/api/v1/workspaces/"+wsPath(c)+"/posts", in)
			},
			ui: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				f := url.Values{"channel": {fmt.Sprint(c.ch.ID)}, "text": {c.text}, "action": {string(action)}}
				if when {
					f.Set("scheduled_local", local(s.t1))
				}
				return s.uiForm(t, c, "/w/"+wsPath(c)+"/compose", f)
			},
			released: postByText,
		}
	}
	// existing: an action on a draft the owner wrote, with a time.
	existing := func(name string, apiCall, uiCall func(t *testing.T, s *releaseSite, c *releaseCase) int) releaseRoute {
		return releaseRoute{name: name, may: ownRule, prepare: ownerDraft, api: apiCall, ui: uiCall, released: postByID}
	}
	updateWith := func(action posts.Action) func(t *testing.T, s *releaseSite, c *releaseCase) int {
		return func(t *testing.T, s *releaseSite, c *releaseCase) int {
			return s.apiJSON(t, c, "PUT", fmt.Sprintf("/api/v1/posts/%d", c.postID), map[string]any{"action": action, "scheduled_local": local(s.t1),
				"variants": []map[string]any{{"channel_id": c.ch.ID, "text": c.text}}})
		}
	}
	button := func(action string) func(t *testing.T, s *releaseSite, c *releaseCase) int {
		return func(t *testing.T, s *releaseSite, c *releaseCase) int {
			return s.uiForm(t, c, postPath(c)+"/"+action, url.Values{})
		}
	}
	return []releaseRoute{
		create(posts.DoSchedule, true),
		create(posts.AddToQueue, false),
		create(posts.PublishNow, false),
		existing("edit and schedule", updateWith(posts.DoSchedule), func(t *testing.T, s *releaseSite, c *releaseCase) int {
			return s.uiForm(t, c, postPath(c)+"/edit", url.Values{"channel": {fmt.Sprint(c.ch.ID)}, "text": {c.text},
				"scheduled_local": {local(s.t1)}, "action": {"schedule"}})
		}),
		existing("schedule", updateWith(posts.DoSchedule), button("schedule")),
		existing("queue", updateWith(posts.AddToQueue), button("queue")),
		existing("publish now", func(t *testing.T, s *releaseSite, c *releaseCase) int {
			return s.apiJSON(t, c, "POST", fmt.Sprintf("/api/v1/posts/%d/publish-now", c.postID), nil)
		}, button("publish_now")),
		{
			name: "approve", may: approveRule, prepare: contributorSubmits, released: postByID,
			api: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				return s.apiJSON(t, c, "POST", fmt.Sprintf("/api/v1/posts/%d/approve", c.postID), map[string]any{})
			},
			ui: button("approve"),
		},
		{
			// The reported bypass: a review link made by whoever may open the
			// post, then approved by its maker.
			name: "review link", may: approveRule, prepare: contributorSubmits, released: postByID,
			api: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				status, body := s.api(t, c, "POST", fmt.Sprintf("/api/v1/posts/%d/review-links", c.postID), "application/json", `{"reviewer":"me"}`)
				if status != http.StatusCreated {
					return status
				}
				var out struct{ Token string }
				if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
					t.Fatalf("review link answer %s: %v", body, err)
				}
				return s.apiJSON(t, &releaseCase{}, "POST", "/api/v1/reviews/"+out.Token, map[string]any{"decision": "approve"})
			},
			ui: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				resp, _ := s.uiDo(t, c.actor.session, "POST", postPath(c)+"/review-link", "application/x-www-form-urlencoded", url.Values{"reviewer": {"me"}}.Encode())
				link := ""
				for _, ck := range resp.Cookies() {
					if ck.Name == "tribune_review_link" {
						link = ck.Value
					}
				}
				if link == "" {
					return resp.StatusCode
				}
				_, tok, _ := strings.Cut(link, "/review/")
				// The reviewer has no account: no session.
				r, _ := s.uiDo(t, "", "POST", "/review/"+tok, "application/x-www-form-urlencoded", url.Values{"decision": {"approve"}}.Encode())
				return r.StatusCode
			},
		},
		{
			name: "calendar move", may: ownRule, prepare: ownerSchedules,
			api: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				return s.apiJSON(t, c, "POST", fmt.Sprintf("/api/v1/posts/%d/move", c.postID), map[string]any{"scheduled_local": local(s.t2)})
			},
			ui: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				b, _ := json.Marshal(map[string]any{"post_id": c.postID, "start": s.t2.Format(time.RFC3339)})
				resp, _ := s.uiDo(t, c.actor.session, "POST", "/w/"+wsPath(c)+"/calendar/move", "application/json", string(b))
				return resp.StatusCode
			},
			released: func(t *testing.T, s *releaseSite, c *releaseCase) (bool, string) {
				p, vs := s.post(t, c.postID)
				moved := p.ScheduledAt != nil && p.ScheduledAt.Equal(s.t2)
				if !moved && (p.ScheduledAt == nil || !p.ScheduledAt.Equal(s.t1)) {
					t.Errorf("a refused move changed the post's time to %v", p.ScheduledAt)
				}
				return moved && queued(p, vs), p.Status
			},
		},
		{
			name: "csv import", may: ownRule,
			api: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				status, _ := s.api(t, c, "POST", "/api/v1/workspaces/"+wsPath(c)+"/import?format=tribune", "text/csv", s.csv(c))
				return status
			},
			ui: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				var b bytes.Buffer
				mw := multipart.NewWriter(&b)
				_ = mw.WriteField("format", "tribune")
				fw, _ := mw.CreateFormFile("file", "posts.csv")
				_, _ = io.WriteString(fw, s.csv(c))
				_ = mw.Close()
				resp, _ := s.uiDo(t, c.actor.session, "POST", "/w/"+wsPath(c)+"/import", mw.FormDataContentType(), b.String())
				return resp.StatusCode
			},
			released: postByText,
		},
		{
			name: "retry", may: resendRule, prepare: failedVariant, released: variantQueued,
			api: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				return s.apiJSON(t, c, "POST", fmt.Sprintf("/api/v1/variants/%d/retry", c.variant), map[string]any{})
			},
			ui: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				return s.uiForm(t, c, fmt.Sprintf("/w/%d/variants/%d/retry", c.ws.ID, c.variant), url.Values{})
			},
		},
		{
			name: "resume", may: resendRule, prepare: heldVariant, released: variantQueued,
			api: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				return s.apiJSON(t, c, "POST", "/api/v1/workspaces/"+wsPath(c)+"/resume", map[string]any{"send": []int64{c.variant}})
			},
			ui: func(t *testing.T, s *releaseSite, c *releaseCase) int {
				return s.uiForm(t, c, "/w/"+wsPath(c)+"/crisis/resume", url.Values{"send": {fmt.Sprint(c.variant)}})
			},
		},
	}
}

func (s *releaseSite) csv(c *releaseCase) string {
	return "scheduled_at,channel,text\n" + s.t1.Format("2006-01-02 15:04") + "," + fmt.Sprint(c.ch.ID) + "," + c.text + "\n"
}

// ---- preparing

func (s *releaseSite) save(t *testing.T, u store.User, c *releaseCase, action posts.Action) posts.View {
	t.Helper()
	in := posts.Input{Variants: []posts.VariantInput{{ChannelID: c.ch.ID, Text: c.text}}, ScheduledLocal: local(s.t1), Timezone: "UTC"}
	v, err := s.env.App.Posts.Save(context.Background(), u, c.ws.ID, 0, in, action)
	if err != nil {
		t.Fatal(err)
	}
	c.postID, c.variant = v.Post.ID, v.Variants[0].ID
	return v
}

func ownerDraft(t *testing.T, s *releaseSite, c *releaseCase) { s.save(t, s.owner, c, posts.SaveDraft) }

func contributorSubmits(t *testing.T, s *releaseSite, c *releaseCase) {
	if v := s.save(t, s.actors[auth.Contributor].user, c, posts.Submit); posts.Status(v.Post.Status) != posts.NeedsApproval {
		t.Fatalf("a contributor's submitted post is %s", v.Post.Status)
	}
}

func ownerSchedules(t *testing.T, s *releaseSite, c *releaseCase) {
	if v := s.save(t, s.owner, c, posts.DoSchedule); posts.Status(v.Post.Status) != posts.Scheduled {
		t.Fatalf("the owner's post is %s", v.Post.Status)
	}
}

// failedVariant is a scheduled post whose only variant failed.
func failedVariant(t *testing.T, s *releaseSite, c *releaseCase) {
	ownerSchedules(t, s, c)
	ctx := context.Background()
	now := time.Now().UTC()
	if err := s.env.Store.SetVariantJob(ctx, store.SetVariantJobParams{State: string(publish.VariantFailed), UpdatedAt: now, ID: c.variant}); err != nil {
		t.Fatal(err)
	}
	if err := s.env.Store.SetPostStatus(ctx, store.SetPostStatusParams{Status: string(posts.Failed), UpdatedAt: now, ID: c.postID}); err != nil {
		t.Fatal(err)
	}
}

// heldVariant is a scheduled post whose variant fell due during a pause.
func heldVariant(t *testing.T, s *releaseSite, c *releaseCase) {
	ownerSchedules(t, s, c)
	ctx := context.Background()
	if err := s.env.Store.SetVariantJob(ctx, store.SetVariantJobParams{State: string(publish.VariantHeld), UpdatedAt: time.Now().UTC(), ID: c.variant}); err != nil {
		t.Fatal(err)
	}
	if err := s.env.App.Posts.Pause(ctx, s.owner, c.ws.ID); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // the next case starts unpaused, with nothing held
		if err := s.env.App.Posts.Resume(ctx, s.owner, c.ws.ID, nil); err != nil {
			t.Error(err)
		}
	})
}

// ---- outcomes

func (s *releaseSite) post(t *testing.T, id int64) (store.Post, []store.PostVariant) {
	t.Helper()
	p, err := s.env.Store.GetPost(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := s.env.Store.ListVariantsByPost(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p, vs
}

func queued(p store.Post, vs []store.PostVariant) bool {
	if posts.Status(p.Status) != posts.Scheduled || len(vs) == 0 {
		return false
	}
	for _, v := range vs {
		if publish.VariantState(v.State) != publish.VariantQueued || v.RiverJobID == nil {
			return false
		}
	}
	return true
}

func postByID(t *testing.T, s *releaseSite, c *releaseCase) (bool, string) {
	p, vs := s.post(t, c.postID)
	return queued(p, vs), p.Status
}

// postByText finds the post a creating route made, by its unique text.
func postByText(t *testing.T, s *releaseSite, c *releaseCase) (bool, string) {
	now := time.Now().UTC()
	page, _, err := s.env.App.Calendar.Range(context.Background(), s.owner, c.ws.ID, now.Add(-24*time.Hour), now.AddDate(0, 0, 120), calendar.Filter{}, calendar.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Entries {
		for _, v := range e.Variants {
			if v.Text == c.text {
				p, vs := s.post(t, e.Post.ID)
				return queued(p, vs), p.Status
			}
		}
	}
	return false, "not created"
}

func variantQueued(t *testing.T, s *releaseSite, c *releaseCase) (bool, string) {
	v, err := s.env.Store.GetVariant(context.Background(), c.variant)
	if err != nil {
		t.Fatal(err)
	}
	return publish.VariantState(v.State) == publish.VariantQueued, "variant " + v.State
}

// ---- requests

func (s *releaseSite) api(t *testing.T, c *releaseCase, method, path, ctype, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.env.Server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if c.actor.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.actor.token)
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (s *releaseSite) apiJSON(t *testing.T, c *releaseCase, method, path string, in any) int {
	t.Helper()
	b := []byte("{}")
	if in != nil {
		b, _ = json.Marshal(in)
	}
	status, _ := s.api(t, c, method, path, "application/json", string(b))
	return status
}

// uiDo sends a browser-like request: the session cookie, and the headers a
// same-origin form post carries (the UI refuses cross-origin writes).
func (s *releaseSite) uiDo(t *testing.T, session, method, path, ctype, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.env.Server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Origin", s.env.Server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "/login") {
		t.Fatalf("%s %s: sent to %s, the session was not accepted", method, path, loc)
	}
	return resp, b
}

func (s *releaseSite) uiForm(t *testing.T, c *releaseCase, path string, f url.Values) int {
	t.Helper()
	resp, _ := s.uiDo(t, c.actor.session, "POST", path, "application/x-www-form-urlencoded", f.Encode())
	return resp.StatusCode
}

// TestUIApprovalIsForTheVersionShown: the approve button of the post page
// carries the version the approver read; if a contributor changes the post
// in between, the click is refused instead of approving unseen content.
func TestUIApprovalIsForTheVersionShown(t *testing.T) {
	t.Parallel()
	s := newReleaseSite(t, apptest.Options{})
	c := &releaseCase{actor: s.actors[auth.Owner], ws: s.ws[true], ch: s.ch[true], text: "first text"}
	contributorSubmits(t, s, c)
	resp, page := s.uiDo(t, c.actor.session, "GET", postPath(c), "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("post page: %d", resp.StatusCode)
	}
	_, rest, ok := strings.Cut(string(page), `action="`+postPath(c)+`/approve`)
	action, _, _ := strings.Cut(rest, `"`)
	if !ok || !strings.Contains(action, "version=") {
		t.Fatalf("the approve form does not carry the version shown: %q", action)
	}
	in := posts.Input{Variants: []posts.VariantInput{{ChannelID: c.ch.ID, Text: "swapped text"}}, ScheduledLocal: local(s.t1), Timezone: "UTC"}
	if _, err := s.env.App.Posts.Save(context.Background(), s.actors[auth.Contributor].user, c.ws.ID, c.postID, in, posts.Submit); err != nil {
		t.Fatal(err)
	}
	resp, _ = s.uiDo(t, c.actor.session, "POST", postPath(c)+"/approve"+strings.ReplaceAll(action, "&amp;", "&"), "application/x-www-form-urlencoded", "")
	if p, _ := s.post(t, c.postID); resp.StatusCode != http.StatusConflict || posts.Status(p.Status) != posts.NeedsApproval {
		t.Errorf("approving after the post changed: HTTP %d, post %s; want 409 and still waiting", resp.StatusCode, p.Status)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "tribune_flash" && ck.Value != "" {
			t.Errorf("a refused approval leaves the message %q for the next page", ck.Value)
		}
	}
}
