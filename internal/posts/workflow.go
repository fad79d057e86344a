package posts

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
)

// ReviewLinkLifetime is how long a client reviewer's link works.
const ReviewLinkLifetime = 14 * 24 * time.Hour

// ErrBadReviewLink is shown for unknown, used or expired links.
var ErrBadReviewLink = problem.New(http.StatusNotFound, "bad_review_link", "This review link is unknown, already used, expired or withdrawn.")

// postFor loads a post and checks the user may do p on its workspace.
func (s *Service) postFor(ctx context.Context, q store.Queries, user store.User, postID int64, p auth.Permission) (store.Post, store.Workspace, auth.Role, error) {
	post, err := q.GetPost(ctx, postID)
	if err != nil {
		return post, store.Workspace{}, "", problem.Forbidden // same answer as another workspace's post
	}
	ws, role, err := s.Auth.Authorize(ctx, user, post.WorkspaceID, p)
	return post, ws, role, err
}

// Update saves an existing post in its own workspace (Save with the
// workspace the post belongs to, for callers that know only the post).
func (s *Service) Update(ctx context.Context, user store.User, postID int64, in Input, action Action) (View, error) {
	post, err := s.Store.GetPost(ctx, postID)
	if err != nil {
		return View{}, problem.Forbidden // same answer as another workspace's post
	}
	return s.Save(ctx, user, post.WorkspaceID, postID, in, action)
}

// PostOfVariant returns the post a variant belongs to, to anyone who may
// view its workspace.
func (s *Service) PostOfVariant(ctx context.Context, user store.User, variantID int64) (store.Post, error) {
	v, err := s.Store.GetVariant(ctx, variantID)
	if err != nil {
		return store.Post{}, problem.Forbidden
	}
	post, _, _, err := s.postFor(ctx, s.Store, user, v.PostID, auth.View)
	return post, err
}

// Approve approves a post waiting for approval; it is scheduled at once
// when it has a time in the future. version, when not 0, is the version the
// approver read: a post changed since is refused (ErrStale), so nobody's
// approval lands on content they did not see.
func (s *Service) Approve(ctx context.Context, user store.User, postID, version int64, note string) (View, error) {
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		post, ws, role, err := s.postFor(ctx, tx, user, postID, auth.Approve)
		if err != nil {
			return err
		}
		if version != 0 && version != post.Version {
			return ErrStale
		}
		return s.approveTx(ctx, tx, ws, role, &post, user.Name, &user.ID, note)
	})
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, s.Store, postID)
}

// approveTx approves post on the authority of role (the approver's, or a
// review link's creator's).
func (s *Service) approveTx(ctx context.Context, tx store.Tx, ws store.Workspace, role auth.Role, post *store.Post, who string, userID *int64, note string) error {
	if err := release(ws, role, releaseApprove); err != nil {
		return err
	}
	if Status(post.Status) != NeedsApproval {
		return ErrWrongState
	}
	body := "Approved."
	if strings.TrimSpace(note) != "" {
		body = "Approved: " + strings.TrimSpace(note)
	}
	if _, err := tx.AddComment(ctx, store.AddCommentParams{PostID: post.ID, UserID: userID, AuthorName: who, Body: body, CreatedAt: s.now()}); err != nil {
		return err
	}
	if post.ScheduledAt != nil && !post.ScheduledAt.After(s.now()) {
		// Its time passed while it waited: approved, but someone must pick a new time.
		post.ScheduledAt = nil
		post.ScheduledLocal = ""
	}
	if err := s.scheduleTx(ctx, tx, ws, post, true); err != nil {
		return err
	}
	return tx.AddNotification(ctx, store.AddNotificationParams{UserID: post.AuthorID, WorkspaceID: ws.ID, PostID: &post.ID, Kind: string(publish.NotifyApproved),
		Title: "Post approved by " + who, Body: body, CreatedAt: s.now()})
}

// Reject sends a post back to draft with a reason.
func (s *Service) Reject(ctx context.Context, user store.User, postID int64, reason string) (View, error) {
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		post, ws, _, err := s.postFor(ctx, tx, user, postID, auth.Approve)
		if err != nil {
			return err
		}
		return s.rejectTx(ctx, tx, ws, &post, user.Name, &user.ID, reason)
	})
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, s.Store, postID)
}

func (s *Service) rejectTx(ctx context.Context, tx store.Tx, ws store.Workspace, post *store.Post, who string, userID *int64, reason string) error {
	if Status(post.Status) != NeedsApproval {
		return ErrWrongState
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return problem.Invalidf("reason", "required", "Say why you reject the post.")
	}
	if _, err := tx.AddComment(ctx, store.AddCommentParams{PostID: post.ID, UserID: userID, AuthorName: who, Body: "Rejected: " + reason, CreatedAt: s.now()}); err != nil {
		return err
	}
	post.Status = string(Draft)
	if err := s.update(ctx, tx, post); err != nil {
		return err
	}
	return tx.AddNotification(ctx, store.AddNotificationParams{UserID: post.AuthorID, WorkspaceID: ws.ID, PostID: &post.ID, Kind: string(publish.NotifyRejected),
		Title: "Post rejected by " + who, Body: reason, CreatedAt: s.now()})
}

// MoveTo moves a post of workspaceID to an instant (a drag and drop on the
// calendar): the post keeps its own time zone, so the instant becomes a wall
// time there, as if typed in the composer, then Move applies. A post of
// another workspace is not found.
func (s *Service) MoveTo(ctx context.Context, user store.User, workspaceID, postID int64, at time.Time) (View, error) {
	post, ws, _, err := s.postFor(ctx, s.Store, user, postID, auth.Compose)
	if err != nil || post.WorkspaceID != workspaceID {
		return View{}, problem.NotFound
	}
	local, err := schedule.Wall(at, s.timezone(user, ws, post.Timezone))
	if err != nil {
		return View{}, err
	}
	return s.Move(ctx, user, postID, local)
}

// Move reschedules a post to a new wall-clock time (calendar drag and drop):
// its variants are validated again and its jobs replaced.
func (s *Service) Move(ctx context.Context, user store.User, postID int64, local string) (View, error) {
	err := s.Store.InTx(ctx, func(tx store.Tx) error { return s.moveTx(ctx, tx, user, postID, local) })
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, s.Store, postID)
}

// moveTx is Move inside a caller's transaction (a queue reorder moves two
// posts at once).
func (s *Service) moveTx(ctx context.Context, tx store.Tx, user store.User, postID int64, local string) error {
	post, ws, role, err := s.postFor(ctx, tx, user, postID, auth.Compose)
	if err != nil {
		return err
	}
	switch Status(post.Status) {
	case Publishing, Published, Failed:
		return ErrLocked
	}
	tz := post.Timezone
	if tz == "" {
		tz = s.timezone(user, ws, "")
	}
	t, err := schedule.Resolve(local, tz)
	if err != nil {
		return err
	}
	if !t.After(s.now()) {
		return ErrPast
	}
	if err := s.checkHorizon(ws, t); err != nil {
		return err
	}
	view, err := s.view(ctx, tx, postID)
	if err != nil {
		return err
	}
	checked, err := s.check(ctx, tx, ws, view.Input())
	if err != nil {
		return err
	}
	post.ScheduledAt, post.ScheduledLocal, post.Timezone = &t, local, tz
	if Status(post.Status) != Scheduled {
		return s.update(ctx, tx, &post) // a draft or a post waiting for approval just changes date
	}
	if p := problemsOf(checked); p != nil {
		return p
	}
	if err := release(ws, role, releaseOwn); err != nil {
		return err
	}
	return s.scheduleTx(ctx, tx, ws, &post, true)
}

// Unschedule takes a scheduled post back to draft.
func (s *Service) Unschedule(ctx context.Context, user store.User, postID int64) error {
	return s.Store.InTx(ctx, func(tx store.Tx) error { return s.unscheduleTx(ctx, tx, user, postID) })
}

// unscheduleTx is Unschedule inside a caller's transaction (emptying a
// queue unschedules every post of it at once).
func (s *Service) unscheduleTx(ctx context.Context, tx store.Tx, user store.User, postID int64) error {
	post, _, _, err := s.postFor(ctx, tx, user, postID, auth.Schedule)
	if err != nil {
		return err
	}
	if Status(post.Status) != Scheduled && Status(post.Status) != Approved && Status(post.Status) != NeedsApproval {
		return ErrWrongState
	}
	if err := s.cancelJobs(ctx, tx, post.ID); err != nil {
		return err
	}
	vs, err := tx.ListVariantsByPost(ctx, post.ID)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if err := tx.SetVariantJob(ctx, store.SetVariantJobParams{State: string(publish.VariantPending), UpdatedAt: s.now(), ID: v.ID}); err != nil {
			return err
		}
	}
	post.ScheduleRev++ // any job already running for the old schedule stands down
	post.Status = string(Draft)
	return s.update(ctx, tx, &post)
}

// Retry re-queues a failed variant now, or one whose outcome is unknown once
// a person has checked the network (confirmNotPublished).
func (s *Service) Retry(ctx context.Context, user store.User, variantID int64, confirmNotPublished bool) error {
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		v, err := tx.GetVariant(ctx, variantID)
		if err != nil {
			return problem.Forbidden
		}
		post, ws, role, err := s.postFor(ctx, tx, user, v.PostID, auth.Schedule)
		if err != nil {
			return err
		}
		if err := release(ws, role, releaseResend); err != nil {
			return err
		}
		switch publish.VariantState(v.State) {
		case publish.VariantFailed, publish.VariantHeld:
		case publish.VariantUnknown:
			if !confirmNotPublished {
				return problem.New(http.StatusConflict, "confirm_unknown", "The outcome of the last attempt is unknown: check the network, then confirm the post is not there to send it again.")
			}
		default:
			return ErrWrongState
		}
		parts, err := tx.ListPublishParts(ctx, v.ID)
		if err != nil {
			return err
		}
		for _, part := range parts {
			if publish.PartState(part.State) == publish.PartUnknown || (publish.PartState(part.State) == publish.PartInFlight && confirmNotPublished) {
				if err := tx.SetPartState(ctx, store.SetPartStateParams{State: string(publish.PartPending), VariantID: v.ID, Seq: part.Seq}); err != nil {
					return err
				}
			}
		}
		now := s.now()
		post.ScheduleRev++
		if Status(post.Status) != Publishing {
			post.Status = string(Scheduled)
		}
		// Other variants still waiting keep working under the new revision.
		vs, err := tx.ListVariantsByPost(ctx, post.ID)
		if err != nil {
			return err
		}
		for _, other := range vs {
			if other.ID != v.ID && publish.VariantState(other.State) != publish.VariantQueued && publish.VariantState(other.State) != publish.VariantPublishing {
				continue
			}
			// The retried variant goes now; the others keep their time.
			due := now
			if other.ID != v.ID && post.ScheduledAt != nil && post.ScheduledAt.After(now) {
				due = *post.ScheduledAt
			}
			id, err := tx.InsertJob(ctx, publish.VariantArgs{VariantID: other.ID, Rev: post.ScheduleRev}, publish.JobOpts(due, now))
			if err != nil {
				return err
			}
			state := other.State
			if other.ID == v.ID {
				state = string(publish.VariantQueued)
			}
			if err := tx.SetVariantJob(ctx, store.SetVariantJobParams{RiverJobID: &id, State: state, UpdatedAt: now, ID: other.ID}); err != nil {
				return err
			}
		}
		return s.update(ctx, tx, &post)
	})
}

// Delete removes a post. Variants already published are deleted from their
// networks first (where the network allows); the post stays until then.
func (s *Service) Delete(ctx context.Context, user store.User, postID int64) error {
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		post, _, _, err := s.postFor(ctx, tx, user, postID, auth.Compose)
		if err != nil {
			return err
		}
		vs, err := tx.ListVariantsByPost(ctx, post.ID)
		if err != nil {
			return err
		}
		published := false
		for _, v := range vs {
			if publish.VariantState(v.State) == publish.VariantPublished {
				published = true
			}
		}
		if !published {
			if err := s.cancelJobs(ctx, tx, post.ID); err != nil {
				return err
			}
			return tx.DeletePost(ctx, post.ID)
		}
		if _, _, err := s.Auth.Authorize(ctx, user, post.WorkspaceID, auth.Schedule); err != nil {
			return err
		}
		for _, v := range vs {
			if publish.VariantState(v.State) != publish.VariantPublished {
				continue
			}
			if _, err := tx.InsertJob(ctx, publish.DeleteArgs{VariantID: v.ID, UserID: user.ID}, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// Comment adds a comment to a post.
func (s *Service) Comment(ctx context.Context, user store.User, postID int64, body string) (store.PostComment, error) {
	if _, _, _, err := s.postFor(ctx, s.Store, user, postID, auth.Comment); err != nil {
		return store.PostComment{}, err
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return store.PostComment{}, problem.Invalidf("body", "required", "Write a comment.")
	}
	return s.Store.AddComment(ctx, store.AddCommentParams{PostID: postID, UserID: &user.ID, AuthorName: user.Name, Body: body, CreatedAt: s.now()})
}

// History is a post's comments, versions and publish log.
type History struct {
	Comments []store.PostComment
	Versions []store.PostVersion
	Log      []store.PublishLog
	Links    []store.ApprovalLink
}

// History returns what happened to a post.
func (s *Service) History(ctx context.Context, user store.User, postID int64) (History, error) {
	var h History
	if _, _, _, err := s.postFor(ctx, s.Store, user, postID, auth.View); err != nil {
		return h, err
	}
	var err error
	if h.Comments, err = s.Store.ListComments(ctx, postID); err != nil {
		return h, err
	}
	if h.Versions, err = s.Store.ListPostVersions(ctx, postID); err != nil {
		return h, err
	}
	if h.Links, err = s.Store.ListApprovalLinks(ctx, postID); err != nil {
		return h, err
	}
	h.Log, err = s.Store.ListPublishLog(ctx, postID)
	return h, err
}

// CreateReviewLink makes a secret link a client reviewer uses to approve or
// reject the post without an account. The link decides on its creator's
// authority, so only a member who may approve the post can create one. The
// token is returned once.
func (s *Service) CreateReviewLink(ctx context.Context, user store.User, postID int64, reviewer string) (string, error) {
	post, ws, role, err := s.postFor(ctx, s.Store, user, postID, auth.View)
	if err != nil {
		return "", err
	}
	if !mayRelease(ws, role, releaseApprove) {
		return "", ErrReviewLinkNotAllowed
	}
	if Status(post.Status) != NeedsApproval {
		return "", problem.New(http.StatusConflict, "not_waiting", "Submit the post for approval first.")
	}
	reviewer = strings.TrimSpace(reviewer)
	if reviewer == "" {
		return "", problem.Invalidf("reviewer", "required", "Name the reviewer.")
	}
	tok := secret.NewToken("")
	now := s.now()
	_, err = s.Store.CreateApprovalLink(ctx, store.CreateApprovalLinkParams{PostID: postID, TokenHash: secret.HashToken(tok), ReviewerName: reviewer,
		CreatedBy: user.ID, ExpiresAt: now.Add(ReviewLinkLifetime), CreatedAt: now})
	return tok, err
}

// Review is what a reviewer's link shows.
type Review struct {
	Link      store.ApprovalLink
	View      View
	Workspace store.Workspace
}

// ReviewByToken opens a review link.
func (s *Service) ReviewByToken(ctx context.Context, token string) (Review, error) {
	link, err := s.Store.GetApprovalLinkByHash(ctx, secret.HashToken(token))
	if err != nil {
		return Review{}, ErrBadReviewLink
	}
	if s.now().After(link.ExpiresAt) || ReviewDecision(link.Decision) == ReviewWithdrawn {
		return Review{}, ErrBadReviewLink
	}
	v, err := s.view(ctx, s.Store, link.PostID)
	if err != nil {
		return Review{}, err
	}
	ws, err := s.Store.GetWorkspace(ctx, v.Post.WorkspaceID)
	if err != nil {
		return Review{}, err
	}
	if _, err := s.linkAuthority(ctx, s.Store, ws, link); err != nil {
		return Review{}, err
	}
	return Review{Link: link, View: v, Workspace: ws}, nil
}

// DecideByToken records a reviewer's decision (approve or reject) once.
func (s *Service) DecideByToken(ctx context.Context, token string, approve bool, reason string) error {
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		link, err := tx.GetApprovalLinkByHash(ctx, secret.HashToken(token))
		if err != nil || s.now().After(link.ExpiresAt) || ReviewDecision(link.Decision) != ReviewOpen {
			return ErrBadReviewLink
		}
		post, err := tx.GetPost(ctx, link.PostID)
		if err != nil {
			return err
		}
		ws, err := tx.GetWorkspace(ctx, post.WorkspaceID)
		if err != nil {
			return err
		}
		role, err := s.linkAuthority(ctx, tx, ws, link)
		if err != nil {
			return err
		}
		who := link.ReviewerName + " (client reviewer)"
		decision := ReviewApproved
		if approve {
			err = s.approveTx(ctx, tx, ws, role, &post, who, nil, reason)
		} else {
			decision = ReviewRejected
			err = s.rejectTx(ctx, tx, ws, &post, who, nil, reason)
		}
		if err != nil {
			return err
		}
		now := s.now()
		n, err := tx.DecideApprovalLink(ctx, store.DecideApprovalLinkParams{Decision: string(decision), Reason: strings.TrimSpace(reason), DecidedAt: &now, ID: link.ID})
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrBadReviewLink
		}
		return nil
	})
}

// Pause holds every due post of a workspace until Resume (crisis switch).
func (s *Service) Pause(ctx context.Context, user store.User, workspaceID int64) error {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Crisis)
	if err != nil {
		return err
	}
	if ws.PausedAt != nil {
		return nil
	}
	now := s.now()
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.SetWorkspacePaused(ctx, store.SetWorkspacePausedParams{PausedAt: &now, PausedBy: &user.ID, ID: ws.ID}); err != nil {
			return err
		}
		team, err := s.team(ctx, ws.ID)
		if err != nil {
			return err
		}
		for _, m := range team {
			if err := tx.AddNotification(ctx, store.AddNotificationParams{UserID: m.ID, WorkspaceID: ws.ID, Kind: string(publish.NotifyPaused),
				Title: "Publishing paused by " + user.Name, Body: "Every due post of " + ws.Name + " is held until publishing resumes.", CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
}

// team is whom a pause and its end are told: everyone who may view the
// workspace's posts, an organisation owner without a membership row too
// (auth.WhoMay answers as Authorize does).
func (s *Service) team(ctx context.Context, wsID int64) ([]store.User, error) {
	return s.Auth.WhoMay(ctx, wsID, auth.View)
}

// Held lists the variants held while publishing was paused.
func (s *Service) Held(ctx context.Context, user store.User, workspaceID int64) ([]VariantView, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View); err != nil {
		return nil, err
	}
	vs, err := s.Store.ListHeldVariants(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]VariantView, 0, len(vs))
	for _, v := range vs {
		ch, err := s.Store.GetChannel(ctx, v.ChannelID)
		if err != nil {
			return nil, err
		}
		out = append(out, VariantView{PostVariant: v, Channel: ch})
	}
	return out, nil
}

// Resume ends the pause. Held variants listed in send go out now; the other
// held variants go back to their post as drafts for someone to reschedule.
func (s *Service) Resume(ctx context.Context, user store.User, workspaceID int64, send []int64) error {
	ws, role, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Crisis)
	if err != nil {
		return err
	}
	if len(send) > 0 {
		if err := release(ws, role, releaseResend); err != nil {
			return err
		}
	}
	held, err := s.Store.ListHeldVariants(ctx, ws.ID)
	if err != nil {
		return err
	}
	sendSet := map[int64]bool{}
	for _, id := range send {
		sendSet[id] = true
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.SetWorkspacePaused(ctx, store.SetWorkspacePausedParams{ID: ws.ID}); err != nil {
			return err
		}
		now := s.now()
		// The team learns that publishing goes on again, as it learnt of the pause.
		var team []store.User
		if ws.PausedAt != nil {
			if team, err = s.team(ctx, ws.ID); err != nil {
				return err
			}
		}
		for _, m := range team {
			if err := tx.AddNotification(ctx, store.AddNotificationParams{UserID: m.ID, WorkspaceID: ws.ID, Kind: string(publish.NotifyResumed),
				Title: "Publishing resumed by " + user.Name, Body: "Publishing in " + ws.Name + " goes on; held posts you did not send are back to drafts.", CreatedAt: now}); err != nil {
				return err
			}
		}
		revs := map[int64]int64{}
		for _, v := range held {
			post, err := tx.GetPost(ctx, v.PostID)
			if err != nil {
				return err
			}
			if _, ok := revs[post.ID]; !ok {
				post.ScheduleRev++
				revs[post.ID] = post.ScheduleRev
				if err := s.update(ctx, tx, &post); err != nil {
					return err
				}
			}
			if !sendSet[v.ID] {
				if err := tx.SetVariantJob(ctx, store.SetVariantJobParams{State: string(publish.VariantPending), UpdatedAt: now, ID: v.ID}); err != nil {
					return err
				}
				if err := tx.SetPostStatus(ctx, store.SetPostStatusParams{Status: string(Draft), UpdatedAt: now, ID: post.ID}); err != nil {
					return err
				}
				continue
			}
			id, err := tx.InsertJob(ctx, publish.VariantArgs{VariantID: v.ID, Rev: revs[post.ID]}, nil)
			if err != nil {
				return err
			}
			if err := tx.SetVariantJob(ctx, store.SetVariantJobParams{RiverJobID: &id, State: string(publish.VariantQueued), UpdatedAt: now, ID: v.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}

var _ = errors.Is
