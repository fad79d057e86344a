package posts

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

// A channel's queue is its posts waiting to publish (scheduled, approved or
// waiting for approval) at a time that is one of the channel's weekly queue
// slots, from now on, in time order: what "Add to queue" filled. A post at
// a time of its own (not a slot) is not in the queue, so emptying the queue
// leaves it alone.

// QueueHorizon is how far ahead a queue is read.
const QueueHorizon = 190 * 24 * time.Hour

// MaxQueue bounds the posts one queue lists and empties at once.
const MaxQueue = 500

// QueueDirection says where a post goes in its queue.
type QueueDirection int

// The queue moves.
const (
	// QueueUp swaps a post with the one before it (it publishes earlier).
	QueueUp QueueDirection = -1
	// QueueDown swaps a post with the one after it.
	QueueDown QueueDirection = 1
)

// ErrQueueEdge refuses to move the first post up or the last one down.
var ErrQueueEdge = problem.New(http.StatusConflict, "queue_edge", "This post is already at that end of the queue.")

// ErrNotInQueue refuses to move a post that is not in the channel's queue.
var ErrNotInQueue = problem.New(http.StatusNotFound, "not_in_queue", "This post is not in the channel's queue.")

// QueueEntry is one post of a queue, at the slot it takes, with the start
// of its first variant's text and how many channels it is on.
type QueueEntry struct {
	Post  store.Post
	Title string
	// Channels counts the post's channels. A post has one time for all of
	// them (posts.scheduled_at; its variants carry none), so moving it in
	// one channel's queue moves it on every one: above 1, the screens say
	// so before the move.
	Channels int
}

// Queue lists a channel's queue in order, to anyone who may view its
// workspace. A channel of another workspace is not found.
func (s *Service) Queue(ctx context.Context, user store.User, workspaceID, channelID int64) ([]QueueEntry, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View)
	if err != nil {
		return nil, err
	}
	return s.queue(ctx, s.Store, ws, channelID)
}

func (s *Service) queue(ctx context.Context, q store.Queries, ws store.Workspace, channelID int64) ([]QueueEntry, error) {
	ch, err := q.GetChannel(ctx, channelID)
	if err != nil || ch.WorkspaceID != ws.ID {
		return nil, problem.NotFound
	}
	slots, err := q.ListQueueSlots(ctx, ch.ID)
	if err != nil || len(slots) == 0 {
		return nil, err
	}
	onSlot := map[[2]int]bool{}
	for _, sl := range slots {
		onSlot[[2]int{int(sl.Weekday), int(sl.MinuteOfDay)}] = true
	}
	loc, err := time.LoadLocation(ws.Timezone)
	if err != nil {
		loc = time.UTC
	}
	now := s.now()
	to := now.Add(QueueHorizon)
	ps, err := q.ListPostsInRange(ctx, store.ListPostsInRangeParams{WorkspaceID: ws.ID, RangeFrom: &now, RangeTo: &to, ChannelID: &ch.ID, MaxRows: MaxQueue})
	if err != nil {
		return nil, err
	}
	var out []QueueEntry
	for _, p := range ps {
		switch Status(p.Status) {
		case Scheduled, Approved, NeedsApproval:
		default:
			continue
		}
		if p.ScheduledAt == nil || !p.ScheduledAt.After(now) {
			continue
		}
		// Slots are wall-clock times of the workspace's zone (schedule.NextFree).
		w := p.ScheduledAt.In(loc)
		if !onSlot[[2]int{int(w.Weekday()), w.Hour()*60 + w.Minute()}] {
			continue
		}
		out = append(out, QueueEntry{Post: p})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Post.ScheduledAt.Before(*out[j].Post.ScheduledAt) })
	if len(out) == 0 {
		return out, nil
	}
	postIDs := make([]int64, len(out))
	for i, e := range out {
		postIDs[i] = e.Post.ID
	}
	heads, err := q.ListVariantHeadsByPosts(ctx, postIDs)
	if err != nil {
		return nil, err
	}
	first := map[int64]string{}
	channels := map[int64]int{}
	for _, h := range heads {
		if _, ok := first[h.PostID]; !ok {
			first[h.PostID] = h.TextHead
		}
		channels[h.PostID]++ // one variant per channel (UNIQUE (post_id, channel_id))
	}
	for i := range out {
		out[i].Title = queueTitle(first[out[i].Post.ID])
		out[i].Channels = channels[out[i].Post.ID]
	}
	return out, nil
}

// queueTitle is the first line of a text, at most 80 characters.
func queueTitle(t string) string {
	if i := strings.IndexByte(t, '\n'); i >= 0 {
		t = t[:i]
	}
	if r := []rune(t); len(r) > 80 {
		t = string(r[:79]) + "…"
	}
	return t
}

// MoveInQueue swaps a post with its neighbour in the channel's queue: each
// takes the other's time, through the same move as a calendar drag (the
// content checked again, the jobs replaced). Reordering decides when posts
// publish, so it takes what scheduling on one's own authority takes
// (mayRelease, releaseOwn): a contributor never reorders, nor, in a
// workspace requiring approval, a member who may not approve.
//
// A post on several channels moves on all of them: the time belongs to the
// post (one schedule revision, one set of publish jobs checked against
// it), not to each channel's variant. There, the new time may not be a
// slot of the other channels, and the post then leaves their queues for a
// time of its own. The queue page and the API say so before the move
// (QueueEntry.Channels).
func (s *Service) MoveInQueue(ctx context.Context, user store.User, workspaceID, channelID, postID int64, dir QueueDirection) ([]QueueEntry, error) {
	if dir != QueueUp && dir != QueueDown {
		return nil, problem.Invalidf("direction", "bad_direction", "Move a post up or down.")
	}
	var out []QueueEntry
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		ws, role, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Schedule)
		if err != nil {
			return err
		}
		if err := release(ws, role, releaseOwn); err != nil {
			return err
		}
		qu, err := s.queue(ctx, tx, ws, channelID)
		if err != nil {
			return err
		}
		i := -1
		for k, e := range qu {
			if e.Post.ID == postID {
				i = k
			}
		}
		if i < 0 {
			return ErrNotInQueue
		}
		j := i + int(dir)
		if j < 0 || j >= len(qu) {
			return ErrQueueEdge
		}
		a, b := qu[i].Post, qu[j].Post
		for _, m := range []struct {
			post store.Post
			at   time.Time
		}{{a, *b.ScheduledAt}, {b, *a.ScheduledAt}} {
			local, err := schedule.Wall(m.at, s.timezone(user, ws, m.post.Timezone))
			if err != nil {
				return err
			}
			if err := s.moveTx(ctx, tx, user, m.post.ID, local); err != nil {
				return err
			}
		}
		out, err = s.queue(ctx, tx, ws, channelID)
		return err
	})
	return out, err
}

// EmptyQueue takes every post of the channel's queue back to draft (as
// Unschedule does, one by one, in one transaction) and returns how many.
// Posts at times of their own stay where they are.
func (s *Service) EmptyQueue(ctx context.Context, user store.User, workspaceID, channelID int64) (int, error) {
	n := 0
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.Schedule)
		if err != nil {
			return err
		}
		qu, err := s.queue(ctx, tx, ws, channelID)
		if err != nil {
			return err
		}
		for _, e := range qu {
			if err := s.unscheduleTx(ctx, tx, user, e.Post.ID); err != nil {
				return err
			}
		}
		n = len(qu)
		return nil
	})
	return n, err
}
