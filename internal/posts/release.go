package posts

import (
	"context"
	"net/http"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// The approval rule: the one check between a post and the publisher. Every
// route that moves a post to approved or scheduled, or queues a variant
// again, asks mayRelease on behalf of the member whose authority it uses:
//
//   - on their own authority (save with schedule, queue or publish now;
//     calendar move of a scheduled post; CSV import): the member needs
//     Schedule and, when the workspace requires approval, Approve too.
//     Otherwise the post waits for approval (save) or the move is refused.
//   - by approving a post waiting for approval (approve; a client
//     reviewer's link): the member needs Approve. A review link carries the
//     authority of the member who created it, checked when the link is
//     created and again when the reviewer decides, so a link made by someone
//     who may not approve (or may no longer) decides nothing. A link
//     approves the post as it was when the link was made: saving the post
//     again withdraws its open links.
//   - by sending again a variant that already went through this rule and
//     whose content has not changed since (retry, resume after a pause):
//     the member needs Schedule.
//
// Contributors, client reviewers and analysts never release a post on their
// own authority.

// releaseKind is how a post reaches the publisher.
type releaseKind int

const (
	releaseOwn     releaseKind = iota + 1 // scheduled by the member on their own authority
	releaseApprove                        // a post waiting for approval is approved
	releaseResend                         // a variant already released is queued again
)

// ReviewDecision is what became of a client review link
// (approval_links.decision, a plain string in the store's rows).
type ReviewDecision string

// The review decisions.
const (
	// ReviewOpen is a link still waiting for the reviewer.
	ReviewOpen ReviewDecision = ""
	// ReviewApproved records the reviewer's approval.
	ReviewApproved ReviewDecision = "approved"
	// ReviewRejected records the reviewer's rejection.
	ReviewRejected ReviewDecision = "rejected"
	// ReviewWithdrawn is the decision recorded on an open review link when
	// the post is saved again after the link was made (what the approver
	// sent for review is no longer what would be published).
	ReviewWithdrawn ReviewDecision = "withdrawn"
)

// ErrReviewLinkNotAllowed refuses a review link to a member who may not approve.
var ErrReviewLinkNotAllowed = problem.New(http.StatusForbidden, "review_link_needs_approver",
	"Only a member who may approve posts can send one to a client reviewer.")

// mayRelease is the approval rule (see above): whether role may move a post
// of ws to the publisher in the way kind says.
func mayRelease(ws store.Workspace, role auth.Role, kind releaseKind) bool {
	switch kind {
	case releaseOwn:
		return role.Can(auth.Schedule) && (!ws.RequireApproval || role.CanApprove())
	case releaseApprove:
		return role.CanApprove()
	case releaseResend:
		return role.Can(auth.Schedule)
	}
	return false
}

// MayPublishNow reports whether role may send a post of ws out on its own
// authority (publish now, schedule, queue) under the approval rule above:
// the interface offers "Publish now" only then.
func MayPublishNow(ws store.Workspace, role auth.Role) bool {
	return mayRelease(ws, role, releaseOwn)
}

// release returns problem.Forbidden unless the rule lets role release in
// the way kind says.
func release(ws store.Workspace, role auth.Role, kind releaseKind) error {
	if !mayRelease(ws, role, kind) {
		return problem.Forbidden
	}
	return nil
}

// linkAuthority is the role a review link acts with: its creator's current
// role in the workspace. A creator who left the workspace, or whose role no
// longer approves, voids the link.
func (s *Service) linkAuthority(ctx context.Context, q store.Queries, ws store.Workspace, link store.ApprovalLink) (auth.Role, error) {
	creator, err := q.GetUser(ctx, link.CreatedBy)
	if err != nil {
		return "", ErrBadReviewLink
	}
	_, role, err := s.Auth.Authorize(ctx, creator, ws.ID, auth.View)
	if err != nil || !mayRelease(ws, role, releaseApprove) {
		return "", ErrBadReviewLink
	}
	return role, nil
}

// withdrawReviewLinks closes the post's open review links (the post changed).
func (s *Service) withdrawReviewLinks(ctx context.Context, tx store.Tx, postID int64, now time.Time) error {
	links, err := tx.ListApprovalLinks(ctx, postID)
	if err != nil {
		return err
	}
	for _, l := range links {
		if ReviewDecision(l.Decision) != ReviewOpen {
			continue
		}
		if _, err := tx.DecideApprovalLink(ctx, store.DecideApprovalLinkParams{Decision: string(ReviewWithdrawn), Reason: "The post changed after the link was sent.",
			DecidedAt: &now, ID: l.ID}); err != nil {
			return err
		}
	}
	return nil
}
