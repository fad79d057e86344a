package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/bulk"
	"github.com/tribune-social/tribune/internal/calendar"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/media"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/notify"
	"github.com/tribune-social/tribune/internal/ops"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/i18n"
)

func op(id, method, path, summary, tag string) huma.Operation {
	return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: []string{tag},
		// The client errors any operation can answer (bad JSON, no or a bad
		// token, a missing permission, another tenant's id, an
		// Idempotency-Key conflict, validation), so the document lists them.
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}}
}

func created(o huma.Operation) huma.Operation {
	o.DefaultStatus = http.StatusCreated
	return o
}

type wsPath struct {
	WS int64 `path:"ws" doc:"Workspace id"`
}

type idPath struct {
	ID int64 `path:"id"`
}

type body[T any] struct{ Body T }

func (s *server) routes(a huma.API) {
	// Accounts and workspaces.
	huma.Register(a, created(op("setup", http.MethodPost, "/v1/setup", "Create the first owner, organisation and workspace (empty installation only)", "accounts")), s.setup)
	huma.Register(a, created(op("create-token", http.MethodPost, "/v1/tokens", "Exchange an e-mail and password for an API token", "accounts")), s.createToken)
	huma.Register(a, op("me", http.MethodGet, "/v1/me", "The authenticated user", "accounts"), s.me)
	huma.Register(a, op("list-workspaces", http.MethodGet, "/v1/workspaces", "Workspaces the user can open", "workspaces"), s.listWorkspaces)
	huma.Register(a, created(op("create-workspace", http.MethodPost, "/v1/workspaces", "Create a workspace (organisation owners)", "workspaces")), s.createWorkspace)
	huma.Register(a, op("get-workspace", http.MethodGet, "/v1/workspaces/{ws}", "A workspace", "workspaces"), s.getWorkspace)
	huma.Register(a, op("update-workspace", http.MethodPatch, "/v1/workspaces/{ws}", "Change a workspace's settings", "workspaces"), s.updateWorkspace)
	huma.Register(a, op("list-members", http.MethodGet, "/v1/workspaces/{ws}/members", "Members and their roles", "workspaces"), s.listMembers)
	huma.Register(a, op("set-member-role", http.MethodPut, "/v1/workspaces/{ws}/members/{user}", "Set a member's role", "workspaces"), s.setRole)
	huma.Register(a, op("remove-member", http.MethodDelete, "/v1/workspaces/{ws}/members/{user}", "Remove a member", "workspaces"), s.removeMember)
	huma.Register(a, created(op("invite", http.MethodPost, "/v1/workspaces/{ws}/invitations", "Invite someone with a role", "workspaces")), s.invite)
	huma.Register(a, created(op("accept-invitation", http.MethodPost, "/v1/invitations/{token}", "Accept an invitation", "workspaces")), s.acceptInvitation)

	// Channels.
	huma.Register(a, op("list-channels", http.MethodGet, "/v1/workspaces/{ws}/channels", "Connected channels", "channels"), s.listChannels)
	huma.Register(a, created(op("connect-sandbox", http.MethodPost, "/v1/workspaces/{ws}/channels/sandbox", "Connect a Sandbox account", "channels")), s.connectSandbox)
	huma.Register(a, created(op("connect-bluesky", http.MethodPost, "/v1/workspaces/{ws}/channels/bluesky", "Connect a Bluesky account with an app password", "channels")), s.connectBluesky)
	huma.Register(a, op("connect-mastodon", http.MethodPost, "/v1/workspaces/{ws}/channels/mastodon", "Start connecting a Mastodon account: returns the address where the user authorises Tribune", "channels"), s.connectMastodon)
	huma.Register(a, op("delete-channel", http.MethodDelete, "/v1/channels/{id}", "Disconnect a channel", "channels"), s.deleteChannel)
	huma.Register(a, op("update-channel", http.MethodPatch, "/v1/channels/{id}", "Change a channel's settings (a Mastodon channel's default visibility)", "channels"), s.updateChannel)
	huma.Register(a, op("refresh-channel", http.MethodPost, "/v1/channels/{id}/refresh", "Read a Mastodon channel's server again: handle, limits and how it counts characters", "channels"), s.refreshChannel)
	huma.Register(a, op("get-queue", http.MethodGet, "/v1/channels/{id}/queue", "A channel's weekly time slots", "channels"), s.getQueue)
	huma.Register(a, op("set-queue", http.MethodPut, "/v1/channels/{id}/queue", "Replace a channel's weekly time slots", "channels"), s.setQueue)
	huma.Register(a, op("queued-posts", http.MethodGet, "/v1/channels/{id}/queued-posts", "The channel's queue: posts at its slots, in the order they publish", "channels"), s.queuedPosts)
	moveQueued := op("move-queued-post", http.MethodPost, "/v1/channels/{id}/queued-posts/move", "Swap a queued post with its neighbour (up: earlier)", "channels")
	moveQueued.Description = moveQueuedDoc
	huma.Register(a, moveQueued, s.moveQueuedPost)
	huma.Register(a, op("calendar-share", http.MethodGet, "/v1/workspaces/{ws}/calendar-share", "Whether a read-only share link of the calendar works (never the link)", "calendar"), s.calendarShare)
	huma.Register(a, op("rotate-calendar-share", http.MethodPost, "/v1/workspaces/{ws}/calendar-share", "Make a new read-only share link of the calendar for a client, shown once; the previous one stops working", "calendar"), s.rotateCalendarShare)
	huma.Register(a, noContent(op("revoke-calendar-share", http.MethodDelete, "/v1/workspaces/{ws}/calendar-share", "Stop the calendar's share link", "calendar")), s.revokeCalendarShare)
	huma.Register(a, op("empty-queue", http.MethodPost, "/v1/channels/{id}/queued-posts/empty", "Take every queued post of the channel back to draft", "channels"), s.emptyQueue)
	huma.Register(a, op("sandbox-faults", http.MethodPut, "/v1/channels/{id}/sandbox-faults", "Make a Sandbox channel fail, rate-limit or time out", "channels"), s.setFaults)
	huma.Register(a, op("get-sandbox-audience", http.MethodGet, "/v1/channels/{id}/sandbox-audience", "How a Sandbox channel's simulated audience writes to it", "channels"), s.getAudience)
	huma.Register(a, op("sandbox-audience", http.MethodPut, "/v1/channels/{id}/sandbox-audience", "Set a Sandbox channel's simulated audience: rate, sentiment mix, languages, a storm of angry comments", "channels"), s.setAudience)

	// Media.
	huma.Register(a, op("list-media", http.MethodGet, "/v1/workspaces/{ws}/media", "The media library", "media"), s.listMedia)
	upload := created(op("upload-media", http.MethodPost, "/v1/workspaces/{ws}/media", "Upload an image or a video", "media"))
	upload.MaxBodyBytes = s.Media.Limit() + media.UploadEnvelope
	upload.Description = fmt.Sprintf("multipart/form-data: `file`, optional `alt` and `tags`. Files are limited to %d MB; a larger body is answered 413 without being read.", s.Media.Limit()>>20)
	upload.Middlewares = huma.Middlewares{s.parseUpload}
	huma.Register(a, upload, s.uploadMedia)
	huma.Register(a, op("describe-media", http.MethodPatch, "/v1/media/{id}", "Change alt text and tags", "media"), s.describeMedia)

	// Posts.
	huma.Register(a, created(op("create-post", http.MethodPost, "/v1/workspaces/{ws}/posts", "Create a post (draft, submit, schedule, queue or publish now)", "posts")), s.createPost)
	huma.Register(a, op("check-post", http.MethodPost, "/v1/workspaces/{ws}/posts/check", "Validate variants against each network's rules without saving", "posts"), s.checkPost)
	huma.Register(a, op("get-post", http.MethodGet, "/v1/posts/{id}", "A post with its variants", "posts"), s.getPost)
	huma.Register(a, op("update-post", http.MethodPut, "/v1/posts/{id}", "Replace a post's content and apply an action; send `version` to refuse a stale edit", "posts"), s.updatePost)
	huma.Register(a, op("delete-post", http.MethodDelete, "/v1/posts/{id}", "Delete a post (published variants are deleted from their networks where allowed)", "posts"), s.deletePost)
	huma.Register(a, op("post-history", http.MethodGet, "/v1/posts/{id}/history", "Comments, versions and the publish log", "posts"), s.history)
	huma.Register(a, op("approve-post", http.MethodPost, "/v1/posts/{id}/approve", "Approve a post waiting for approval", "workflow"), s.approve)
	huma.Register(a, op("reject-post", http.MethodPost, "/v1/posts/{id}/reject", "Reject a post with a reason", "workflow"), s.reject)
	huma.Register(a, op("move-post", http.MethodPost, "/v1/posts/{id}/move", "Reschedule to a new wall-clock time", "workflow"), s.move)
	huma.Register(a, op("unschedule-post", http.MethodPost, "/v1/posts/{id}/unschedule", "Back to draft", "workflow"), s.unschedule)
	huma.Register(a, op("publish-now", http.MethodPost, "/v1/posts/{id}/publish-now", "Publish now (re-trigger)", "workflow"), s.publishNow)
	huma.Register(a, created(op("comment-post", http.MethodPost, "/v1/posts/{id}/comments", "Comment on a post", "workflow")), s.comment)
	huma.Register(a, created(op("review-link", http.MethodPost, "/v1/posts/{id}/review-links", "Create a secret approval link for a client reviewer", "workflow")), s.reviewLink)
	huma.Register(a, op("retry-variant", http.MethodPost, "/v1/variants/{id}/retry", "Retry a failed variant, or one whose outcome is unknown once checked", "workflow"), s.retry)
	huma.Register(a, op("get-review", http.MethodGet, "/v1/reviews/{token}", "What a reviewer's link shows", "workflow"), s.getReview)
	huma.Register(a, op("decide-review", http.MethodPost, "/v1/reviews/{token}", "Approve or reject through a reviewer's link", "workflow"), s.decideReview)

	// Calendar, bulk, crisis, status.
	huma.Register(a, op("calendar", http.MethodGet, "/v1/workspaces/{ws}/calendar", "Posts between two instants, with filters", "calendar"), s.calendar)
	huma.Register(a, op("import-csv", http.MethodPost, "/v1/workspaces/{ws}/import", "Import a CSV (Tribune, Hootsuite, Sprout Social, Agorapulse, SocialBee or Buffer layout); every row is reported", "calendar"), s.importCSV)
	huma.Register(a, op("export-csv", http.MethodGet, "/v1/workspaces/{ws}/export.csv", "Export the calendar as CSV", "calendar"), s.exportCSV)
	huma.Register(a, op("pause", http.MethodPost, "/v1/workspaces/{ws}/pause", "Crisis switch: hold every due post", "crisis"), s.pause)
	huma.Register(a, op("held", http.MethodGet, "/v1/workspaces/{ws}/held", "Variants held while paused", "crisis"), s.held)
	huma.Register(a, op("resume", http.MethodPost, "/v1/workspaces/{ws}/resume", "Resume publishing; send the chosen held variants now", "crisis"), s.resume)
	huma.Register(a, op("status", http.MethodGet, "/v1/status", "Nodes, queues, overdue posts and recent errors", "operations"), s.status)
	huma.Register(a, op("notifications", http.MethodGet, "/v1/notifications", "The user's notifications", "accounts"), s.notifications)

	s.secretRoutes(a)
	s.sentimentRoutes(a)
	s.inboxRoutes(a)
	s.webhookRoutes(a)
	s.inboxSLARoutes(a)
	s.inboxCorrectionRoutes(a)
	s.inboxReplyApprovalRoutes(a)
	s.moderationRoutes(a)
	s.contactRoutes(a)
	s.inboxViewRoutes(a)
	s.crisisRoutes(a)
	s.listenRoutes(a)
	s.listenAnalysisRoutes(a)
	s.listenAlertRoutes(a)
}

// ---- accounts

type setupIn struct {
	Body auth.SignUpInput
}

type userOut struct {
	ID       int64  `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Locale   string `json:"locale"`
	Timezone string `json:"timezone"`
	OrgRole  string `json:"org_role"`
}

func toUser(u store.User) userOut {
	return userOut{u.ID, u.Email, u.Name, u.Locale, u.Timezone, u.OrgRole}
}

type workspaceOut struct {
	ID                   int64      `json:"id"`
	Name                 string     `json:"name"`
	Timezone             string     `json:"timezone"`
	RequireApproval      bool       `json:"require_approval"`
	DuplicateWindowHours int64      `json:"duplicate_window_hours"`
	ScheduleHorizonDays  int64      `json:"schedule_horizon_days"`
	PausedAt             *time.Time `json:"paused_at,omitempty"`
	Role                 string     `json:"role,omitempty"`
}

func toWorkspace(w store.Workspace, role auth.Role) workspaceOut {
	// The iCal URL is not here: only its hash is kept (POST …/ical-secret
	// makes a new one and shows it once).
	return workspaceOut{ID: w.ID, Name: w.Name, Timezone: w.Timezone, RequireApproval: w.RequireApproval, DuplicateWindowHours: w.DuplicateWindowHours, ScheduleHorizonDays: w.ScheduleHorizonDays, PausedAt: w.PausedAt, Role: string(role)}
}

func (s *server) setup(ctx context.Context, in *setupIn) (*body[setupOut], error) {
	u, ws, err := s.Auth.SignUpOwner(ctx, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	out := &body[setupOut]{}
	out.Body.User, out.Body.Workspace = toUser(u), toWorkspace(ws, auth.Owner)
	return out, nil
}

type tokenIn struct {
	Body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name" default:"API"`
		// ExpiresAt is optional: without it the token works until revoked.
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"When the token stops working; omit for a token that works until revoked"`
	}
}

type tokenOut struct {
	Body struct {
		Token string `json:"token" doc:"Shown once: keep it."`
		ID    int64  `json:"id"`
	}
}

func (s *server) createToken(ctx context.Context, in *tokenIn) (*tokenOut, error) {
	u, err := s.Auth.Authenticate(ctx, in.Body.Email, in.Body.Password)
	if err != nil {
		return nil, s.fail(err)
	}
	tok, row, err := s.Auth.CreateAPIToken(ctx, u, in.Body.Name, in.Body.ExpiresAt)
	if err != nil {
		return nil, s.fail(err)
	}
	out := &tokenOut{}
	out.Body.Token, out.Body.ID = tok, row.ID
	return out, nil
}

func (s *server) me(ctx context.Context, _ *struct{}) (*body[userOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[userOut]{toUser(u)}, nil
}

func (s *server) listWorkspaces(ctx context.Context, _ *struct{}) (*body[[]workspaceOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	ws, err := s.Auth.Workspaces(ctx, u)
	if err != nil {
		return nil, s.fail(err)
	}
	out := []workspaceOut{}
	for _, w := range ws {
		out = append(out, toWorkspace(w.Workspace, w.Role))
	}
	return &body[[]workspaceOut]{out}, nil
}

type workspaceIn struct {
	Body struct {
		Name     string `json:"name" minLength:"1"`
		Timezone string `json:"timezone" default:"UTC"`
	}
}

func (s *server) createWorkspace(ctx context.Context, in *workspaceIn) (*body[workspaceOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	ws, err := s.Auth.AddWorkspace(ctx, u, in.Body.Name, in.Body.Timezone)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[workspaceOut]{toWorkspace(ws, auth.Owner)}, nil
}

func (s *server) getWorkspace(ctx context.Context, in *wsPath) (*body[workspaceOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	ws, role, err := s.Auth.Authorize(ctx, u, in.WS, auth.View)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[workspaceOut]{toWorkspace(ws, role)}, nil
}

type workspacePatch struct {
	WS   int64 `path:"ws"`
	Body struct {
		Name                 *string `json:"name,omitempty"`
		Timezone             *string `json:"timezone,omitempty"`
		RequireApproval      *bool   `json:"require_approval,omitempty"`
		DuplicateWindowHours *int64  `json:"duplicate_window_hours,omitempty" minimum:"0" maximum:"720"`
		ScheduleHorizonDays  *int64  `json:"schedule_horizon_days,omitempty" doc:"How many days ahead posts may be scheduled (1 to 3650; default 730)"`
	}
}

func (s *server) updateWorkspace(ctx context.Context, in *workspacePatch) (*body[workspaceOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	b := in.Body
	ws, role, err := s.Posts.UpdateWorkspace(ctx, u, in.WS, posts.WorkspaceSettings{Name: b.Name, Timezone: b.Timezone, RequireApproval: b.RequireApproval,
		DuplicateWindowHours: b.DuplicateWindowHours, ScheduleHorizonDays: b.ScheduleHorizonDays})
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[workspaceOut]{toWorkspace(ws, role)}, nil
}

func (s *server) listMembers(ctx context.Context, in *wsPath) (*body[[]store.ListMembersRow], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	m, err := s.Auth.Members(ctx, u, in.WS)
	return &body[[]store.ListMembersRow]{m}, s.fail(err)
}

type memberIn struct {
	WS   int64 `path:"ws"`
	User int64 `path:"user"`
	Body struct {
		Role auth.Role `json:"role"`
	}
}

func (s *server) setRole(ctx context.Context, in *memberIn) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Auth.SetRole(ctx, u, in.WS, in.User, in.Body.Role))
}

type memberPath struct {
	WS   int64 `path:"ws"`
	User int64 `path:"user"`
}

func (s *server) removeMember(ctx context.Context, in *memberPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Auth.RemoveMember(ctx, u, in.WS, in.User))
}

type inviteIn struct {
	WS   int64 `path:"ws"`
	Body struct {
		Email string    `json:"email"`
		Role  auth.Role `json:"role"`
	}
}

func (s *server) invite(ctx context.Context, in *inviteIn) (*body[secretLinkOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	tok, err := s.Auth.Invite(ctx, u, in.WS, in.Body.Email, in.Body.Role)
	if err != nil {
		return nil, s.fail(err)
	}
	out := &body[secretLinkOut]{}
	out.Body.Token, out.Body.Path = tok, "/invite/"+tok
	return out, nil
}

type acceptIn struct {
	Token string `path:"token"`
	Body  struct {
		Name     string `json:"name"`
		Password string `json:"password"`
		Locale   string `json:"locale,omitempty"`
	}
}

func (s *server) acceptInvitation(ctx context.Context, in *acceptIn) (*body[userOut], error) {
	u, err := s.Auth.AcceptInvitation(ctx, in.Token, in.Body.Name, in.Body.Password, in.Body.Locale)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[userOut]{toUser(u)}, nil
}

// ---- channels

type channelOut struct {
	ID        int64  `json:"id"`
	Network   string `json:"network"`
	Name      string `json:"name"`
	Handle    string `json:"handle"`
	Status    string `json:"status"`
	MaxChars  int64  `json:"max_chars,omitempty"`
	URLLength int64  `json:"url_length,omitempty"`
	Counting  string `json:"counting,omitempty" doc:"How the channel's server counts characters: mastodon (a link counts url_length) or characters (every character, links included, as GoToSocial does)"`
	// DefaultVisibility is the visibility of posts whose author chose none.
	DefaultVisibility network.Visibility `json:"default_visibility,omitempty" doc:"Mastodon channels: public, unlisted, private (followers only) or direct, for posts that choose none"`
	// RateLimitedUntil is set while the account's rate limit holds.
	RateLimitedUntil *time.Time `json:"rate_limited_until,omitempty" doc:"While the network's rate limit for this account holds (heard by publishing or by inbox polling, which share the account's budget): when it ends. Posts due meanwhile wait and the inbox is not read until then."`
}

func (s *server) toChannel(c store.Channel) channelOut {
	out := channelOut{ID: c.ID, Network: c.Network, Name: c.Name, Handle: c.Handle, Status: c.Status, MaxChars: c.MaxChars, URLLength: c.URLLength,
		Counting: c.TextCounting, DefaultVisibility: network.Visibility(c.DefaultVisibility)}
	if until, held := channels.LimitHolds(c, s.Now()); held {
		out.RateLimitedUntil = &until
	}
	return out
}

func (s *server) listChannels(ctx context.Context, in *wsPath) (*body[[]channelOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	chs, err := s.Channels.List(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	out := []channelOut{}
	for _, c := range chs {
		out = append(out, s.toChannel(c))
	}
	return &body[[]channelOut]{out}, nil
}

type sandboxIn struct {
	WS   int64 `path:"ws"`
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"64"`
	}
}

func (s *server) connectSandbox(ctx context.Context, in *sandboxIn) (*body[channelOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	ch, err := s.Channels.ConnectSandbox(ctx, u, in.WS, in.Body.Name)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[channelOut]{s.toChannel(ch)}, nil
}

type blueskyIn struct {
	WS   int64 `path:"ws"`
	Body struct {
		PDSURL      string `json:"pds_url,omitempty" doc:"Default https://bsky.social"`
		Handle      string `json:"handle"`
		AppPassword string `json:"app_password"`
	}
}

func (s *server) connectBluesky(ctx context.Context, in *blueskyIn) (*body[channelOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	ch, err := s.Channels.ConnectBluesky(ctx, u, in.WS, in.Body.PDSURL, in.Body.Handle, in.Body.AppPassword)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[channelOut]{s.toChannel(ch)}, nil
}

type mastodonIn struct {
	WS   int64 `path:"ws"`
	Body struct {
		InstanceURL string `json:"instance_url"`
	}
}

func (s *server) connectMastodon(ctx context.Context, in *mastodonIn) (*body[authorizeOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	link, err := s.Channels.StartMastodon(ctx, u, in.WS, in.Body.InstanceURL)
	if err != nil {
		return nil, s.fail(err)
	}
	out := &body[authorizeOut]{}
	out.Body.AuthorizeURL = link
	return out, nil
}

func (s *server) deleteChannel(ctx context.Context, in *idPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Channels.Disconnect(ctx, u, in.ID))
}

// channelSettings is what a channel's owner may change. A named type, so
// the OpenAPI schema gets a valid component name.
type channelSettings struct {
	DefaultVisibility network.Visibility `json:"default_visibility" enum:"public,unlisted,private,direct" doc:"The visibility of posts whose author chooses none"`
}

type channelIn struct {
	ID   int64 `path:"id"`
	Body channelSettings
}

func (s *server) updateChannel(ctx context.Context, in *channelIn) (*body[channelOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	ch, err := s.Channels.SetDefaultVisibility(ctx, u, in.ID, in.Body.DefaultVisibility)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[channelOut]{s.toChannel(ch)}, nil
}

func (s *server) refreshChannel(ctx context.Context, in *idPath) (*body[channelOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	ch, err := s.Channels.RefreshMastodon(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[channelOut]{s.toChannel(ch)}, nil
}

type slotJSON struct {
	Weekday int    `json:"weekday" minimum:"0" maximum:"6" doc:"0 Sunday … 6 Saturday"`
	Time    string `json:"time" pattern:"^[0-2][0-9]:[0-5][0-9]$" doc:"HH:MM in the workspace's time zone"`
}

func (s *server) getQueue(ctx context.Context, in *idPath) (*body[[]slotJSON], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	slots, err := s.Channels.Queue(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	out := []slotJSON{}
	for _, sl := range slots {
		out = append(out, slotJSON{int(sl.Weekday), clock(sl.Minute)})
	}
	return &body[[]slotJSON]{out}, nil
}

func clock(min int) string {
	return time.Date(2000, 1, 1, min/60, min%60, 0, 0, time.UTC).Format("15:04")
}

type queueIn struct {
	ID   int64 `path:"id"`
	Body []slotJSON
}

func (s *server) setQueue(ctx context.Context, in *queueIn) (*body[[]slotJSON], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	var slots []schedule.Slot
	for _, sl := range in.Body {
		t, err := time.Parse("15:04", sl.Time)
		if err != nil {
			return nil, s.fail(problem.Invalidf("time", "bad_time", "Times are HH:MM."))
		}
		slots = append(slots, schedule.Slot{Weekday: time.Weekday(sl.Weekday), Minute: t.Hour()*60 + t.Minute()})
	}
	if err := s.Channels.SetQueue(ctx, u, in.ID, slots); err != nil {
		return nil, s.fail(err)
	}
	return s.getQueue(ctx, &idPath{in.ID})
}

// moveQueuedDoc is the move's description in the API document: what the
// queue page asks before moving a post on several channels, an API client
// reads here.
const moveQueuedDoc = "The post takes its neighbour's time and the neighbour takes the post's. " +
	"A post has one time for all its channels: moving a post that is on several channels (`channels` above 1 in the queue's list) " +
	"moves it on every one of them, and on a channel where the new time is not a queue slot it leaves that channel's queue."

// QueuedPost is one post of a channel's queue.
type QueuedPost struct {
	PostID      int64     `json:"post_id"`
	Status      string    `json:"status"`
	ScheduledAt time.Time `json:"scheduled_at"`
	Title       string    `json:"title"`
	Channels    int       `json:"channels" doc:"How many channels the post is on; moving it moves it on all of them"`
}

func (s *server) queuedOut(es []posts.QueueEntry) *body[[]QueuedPost] {
	out := []QueuedPost{}
	for _, e := range es {
		out = append(out, QueuedPost{PostID: e.Post.ID, Status: e.Post.Status, ScheduledAt: *e.Post.ScheduledAt, Title: e.Title, Channels: e.Channels})
	}
	return &body[[]QueuedPost]{out}
}

// queueChannel is the channel of the path, to a member who may view it.
func (s *server) queueChannel(ctx context.Context, id int64) (store.User, store.Channel, error) {
	u, err := user(ctx)
	if err != nil {
		return u, store.Channel{}, err
	}
	ch, err := s.Channels.Get(ctx, u, id, auth.View)
	return u, ch, err
}

func (s *server) queuedPosts(ctx context.Context, in *idPath) (*body[[]QueuedPost], error) {
	u, ch, err := s.queueChannel(ctx, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	es, err := s.Posts.Queue(ctx, u, ch.WorkspaceID, ch.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return s.queuedOut(es), nil
}

type moveQueuedIn struct {
	ID   int64 `path:"id"`
	Body struct {
		PostID    int64  `json:"post_id" minimum:"1"`
		Direction string `json:"direction" enum:"up,down"`
	}
}

func (s *server) moveQueuedPost(ctx context.Context, in *moveQueuedIn) (*body[[]QueuedPost], error) {
	u, ch, err := s.queueChannel(ctx, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	dir := posts.QueueDown
	if in.Body.Direction == "up" {
		dir = posts.QueueUp
	}
	es, err := s.Posts.MoveInQueue(ctx, u, ch.WorkspaceID, ch.ID, in.Body.PostID, dir)
	if err != nil {
		return nil, s.fail(err)
	}
	return s.queuedOut(es), nil
}

// EmptiedQueue says how many posts went back to draft.
type EmptiedQueue struct {
	Unscheduled int `json:"unscheduled"`
}

func (s *server) emptyQueue(ctx context.Context, in *idPath) (*body[EmptiedQueue], error) {
	u, ch, err := s.queueChannel(ctx, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	n, err := s.Posts.EmptyQueue(ctx, u, ch.WorkspaceID, ch.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[EmptiedQueue]{EmptiedQueue{n}}, nil
}

// CalendarShareOut is the state of a workspace's calendar share link.
type CalendarShareOut struct {
	Active     bool       `json:"active"`
	ShowDrafts bool       `json:"show_drafts"`
	Since      *time.Time `json:"since,omitempty"`
}

func (s *server) calendarShare(ctx context.Context, in *wsPath) (*body[CalendarShareOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	st, err := s.Calendar.Share(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	out := CalendarShareOut{Active: st.Active, ShowDrafts: st.ShowDrafts}
	if st.Active {
		out.Since = &st.Since
	}
	return &body[CalendarShareOut]{out}, nil
}

type rotateShareIn struct {
	WS   int64 `path:"ws"`
	Body struct {
		ShowDrafts bool `json:"show_drafts,omitempty" doc:"Show drafts on the shared calendar too"`
	}
}

// CalendarShareLinkOut is a new share link.
type CalendarShareLinkOut struct {
	URL string `json:"share_url" doc:"Shown once: only its hash is kept"`
}

func (s *server) rotateCalendarShare(ctx context.Context, in *rotateShareIn) (*body[CalendarShareLinkOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	link, err := s.Calendar.RotateShare(ctx, u, in.WS, in.Body.ShowDrafts)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[CalendarShareLinkOut]{CalendarShareLinkOut{link}}, nil
}

func (s *server) revokeCalendarShare(ctx context.Context, in *wsPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Calendar.RevokeShare(ctx, u, in.WS))
}

type faultsIn struct {
	ID   int64 `path:"id"`
	Body sandbox.Faults
}

func (s *server) setFaults(ctx context.Context, in *faultsIn) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Channels.SimulateFaults(ctx, u, in.ID, in.Body))
}

// audienceIn is a Sandbox channel's simulated audience, as set.
type audienceIn struct {
	Rate         float64  `json:"rate" minimum:"0" maximum:"60" doc:"Items per minute the audience writes: comments, replies, mentions, quotes, direct messages, reviews (0: silent)"`
	Positive     int      `json:"positive,omitempty" minimum:"0" maximum:"100" doc:"Share of positive items, in percent; the three shares add up to 100 (all 0: 50/30/20)"`
	Neutral      int      `json:"neutral,omitempty" minimum:"0" maximum:"100" doc:"Share of neutral items, in percent"`
	Negative     int      `json:"negative,omitempty" minimum:"0" maximum:"100" doc:"Share of negative items, in percent"`
	Languages    []string `json:"languages,omitempty" maxItems:"2" doc:"fr, en or both (default both)"`
	StormMinutes int      `json:"storm_minutes,omitempty" minimum:"0" maximum:"60" doc:"Start a storm now: a burst of angry comments lasting this many minutes"`
	EndStorm     bool     `json:"end_storm,omitempty" doc:"End the current storm now"`
}

// audienceOut is the audience as the Sandbox holds it.
type audienceOut struct {
	Rate       float64    `json:"rate"`
	Positive   int        `json:"positive"`
	Neutral    int        `json:"neutral"`
	Negative   int        `json:"negative"`
	Languages  []string   `json:"languages"`
	StormUntil *time.Time `json:"storm_until,omitempty" doc:"When the current storm ends, if one is on"`
}

func toAudienceOut(a sandbox.Audience) audienceOut {
	out := audienceOut{Rate: a.Rate, Positive: a.Positive, Neutral: a.Neutral, Negative: a.Negative, Languages: a.Languages}
	if out.Languages == nil {
		out.Languages = []string{}
	}
	if !a.StormUntil.IsZero() {
		out.StormUntil = &a.StormUntil
	}
	return out
}

func (s *server) getAudience(ctx context.Context, in *idPath) (*body[audienceOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	a, err := s.Channels.SandboxAudience(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[audienceOut]{toAudienceOut(a)}, nil
}

type setAudienceIn struct {
	ID   int64 `path:"id"`
	Body audienceIn
}

func (s *server) setAudience(ctx context.Context, in *setAudienceIn) (*body[audienceOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	b := in.Body
	a, err := s.Channels.SetSandboxAudience(ctx, u, in.ID, sandbox.Audience{Rate: b.Rate, Positive: b.Positive, Neutral: b.Neutral,
		Negative: b.Negative, Languages: b.Languages, StormMinutes: b.StormMinutes, EndStorm: b.EndStorm})
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[audienceOut]{toAudienceOut(a)}, nil
}

// ---- media

type mediaOut struct {
	ID       int64    `json:"id"`
	Filename string   `json:"filename"`
	MIME     string   `json:"mime"`
	Size     int64    `json:"size"`
	Width    int64    `json:"width,omitempty"`
	Height   int64    `json:"height,omitempty"`
	Alt      string   `json:"alt"`
	Tags     []string `json:"tags"`
	URL      string   `json:"url"`
}

func toMedia(m store.Media) mediaOut {
	return mediaOut{m.ID, m.Filename, m.MIME, m.SizeBytes, m.Width, m.Height, m.Alt, media.Tags(m), "/media/" + itoa(int(m.ID))}
}

func (s *server) listMedia(ctx context.Context, in *wsPath) (*body[[]mediaOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	ms, err := s.Media.List(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	out := []mediaOut{}
	for _, m := range ms {
		out = append(out, toMedia(m))
	}
	return &body[[]mediaOut]{out}, nil
}

type uploadIn struct {
	WS      int64 `path:"ws"`
	RawBody huma.MultipartFormFiles[struct {
		File huma.FormFile `form:"file" required:"true"`
		// Optional: huma makes a field without omitempty required.
		Alt  string   `form:"alt" required:"false" doc:"Alt text (optional)"`
		Tags []string `form:"tags" required:"false" doc:"Tags (optional; repeat the field for several)"`
	}]
}

func (s *server) uploadMedia(ctx context.Context, in *uploadIn) (*body[mediaOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	d := in.RawBody.Data()
	defer d.File.Close()
	m, err := s.Media.Upload(ctx, u, in.WS, d.File.Filename, d.File, d.Alt, d.Tags)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[mediaOut]{toMedia(m)}, nil
}

type describeIn struct {
	ID   int64 `path:"id"`
	Body struct {
		Alt  string   `json:"alt"`
		Tags []string `json:"tags"`
	}
}

func (s *server) describeMedia(ctx context.Context, in *describeIn) (*body[mediaOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	m, err := s.Media.Describe(ctx, u, in.ID, in.Body.Alt, in.Body.Tags)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[mediaOut]{toMedia(m)}, nil
}

// ---- posts

type postIn struct {
	posts.Input
	Action posts.Action `json:"action" enum:"draft,submit,schedule,queue,publish_now" default:"draft"`
}

type createPostIn struct {
	WS   int64 `path:"ws"`
	Body postIn
}

func (s *server) createPost(ctx context.Context, in *createPostIn) (*body[PostOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	v, err := s.Posts.Save(ctx, u, in.WS, 0, in.Body.Input, in.Body.Action)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[PostOut]{toPost(v)}, nil
}

type checkIn struct {
	WS   int64 `path:"ws"`
	Body posts.Input
}

type checkOut struct {
	ChannelID int64  `json:"channel_id"`
	Network   string `json:"network"`
	Used      int    `json:"used"`
	Max       int    `json:"max"`
	Problems  []any  `json:"problems"`
}

func (s *server) checkPost(ctx context.Context, in *checkIn) (*body[[]checkOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	views, err := s.Posts.Check(ctx, u, in.WS, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	out := []checkOut{}
	for _, v := range views {
		c := checkOut{ChannelID: v.Channel.ID, Network: v.Channel.Network, Used: v.Count.Used, Max: v.Count.Max, Problems: []any{}}
		for _, p := range v.Problems {
			c.Problems = append(c.Problems, p)
		}
		out = append(out, c)
	}
	return &body[[]checkOut]{out}, nil
}

func (s *server) getPost(ctx context.Context, in *idPath) (*body[PostOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	v, _, _, err := s.Posts.Get(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[PostOut]{toPost(v)}, nil
}

type updatePostIn struct {
	ID   int64 `path:"id"`
	Body postIn
}

func (s *server) updatePost(ctx context.Context, in *updatePostIn) (*body[PostOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	v, err := s.Posts.Update(ctx, u, in.ID, in.Body.Input, in.Body.Action)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[PostOut]{toPost(v)}, nil
}

func (s *server) deletePost(ctx context.Context, in *idPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Posts.Delete(ctx, u, in.ID))
}

func (s *server) history(ctx context.Context, in *idPath) (*body[posts.History], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	h, err := s.Posts.History(ctx, u, in.ID)
	for i := range h.Links {
		h.Links[i].TokenHash = ""
	}
	return &body[posts.History]{h}, s.fail(err)
}

type noteIn struct {
	ID   int64 `path:"id"`
	Body struct {
		Note    string `json:"note,omitempty"`
		Version int64  `json:"version,omitempty" doc:"The post version you reviewed: the approval is refused (409) if the post changed since"`
	}
}

func (s *server) approve(ctx context.Context, in *noteIn) (*body[PostOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	v, err := s.Posts.Approve(ctx, u, in.ID, in.Body.Version, in.Body.Note)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[PostOut]{toPost(v)}, nil
}

type reasonIn struct {
	ID   int64 `path:"id"`
	Body struct {
		Reason string `json:"reason"`
	}
}

func (s *server) reject(ctx context.Context, in *reasonIn) (*body[PostOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	v, err := s.Posts.Reject(ctx, u, in.ID, in.Body.Reason)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[PostOut]{toPost(v)}, nil
}

type moveIn struct {
	ID   int64 `path:"id"`
	Body struct {
		ScheduledLocal string `json:"scheduled_local" doc:"Wall-clock time 2006-01-02T15:04 in the post's time zone"`
	}
}

func (s *server) move(ctx context.Context, in *moveIn) (*body[PostOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	v, err := s.Posts.Move(ctx, u, in.ID, in.Body.ScheduledLocal)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[PostOut]{toPost(v)}, nil
}

func (s *server) unschedule(ctx context.Context, in *idPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Posts.Unschedule(ctx, u, in.ID))
}

func (s *server) publishNow(ctx context.Context, in *idPath) (*body[PostOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	v, _, _, err := s.Posts.Get(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	input := v.Input()
	input.ScheduledLocal = ""
	input.Version = v.Post.Version
	v, err = s.Posts.Save(ctx, u, v.Post.WorkspaceID, in.ID, input, posts.PublishNow)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[PostOut]{toPost(v)}, nil
}

type commentIn struct {
	ID   int64 `path:"id"`
	Body struct {
		Body string `json:"body"`
	}
}

func (s *server) comment(ctx context.Context, in *commentIn) (*body[store.PostComment], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	c, err := s.Posts.Comment(ctx, u, in.ID, in.Body.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[store.PostComment]{c}, nil
}

type reviewLinkIn struct {
	ID   int64 `path:"id"`
	Body struct {
		Reviewer string `json:"reviewer"`
	}
}

func (s *server) reviewLink(ctx context.Context, in *reviewLinkIn) (*body[secretLinkOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	tok, err := s.Posts.CreateReviewLink(ctx, u, in.ID, in.Body.Reviewer)
	if err != nil {
		return nil, s.fail(err)
	}
	out := &body[secretLinkOut]{}
	out.Body.Token, out.Body.Path = tok, "/review/"+tok
	return out, nil
}

type retryIn struct {
	ID   int64 `path:"id"`
	Body struct {
		ConfirmNotPublished bool `json:"confirm_not_published,omitempty" doc:"Required for a variant whose outcome is unknown: you checked the network and the post is not there."`
	}
}

func (s *server) retry(ctx context.Context, in *retryIn) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Posts.Retry(ctx, u, in.ID, in.Body.ConfirmNotPublished))
}

type tokenPath struct {
	Token string `path:"token"`
}

func (s *server) getReview(ctx context.Context, in *tokenPath) (*body[PostOut], error) {
	r, err := s.Posts.ReviewByToken(ctx, in.Token)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[PostOut]{toPost(r.View)}, nil
}

type decideIn struct {
	Token string `path:"token"`
	Body  struct {
		Decision string `json:"decision" enum:"approve,reject"`
		Reason   string `json:"reason,omitempty"`
	}
}

func (s *server) decideReview(ctx context.Context, in *decideIn) (*struct{}, error) {
	return nil, s.fail(s.Posts.DecideByToken(ctx, in.Token, in.Body.Decision == "approve", in.Body.Reason))
}

// ---- calendar, bulk, crisis, status

type calendarIn struct {
	WS      int64     `path:"ws"`
	From    time.Time `query:"from" required:"true"`
	To      time.Time `query:"to" required:"true"`
	Channel int64     `query:"channel"`
	Status  string    `query:"status"`
	Author  int64     `query:"author"`
	Tag     string    `query:"tag"`
	After   string    `query:"after" doc:"Where to go on from: the Tribune-Next-Cursor header of the previous page (same from and to)"`
}

type calendarOut struct {
	Truncated bool   `header:"Tribune-Truncated" doc:"true when the range holds more than 5,000 posts after the cursor: only the first 5,000 are returned"`
	Next      string `header:"Tribune-Next-Cursor" doc:"With Tribune-Truncated: pass it as after to read the next page"`
	Body      []PostOut
}

func (s *server) calendar(ctx context.Context, in *calendarIn) (*calendarOut, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	f := calendar.Filter{}
	if in.Channel != 0 {
		f.ChannelID = &in.Channel
	}
	if in.Status != "" {
		f.Status = &in.Status
	}
	if in.Author != 0 {
		f.AuthorID = &in.Author
	}
	if in.Tag != "" {
		f.Tag = &in.Tag
	}
	after, err := calendar.ParseCursor(in.After)
	if err != nil {
		return nil, s.fail(err)
	}
	page, _, err := s.Calendar.Range(ctx, u, in.WS, in.From, in.To, f, after)
	if err != nil {
		return nil, s.fail(err)
	}
	out := []PostOut{}
	for _, e := range page.Entries {
		v := posts.View{Post: e.Post}
		for i, pv := range e.Variants {
			v.Variants = append(v.Variants, posts.VariantView{PostVariant: pv, Channel: e.Channels[i]})
		}
		out = append(out, toPost(v))
	}
	return &calendarOut{Truncated: page.Truncated, Next: page.Next.String(), Body: out}, nil
}

type importIn struct {
	WS          int64   `path:"ws"`
	Format      string  `query:"format" enum:"auto,tribune,hootsuite,sprout,agorapulse,socialbee,buffer" default:"auto" doc:"The layout; auto recognises it from the first line"`
	DateOrder   string  `query:"date_order" enum:"dmy,mdy" default:"dmy"`
	Channels    []int64 `query:"channel" doc:"Channels for the rows that name none (every row of a Hootsuite, Sprout Social, Agorapulse or SocialBee file)"`
	ImportValid bool    `query:"import_valid" doc:"Import the valid rows even when some rows have errors"`
	// Named apart from import_valid: a duplicate is skipped, not an error.
	ImportDuplicates bool   `query:"import_duplicates" doc:"Import rows whose content is already scheduled on the channel close to that time (or repeats an earlier row); otherwise they are listed in duplicates and skipped"`
	DryRun           bool   `query:"dry_run"`
	RawBody          []byte `contentType:"text/csv"`
}

func (s *server) importCSV(ctx context.Context, in *importIn) (*body[calendar.ImportReport], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	rep, err := s.Importer.Import(ctx, u, in.WS, bytes.NewReader(in.RawBody), calendar.ImportOptions{Format: bulk.Format(in.Format),
		DateOrder: in.DateOrder, ChannelIDs: in.Channels, ImportValid: in.ImportValid,
		ImportDuplicates: in.ImportDuplicates, DryRun: in.DryRun})
	if err != nil {
		return nil, s.fail(err)
	}
	if rep.Errors == nil {
		rep.Errors = []bulk.RowError{}
	}
	if rep.Duplicates == nil {
		rep.Duplicates = []bulk.RowError{}
	}
	return &body[calendar.ImportReport]{rep}, nil
}

type exportIn struct {
	WS   int64     `path:"ws"`
	From time.Time `query:"from" required:"true"`
	To   time.Time `query:"to" required:"true"`
}

type csvOut struct {
	ContentType string `header:"Content-Type"`
	Disposition string `header:"Content-Disposition"`
	Body        []byte
}

func (s *server) exportCSV(ctx context.Context, in *exportIn) (*csvOut, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	var buf bytes.Buffer
	if err := s.Calendar.Export(ctx, u, in.WS, in.From, in.To, &buf); err != nil {
		return nil, s.fail(err)
	}
	return &csvOut{"text/csv; charset=utf-8", `attachment; filename="tribune-calendar.csv"`, buf.Bytes()}, nil
}

func (s *server) pause(ctx context.Context, in *wsPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Posts.Pause(ctx, u, in.WS))
}

type heldOut struct {
	VariantID int64  `json:"variant_id"`
	PostID    int64  `json:"post_id"`
	ChannelID int64  `json:"channel_id"`
	Channel   string `json:"channel"`
	Text      string `json:"text"`
}

func (s *server) held(ctx context.Context, in *wsPath) (*body[[]heldOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	vs, err := s.Posts.Held(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	out := []heldOut{}
	for _, v := range vs {
		out = append(out, heldOut{v.ID, v.PostID, v.Channel.ID, v.Channel.Name, v.Text})
	}
	return &body[[]heldOut]{out}, nil
}

type resumeIn struct {
	WS   int64 `path:"ws"`
	Body struct {
		Send []int64 `json:"send" doc:"Held variant ids to publish now; the others go back to draft"`
	}
}

func (s *server) resume(ctx context.Context, in *resumeIn) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Posts.Resume(ctx, u, in.WS, in.Body.Send))
}

func (s *server) status(ctx context.Context, _ *struct{}) (*body[ops.Report], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	r, err := s.Status.Read(ctx, u)
	return &body[ops.Report]{r}, s.fail(err)
}

// notificationsIn names the language the caller reads.
type notificationsIn struct {
	AcceptLanguage string `header:"Accept-Language" doc:"The language of titles and texts (en or fr); without it, the user's own language"`
}

// notificationsOut is the user's notifications with their titles and texts
// in one language, named by Content-Language.
type notificationsOut struct {
	ContentLanguage string `header:"Content-Language"`
	Body            []store.Notification
}

// notifications answers titles and texts in the caller's language: Tribune
// stores them in English (the catalogue's keys) and translates them as it
// shows them, here as on the notifications page.
func (s *server) notifications(ctx context.Context, in *notificationsIn) (*notificationsOut, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	list, err := s.Notifications.List(ctx, u)
	if err != nil {
		return nil, s.fail(err)
	}
	lang := callerLang(in.AcceptLanguage, u)
	for i := range list {
		list[i].Title = notify.Text(lang, list[i].Title)
		list[i].Body = notify.Text(lang, list[i].Body)
	}
	return &notificationsOut{ContentLanguage: lang, Body: list}, nil
}

// callerLang is the language an API answer is written in: the one the
// request asks for (Accept-Language, an explicit choice of this client),
// else the user's own, else English.
func callerLang(acceptLanguage string, u store.User) string {
	if strings.TrimSpace(acceptLanguage) != "" {
		return i18n.Negotiate(acceptLanguage, "")
	}
	return i18n.Negotiate("", u.Locale)
}

var _ = io.EOF
