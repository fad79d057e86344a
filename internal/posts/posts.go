// Package posts is the composer and the approval workflow: a post with one
// variant per channel, validated against each network's rules, moving
// draft → needs approval → approved → scheduled, and handed to the publisher
// (a River job inserted in the same transaction as the schedule).
package posts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

// Status is where a post stands in the workflow (posts.status, a plain
// string in the store's rows). Once scheduled, the status follows its
// variants' states (publish.VariantState): the store derives publishing,
// published and failed from them.
type Status string

// Statuses of a post.
const (
	Draft         Status = "draft"
	NeedsApproval Status = "needs_approval"
	Approved      Status = "approved"
	Scheduled     Status = "scheduled"
	Publishing    Status = "publishing"
	Published     Status = "published"
	Failed        Status = "failed"
)

// Statuses lists every post status, in workflow order (for filters).
var Statuses = []Status{Draft, NeedsApproval, Approved, Scheduled, Publishing, Published, Failed}

// Action is what the author asks for when saving.
type Action string

// The save actions.
const (
	SaveDraft  Action = "draft"
	Submit     Action = "submit"      // ask for approval
	DoSchedule Action = "schedule"    // at ScheduledLocal
	AddToQueue Action = "queue"       // at the next free queue slot
	PublishNow Action = "publish_now" // now
)

// Problems of the workflow.
var (
	ErrInvalidContent   = problem.New(http.StatusUnprocessableEntity, "invalid_content", "Some variants break their network's rules.")
	ErrVariantPublished = problem.New(http.StatusConflict, "variant_published", "This channel's version of the post is already published: it cannot be changed or removed. Edit the other channels only.")
	ErrLocked           = problem.New(http.StatusConflict, "locked", "This post is being published or was published: it can no longer be edited.")
	ErrDuplicate        = problem.New(http.StatusConflict, "duplicate", "The same content is already scheduled or published on this channel close to that time. Confirm to schedule it anyway.")
	ErrNoSlot           = problem.New(http.StatusUnprocessableEntity, "no_free_slot", "No free queue slot in the next eight weeks for these channels. Add time slots to the queue.")
	ErrWrongState       = problem.New(http.StatusConflict, "wrong_state", "This action does not apply to the post in its current state.")
	ErrStale            = problem.New(http.StatusConflict, "stale_version", "Someone changed this post since you opened it. Reload it to see their changes.")
	ErrPast             = problem.New(http.StatusUnprocessableEntity, "in_the_past", "Pick a time in the future.")
)

// Service holds the composer's dependencies.
type Service struct {
	Store    store.Store
	Auth     *auth.Service
	Notifier publish.Notifier
	Now      func() time.Time
}

// VariantInput is one channel's version of a post.
type VariantInput struct {
	ChannelID    int64    `json:"channel_id"`
	Text         string   `json:"text"`
	Link         string   `json:"link,omitempty"`
	FirstComment string   `json:"first_comment,omitempty"`
	Thread       []string `json:"thread,omitempty"`
	MediaIDs     []int64  `json:"media_ids,omitempty"`
	// Visibility is who may see the post on networks that let the author
	// choose (Mastodon); empty means the channel's default.
	Visibility network.Visibility `json:"visibility,omitempty" enum:"public,unlisted,private,direct" doc:"Mastodon channels only: public, unlisted, private (followers only) or direct. Empty: the channel's default."`
}

// Input is a post as the composer submits it.
type Input struct {
	Variants []VariantInput `json:"variants"`
	Tags     []string       `json:"tags,omitempty"`
	// ScheduledLocal is a wall-clock time ("2006-01-02T15:04") in Timezone.
	ScheduledLocal string `json:"scheduled_local,omitempty"`
	// Timezone defaults to the user's, then the workspace's.
	Timezone string `json:"timezone,omitempty"`
	// ConfirmDuplicate schedules even if the same content is already
	// scheduled or published on a channel within the workspace's window.
	ConfirmDuplicate bool `json:"confirm_duplicate,omitempty"`
	// Version, when set, must be the post's current version: an edit made
	// on a stale copy is refused instead of overwriting someone else's.
	Version int64 `json:"version,omitempty"`
}

// View is a post with its variants, as pages and the API show it.
type View struct {
	Post     store.Post
	Tags     []string
	Variants []VariantView
}

// VariantView is a variant with its channel and its rule check.
type VariantView struct {
	store.PostVariant
	Channel  store.Channel
	Thread   []string
	MediaIDs []int64
	Count    rules.Count
	Problems []rules.Problem
}

func decodeList[T any](raw string) []T {
	var out []T
	_ = json.Unmarshal([]byte(raw), &out) // written by us; an empty list on corruption beats a crash
	return out
}

func encodeList[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// contentHash normalises text (case, spacing) so trivial edits do not hide a duplicate.
func contentHash(v VariantInput) string {
	norm := strings.ToLower(strings.Join(strings.FieldsFunc(v.Text, unicode.IsSpace), " "))
	h := sha256.New()
	h.Write([]byte(norm + "\x00" + strings.TrimSpace(v.Link)))
	for _, id := range v.MediaIDs {
		h.Write([]byte{byte(id), byte(id >> 8), byte(id >> 16)})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// check validates variants against the channels of the workspace and the
// network rules. It returns one view per input variant.
func (s *Service) check(ctx context.Context, q store.Queries, ws store.Workspace, in Input) ([]VariantView, error) {
	if len(in.Variants) == 0 {
		return nil, problem.Invalidf("variants", "no_channel", "Choose at least one channel.")
	}
	seen := map[int64]bool{}
	out := make([]VariantView, 0, len(in.Variants))
	for _, vi := range in.Variants {
		ch, err := q.GetChannel(ctx, vi.ChannelID)
		if err != nil || ch.WorkspaceID != ws.ID {
			return nil, problem.Invalidf("variants", "unknown_channel", "Unknown channel.")
		}
		if seen[ch.ID] {
			return nil, problem.Invalidf("variants", "duplicate_channel", "A channel appears twice.")
		}
		seen[ch.ID] = true
		rv := rules.Variant{Text: vi.Text, Link: vi.Link, FirstComment: vi.FirstComment, Thread: vi.Thread}
		for _, id := range vi.MediaIDs {
			m, err := q.GetMedia(ctx, id)
			if err != nil || m.WorkspaceID != ws.ID {
				return nil, problem.Invalidf("media", "unknown_media", "Unknown media.")
			}
			rv.Media = append(rv.Media, rules.MediaItem{MIME: m.MIME, Size: m.SizeBytes, Width: int(m.Width), Height: int(m.Height), DurationSeconds: int(m.DurationSeconds), Alt: m.Alt})
		}
		vis, err := channels.Visibility(ch, vi.Visibility)
		if err != nil {
			return nil, err
		}
		lim := channels.Limits(ch)
		out = append(out, VariantView{
			PostVariant: store.PostVariant{ChannelID: ch.ID, Text: vi.Text, Link: vi.Link, FirstComment: vi.FirstComment, Visibility: string(vis)},
			Channel:     ch, Thread: vi.Thread, MediaIDs: vi.MediaIDs,
			Count:    rules.CountText(ch.Network, vi.Text, lim),
			Problems: rules.Validate(ch.Network, rv, lim),
		})
	}
	return out, nil
}

// Check validates a composer's content without saving it (live validation).
func (s *Service) Check(ctx context.Context, user store.User, workspaceID int64, in Input) ([]VariantView, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Compose)
	if err != nil {
		return nil, err
	}
	return s.check(ctx, s.Store, ws, in)
}

func problemsOf(views []VariantView) *problem.Error {
	var details []problem.Detail
	for _, v := range views {
		for _, p := range v.Problems {
			details = append(details, problem.Detail{Location: v.Channel.Name + ": " + p.Field, Code: p.Code, Message: p.Message, Args: p.Args})
		}
	}
	if details == nil {
		return nil
	}
	return ErrInvalidContent.With(details...)
}

func (s *Service) timezone(user store.User, ws store.Workspace, tz string) string {
	switch {
	case tz != "":
		return tz
	case user.Timezone != "":
		return user.Timezone
	}
	return ws.Timezone
}

// Save creates (postID 0) or updates a post and applies action. A draft is
// saved even when variants break their rules (nothing typed is lost); any
// other action needs valid variants.
func (s *Service) Save(ctx context.Context, user store.User, workspaceID, postID int64, in Input, action Action) (View, error) {
	ws, role, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Compose)
	if err != nil {
		return View{}, err
	}
	tz := s.timezone(user, ws, in.Timezone)
	var when *time.Time
	if in.ScheduledLocal != "" {
		t, err := schedule.Resolve(in.ScheduledLocal, tz)
		if err != nil {
			return View{}, err
		}
		when = &t
	}
	switch action {
	case SaveDraft, Submit, DoSchedule, AddToQueue, PublishNow:
	default:
		return View{}, problem.Invalidf("action", "bad_action", "Unknown action.")
	}
	if action == DoSchedule {
		if when == nil {
			return View{}, problem.Invalidf("scheduled_local", "required", "Pick a date and time.")
		}
		if !when.After(s.now()) {
			return View{}, ErrPast
		}
	}
	var saved int64
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		saved, err = s.SaveTx(ctx, tx, user, role, ws, postID, in, action, when, tz)
		return err
	})
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, s.Store, saved)
}

// SaveTx is Save inside a caller's transaction (bulk import saves many posts
// in one). when and tz are the resolved schedule.
func (s *Service) SaveTx(ctx context.Context, tx store.Tx, user store.User, role auth.Role, ws store.Workspace, postID int64, in Input, action Action, when *time.Time, tz string) (int64, error) {
	if postID != 0 {
		// Another workspace's post is not found, whatever the content says.
		if p, err := tx.GetPost(ctx, postID); err != nil || p.WorkspaceID != ws.ID {
			return 0, problem.NotFound
		}
	}
	tags := normaliseTags(in.Tags)
	views, err := s.check(ctx, tx, ws, in)
	if err != nil {
		return 0, err
	}
	if action != SaveDraft {
		if p := problemsOf(views); p != nil {
			return 0, p
		}
		if when != nil {
			// Refused now, not only when scheduleTx runs: a post sent for
			// approval must not wait for an approver to learn this.
			if err := s.checkHorizon(ws, *when); err != nil {
				return 0, err
			}
		}
	}
	// What is written is what will be sent: a variant without a chosen
	// visibility gets its channel's default now, as the composer showed it.
	in.Variants = slices.Clone(in.Variants)
	for i := range in.Variants {
		in.Variants[i].Visibility = network.Visibility(views[i].Visibility)
	}
	now := s.now()
	var post store.Post
	if postID == 0 {
		post, err = tx.CreatePost(ctx, store.CreatePostParams{WorkspaceID: ws.ID, AuthorID: user.ID, Status: string(Draft),
			ScheduledAt: when, ScheduledLocal: in.ScheduledLocal, Timezone: tz, Tags: encodeList(tags), CreatedAt: now})
		if err != nil {
			return 0, err
		}
	} else {
		post, err = tx.GetPost(ctx, postID)
		if err != nil || post.WorkspaceID != ws.ID {
			return 0, problem.NotFound
		}
		if Status(post.Status) == Publishing || Status(post.Status) == Published {
			return 0, ErrLocked
		}
		if in.Version != 0 && in.Version != post.Version {
			return 0, ErrStale
		}
		post.Version++
		post.Status, post.ScheduledAt, post.ScheduledLocal, post.Timezone, post.Tags = string(Draft), when, in.ScheduledLocal, tz, encodeList(tags)
		if err := s.cancelJobs(ctx, tx, post.ID); err != nil {
			return 0, err
		}
		if err := s.withdrawReviewLinks(ctx, tx, post.ID, now); err != nil {
			return 0, err
		}
	}
	if err := s.writeVariants(ctx, tx, post.ID, in.Variants, now); err != nil {
		return 0, err
	}
	snapshot, _ := json.Marshal(in)
	if err := tx.AddPostVersion(ctx, store.AddPostVersionParams{PostID: post.ID, Version: post.Version, AuthorID: &user.ID, Snapshot: string(snapshot), CreatedAt: now}); err != nil {
		return 0, err
	}
	return post.ID, s.apply(ctx, tx, user, role, ws, &post, action, in.ConfirmDuplicate)
}

func normaliseTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "#"))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// writeVariants makes the post's variants match the input: updates in
// place, adds new channels, removes channels no longer chosen.
func (s *Service) writeVariants(ctx context.Context, tx store.Tx, postID int64, in []VariantInput, now time.Time) error {
	existing, err := tx.ListVariantsByPost(ctx, postID)
	if err != nil {
		return err
	}
	byChannel := map[int64]store.PostVariant{}
	for _, v := range existing {
		byChannel[v.ChannelID] = v
	}
	for _, vi := range in {
		if v, ok := byChannel[vi.ChannelID]; ok {
			delete(byChannel, vi.ChannelID)
			if onNetwork(v) {
				// What a network already shows stays as it is: resetting it
				// to pending would queue it, and post it, a second time.
				if v.ContentHash != contentHash(vi) {
					return ErrVariantPublished
				}
				continue
			}
			if err := tx.UpdateVariantContent(ctx, store.UpdateVariantContentParams{Text: vi.Text, Link: vi.Link, FirstComment: vi.FirstComment,
				Thread: encodeList(vi.Thread), MediaIDs: encodeList(vi.MediaIDs), Visibility: string(vi.Visibility), ContentHash: contentHash(vi), UpdatedAt: now, ID: v.ID}); err != nil {
				return err
			}
			if err := tx.SetVariantJob(ctx, store.SetVariantJobParams{State: string(publish.VariantPending), UpdatedAt: now, ID: v.ID}); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.CreateVariant(ctx, store.CreateVariantParams{PostID: postID, ChannelID: vi.ChannelID, Text: vi.Text, Link: vi.Link,
			FirstComment: vi.FirstComment, Thread: encodeList(vi.Thread), MediaIDs: encodeList(vi.MediaIDs), Visibility: string(vi.Visibility), State: string(publish.VariantPending),
			ContentHash: contentHash(vi), UpdatedAt: now}); err != nil {
			return err
		}
	}
	for _, v := range byChannel {
		if onNetwork(v) {
			return ErrVariantPublished // its row is the only record of the post out there
		}
		if err := tx.DeleteVariant(ctx, v.ID); err != nil {
			return err
		}
	}
	return nil
}

// onNetwork reports whether a variant went out (and may since have been
// deleted from the network): its content and its row are history.
func onNetwork(v store.PostVariant) bool {
	return publish.VariantState(v.State) == publish.VariantPublished || publish.VariantState(v.State) == publish.VariantDeleted
}

// cancelJobs cancels the publish jobs of a post's variants (before a move or an edit).
func (s *Service) cancelJobs(ctx context.Context, tx store.Tx, postID int64) error {
	vs, err := tx.ListVariantsByPost(ctx, postID)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if v.RiverJobID != nil {
			if err := tx.CancelJob(ctx, *v.RiverJobID); err != nil {
				return err
			}
		}
	}
	return nil
}

// apply moves a post according to action, inside tx.
func (s *Service) apply(ctx context.Context, tx store.Tx, user store.User, role auth.Role, ws store.Workspace, post *store.Post, action Action, confirmDup bool) error {
	now := s.now()
	switch action {
	case SaveDraft:
		post.Status = string(Draft)
		return s.update(ctx, tx, post)
	case AddToQueue:
		t, err := s.nextSlot(ctx, tx, ws, post.ID)
		if err != nil {
			return err
		}
		local, err := schedule.Wall(t, ws.Timezone)
		if err != nil {
			return err
		}
		post.ScheduledAt, post.ScheduledLocal, post.Timezone = &t, local, ws.Timezone
	case PublishNow:
		post.ScheduledAt = &now
		post.ScheduledLocal, _ = schedule.Wall(now, post.Timezone)
	}
	// Schedule, queue and publish now wait for approval unless the approval
	// rule lets the author release the post on their own (release.go).
	needsApproval := action == Submit || !mayRelease(ws, role, releaseOwn)
	if needsApproval {
		post.Status = string(NeedsApproval)
		if err := s.update(ctx, tx, post); err != nil {
			return err
		}
		return s.notifyApprovers(ctx, tx, ws, *post, user)
	}
	return s.scheduleTx(ctx, tx, ws, post, confirmDup)
}

func (s *Service) update(ctx context.Context, tx store.Queries, post *store.Post) error {
	return tx.UpdatePost(ctx, store.UpdatePostParams{Status: post.Status, ScheduledAt: post.ScheduledAt, ScheduledLocal: post.ScheduledLocal,
		Timezone: post.Timezone, Tags: post.Tags, Version: post.Version, ScheduleRev: post.ScheduleRev, DuplicateOf: post.DuplicateOf,
		UpdatedAt: s.now(), ID: post.ID})
}

// scheduleTx queues a publish job per variant at the post's instant, in tx.
func (s *Service) scheduleTx(ctx context.Context, tx store.Tx, ws store.Workspace, post *store.Post, confirmDup bool) error {
	if post.ScheduledAt == nil {
		post.Status = string(Approved)
		return s.update(ctx, tx, post)
	}
	if err := s.checkHorizon(ws, *post.ScheduledAt); err != nil {
		return err
	}
	vs, err := tx.ListVariantsByPost(ctx, post.ID)
	if err != nil {
		return err
	}
	window := time.Duration(ws.DuplicateWindowHours) * time.Hour
	post.DuplicateOf = nil
	if window > 0 {
		from, to := post.ScheduledAt.Add(-window), post.ScheduledAt.Add(window)
		for _, v := range vs {
			dup, err := tx.FindDuplicateVariant(ctx, store.FindDuplicateVariantParams{ChannelID: v.ChannelID, ContentHash: v.ContentHash, PostID: post.ID, WindowFrom: &from, WindowTo: &to})
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if !confirmDup {
				return ErrDuplicate.With(problem.Detail{Location: "post", Code: "duplicate_of", Message: "Same content as post #%d", Args: []any{dup}})
			}
			post.DuplicateOf = &dup
		}
	}
	if err := s.cancelJobs(ctx, tx, post.ID); err != nil {
		return err
	}
	post.ScheduleRev++
	post.Status = string(Scheduled)
	now := s.now()
	for _, v := range vs {
		if onNetwork(v) {
			continue
		}
		id, err := tx.InsertJob(ctx, publish.VariantArgs{VariantID: v.ID, Rev: post.ScheduleRev}, publish.JobOpts(*post.ScheduledAt, now))
		if err != nil {
			return err
		}
		if err := tx.SetVariantJob(ctx, store.SetVariantJobParams{RiverJobID: &id, State: string(publish.VariantQueued), UpdatedAt: now, ID: v.ID}); err != nil {
			return err
		}
	}
	return s.update(ctx, tx, post)
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// notifyApprovers tells whoever may approve the post (Approve, what Approve
// checks) that it waits for them, an organisation owner without a
// membership row too: auth.WhoMay answers as Authorize does. Client
// reviewers, who may approve too, are left out: they see the posts an
// approver sends them through a review link, not every post waiting.
func (s *Service) notifyApprovers(ctx context.Context, q store.Queries, ws store.Workspace, post store.Post, author store.User) error {
	approvers, err := s.Auth.WhoMay(ctx, ws.ID, auth.Approve)
	if err != nil {
		return err
	}
	members, err := q.ListMembers(ctx, ws.ID)
	if err != nil {
		return err
	}
	reviewer := map[int64]bool{}
	for _, m := range members {
		reviewer[m.ID] = auth.Role(m.Role) == auth.ClientReviewer
	}
	for _, m := range approvers {
		if m.OrgRole == string(auth.Owner) {
			reviewer[m.ID] = false // owns the workspace, whatever its membership row says
		}
	}
	for _, m := range approvers {
		if m.ID == author.ID || reviewer[m.ID] {
			continue
		}
		if err := q.AddNotification(ctx, store.AddNotificationParams{UserID: m.ID, WorkspaceID: ws.ID, PostID: &post.ID, Kind: string(publish.NotifyApprovalRequested),
			Title: author.Name + " asks for approval", Body: "A post waits for your approval.", CreatedAt: s.now()}); err != nil {
			return err
		}
	}
	return nil
}

// nextSlot finds the first free queue slot shared by the post's channels.
func (s *Service) nextSlot(ctx context.Context, q store.Queries, ws store.Workspace, postID int64) (time.Time, error) {
	vs, err := q.ListVariantsByPost(ctx, postID)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now()
	var best time.Time
	for _, v := range vs {
		slots, err := q.ListQueueSlots(ctx, v.ChannelID)
		if err != nil {
			return time.Time{}, err
		}
		var ss []schedule.Slot
		for _, sl := range slots {
			ss = append(ss, schedule.Slot{Weekday: time.Weekday(sl.Weekday), Minute: int(sl.MinuteOfDay)})
		}
		to := now.Add(9 * 7 * 24 * time.Hour)
		taken, err := q.ListChannelScheduledTimes(ctx, store.ListChannelScheduledTimesParams{ChannelID: v.ChannelID, RangeFrom: &now, RangeTo: &to})
		if err != nil {
			return time.Time{}, err
		}
		var times []time.Time
		for _, t := range taken {
			if t != nil {
				times = append(times, *t)
			}
		}
		t, ok := schedule.NextFree(ss, ws.Timezone, now, times)
		if ok && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if best.IsZero() {
		return best, ErrNoSlot
	}
	return best, nil
}

// Get returns a post the user may view.
func (s *Service) Get(ctx context.Context, user store.User, postID int64) (View, store.Workspace, auth.Role, error) {
	post, err := s.Store.GetPost(ctx, postID)
	if err != nil {
		return View{}, store.Workspace{}, "", problem.Forbidden
	}
	ws, role, err := s.Auth.Authorize(ctx, user, post.WorkspaceID, auth.View)
	if err != nil {
		return View{}, ws, role, err
	}
	v, err := s.view(ctx, s.Store, postID)
	return v, ws, role, err
}

func (s *Service) view(ctx context.Context, q store.Queries, postID int64) (View, error) {
	post, err := q.GetPost(ctx, postID)
	if err != nil {
		return View{}, err
	}
	vs, err := q.ListVariantsByPost(ctx, postID)
	if err != nil {
		return View{}, err
	}
	out := View{Post: post, Tags: decodeList[string](post.Tags)}
	for _, v := range vs {
		ch, err := q.GetChannel(ctx, v.ChannelID)
		if err != nil {
			return View{}, err
		}
		vv := VariantView{PostVariant: v, Channel: ch, Thread: decodeList[string](v.Thread), MediaIDs: decodeList[int64](v.MediaIDs)}
		vv.Count = rules.CountText(ch.Network, v.Text, channels.Limits(ch))
		out.Variants = append(out.Variants, vv)
	}
	return out, nil
}

// Input returns the post as composer input (to edit it).
func (v View) Input() Input {
	in := Input{Tags: v.Tags, ScheduledLocal: v.Post.ScheduledLocal, Timezone: v.Post.Timezone}
	for _, vv := range v.Variants {
		in.Variants = append(in.Variants, VariantInput{ChannelID: vv.ChannelID, Text: vv.Text, Link: vv.Link, FirstComment: vv.FirstComment, Thread: vv.Thread, MediaIDs: vv.MediaIDs,
			Visibility: network.Visibility(vv.Visibility)})
	}
	return in
}
