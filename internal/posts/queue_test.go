package posts_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

// queueFx is a channel with a slot every day at 09:00 and 17:00 and three
// posts added to its queue, plus one post at a time of its own.
type queueFx struct {
	fx
	ch     store.Channel
	queued []int64 // in queue order
	own    int64
}

func newQueue(t *testing.T, f fx) queueFx {
	t.Helper()
	ctx := context.Background()
	ch, err := f.env.App.Channels.ConnectSandbox(ctx, f.owner, f.ws.ID, "acct")
	if err != nil {
		t.Fatal(err)
	}
	var slots []schedule.Slot
	for d := time.Sunday; d <= time.Saturday; d++ {
		slots = append(slots, schedule.Slot{Weekday: d, Minute: 9 * 60}, schedule.Slot{Weekday: d, Minute: 17 * 60})
	}
	if err := f.env.App.Channels.SetQueue(ctx, f.owner, ch.ID, slots); err != nil {
		t.Fatal(err)
	}
	q := queueFx{fx: f, ch: ch}
	for i := range 3 {
		v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: fmt.Sprintf("queued %d", i)}}}, posts.AddToQueue)
		if err != nil {
			t.Fatal(err)
		}
		q.queued = append(q.queued, v.Post.ID)
	}
	day := time.Now().UTC().AddDate(0, 0, 2)
	own := time.Date(day.Year(), day.Month(), day.Day(), 11, 17, 0, 0, time.UTC)
	v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "own time"}}, ScheduledLocal: own.Format("2006-01-02T15:04")}, posts.DoSchedule)
	if err != nil {
		t.Fatal(err)
	}
	q.own = v.Post.ID
	return q
}

func ids(es []posts.QueueEntry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Post.ID
	}
	return out
}

func TestQueueListsReordersAndEmpties(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	onEachDialect(t, func(t *testing.T, f fx) {
		q := newQueue(t, f)
		got, err := f.svc.Queue(ctx, f.owner, f.ws.ID, q.ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(got)) != fmt.Sprint(q.queued) {
			t.Fatalf("queue = %v, want %v (the post at its own time is not in it)", ids(got), q.queued)
		}
		before := map[int64]store.Post{}
		for _, e := range got {
			before[e.Post.ID] = e.Post
		}
		// The last post moves up: it takes the second's slot and the second takes its.
		moved, err := f.svc.MoveInQueue(ctx, f.owner, f.ws.ID, q.ch.ID, q.queued[2], posts.QueueUp)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{q.queued[0], q.queued[2], q.queued[1]}; fmt.Sprint(ids(moved)) != fmt.Sprint(want) {
			t.Fatalf("after moving up: %v, want %v", ids(moved), want)
		}
		for _, c := range []struct{ id, slotOf int64 }{{q.queued[2], q.queued[1]}, {q.queued[1], q.queued[2]}} {
			p, _ := f.env.Store.GetPost(ctx, c.id)
			if !p.ScheduledAt.Equal(*before[c.slotOf].ScheduledAt) || p.ScheduleRev <= before[c.id].ScheduleRev || posts.Status(p.Status) != posts.Scheduled {
				t.Errorf("post %d: at %v rev %d %s, want %v, a new schedule rev, scheduled", c.id, p.ScheduledAt, p.ScheduleRev, p.Status, before[c.slotOf].ScheduledAt)
			}
			vs, _ := f.env.Store.ListVariantsByPost(ctx, c.id)
			if publish.VariantState(vs[0].State) != publish.VariantQueued || vs[0].RiverJobID == nil {
				t.Errorf("post %d variant %s job %v, want queued with a job", c.id, vs[0].State, vs[0].RiverJobID)
			}
		}
		if _, err := f.svc.MoveInQueue(ctx, f.owner, f.ws.ID, q.ch.ID, q.queued[0], posts.QueueUp); code(err) != "queue_edge" {
			t.Errorf("first post up: %v, want queue_edge", err)
		}
		if _, err := f.svc.MoveInQueue(ctx, f.owner, f.ws.ID, q.ch.ID, q.own, posts.QueueDown); code(err) != "not_in_queue" {
			t.Errorf("post at its own time: %v, want not_in_queue", err)
		}
		n, err := f.svc.EmptyQueue(ctx, f.owner, f.ws.ID, q.ch.ID)
		if err != nil || n != 3 {
			t.Fatalf("EmptyQueue = %d, %v; want 3", n, err)
		}
		for _, id := range q.queued {
			p, _ := f.env.Store.GetPost(ctx, id)
			vs, _ := f.env.Store.ListVariantsByPost(ctx, id)
			if posts.Status(p.Status) != posts.Draft || publish.VariantState(vs[0].State) != publish.VariantPending {
				t.Errorf("post %d after emptying: %s, variant %s; want draft, pending", id, p.Status, vs[0].State)
			}
		}
		if p, _ := f.env.Store.GetPost(ctx, q.own); posts.Status(p.Status) != posts.Scheduled {
			t.Errorf("the post at its own time became %s, want it left scheduled", p.Status)
		}
		if rest, _ := f.svc.Queue(ctx, f.owner, f.ws.ID, q.ch.ID); len(rest) != 0 {
			t.Errorf("queue after emptying: %v", ids(rest))
		}
	})
}

// Reordering decides when posts publish: it takes the release rule's
// "own authority" (a contributor never; a member who may not approve not
// in a workspace requiring approval); emptying takes Schedule; another
// workspace's channel is not found.
func TestQueueAuthorisation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	onEachDialect(t, func(t *testing.T, f fx) {
		q := newQueue(t, f)
		contributor := f.env.Member(t, f.owner, f.ws.ID, "contrib@example.test", auth.Contributor)
		cm := f.env.Member(t, f.owner, f.ws.ID, "cm@example.test", auth.CommunityMgr)
		if _, err := f.svc.Queue(ctx, contributor, f.ws.ID, q.ch.ID); err != nil {
			t.Errorf("a contributor reads the queue: %v", err)
		}
		if _, err := f.svc.MoveInQueue(ctx, contributor, f.ws.ID, q.ch.ID, q.queued[1], posts.QueueUp); code(err) != "forbidden" {
			t.Errorf("contributor reorders: %v, want forbidden", err)
		}
		if _, err := f.svc.EmptyQueue(ctx, contributor, f.ws.ID, q.ch.ID); code(err) != "forbidden" {
			t.Errorf("contributor empties: %v, want forbidden", err)
		}
		if _, err := f.svc.MoveInQueue(ctx, cm, f.ws.ID, q.ch.ID, q.queued[1], posts.QueueUp); err != nil {
			t.Errorf("community manager reorders without approval required: %v", err)
		}
		if err := f.env.Store.UpdateWorkspaceSettings(ctx, store.UpdateWorkspaceSettingsParams{Name: f.ws.Name, Timezone: f.ws.Timezone, RequireApproval: true, DuplicateWindowHours: 24, ID: f.ws.ID}); err != nil {
			t.Fatal(err)
		}
		// Two posts the community manager queues now wait for approval, at
		// the queue's last two slots: swapping them moves nothing scheduled,
		// and is still a decision on when posts publish.
		var waiting []int64
		for i := range 2 {
			v, err := f.svc.Save(ctx, cm, f.ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: q.ch.ID, Text: fmt.Sprintf("waiting %d", i)}}}, posts.AddToQueue)
			if err != nil || posts.Status(v.Post.Status) != posts.NeedsApproval {
				t.Fatalf("queued by the community manager: %v %v, want waiting for approval", v.Post.Status, err)
			}
			waiting = append(waiting, v.Post.ID)
		}
		before, _ := f.svc.Queue(ctx, f.owner, f.ws.ID, q.ch.ID)
		for _, id := range []int64{q.queued[2], waiting[1]} {
			if _, err := f.svc.MoveInQueue(ctx, cm, f.ws.ID, q.ch.ID, id, posts.QueueUp); code(err) != "forbidden" {
				t.Errorf("community manager moves post %d up with approval required: %v, want forbidden", id, err)
			}
		}
		if after, _ := f.svc.Queue(ctx, f.owner, f.ws.ID, q.ch.ID); fmt.Sprint(ids(after)) != fmt.Sprint(ids(before)) {
			t.Errorf("a refused reorder changed the queue: %v, was %v", ids(after), ids(before))
		}
		other, err := f.env.App.Auth.AddWorkspace(ctx, f.owner, "other", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Queue(ctx, f.owner, other.ID, q.ch.ID); code(err) != "not_found" {
			t.Errorf("queue through another workspace: %v, want not_found", err)
		}
		if _, err := f.svc.EmptyQueue(ctx, f.owner, other.ID, q.ch.ID); code(err) != "not_found" {
			t.Errorf("empty through another workspace: %v, want not_found", err)
		}
	})
}

// A post has one time for all its channels: its queue entry counts them,
// and moving it in one channel's queue moves it on the other channel too
// (the screens warn first).
func TestQueueMoveOfAPostOnSeveralChannels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	onEachDialect(t, func(t *testing.T, f fx) {
		q := newQueue(t, f)
		other, err := f.env.App.Channels.ConnectSandbox(ctx, f.owner, f.ws.ID, "other")
		if err != nil {
			t.Fatal(err)
		}
		slots, err := f.env.App.Channels.Queue(ctx, f.owner, q.ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.env.App.Channels.SetQueue(ctx, f.owner, other.ID, slots); err != nil {
			t.Fatal(err)
		}
		// At the last queued post's slot, a day later: last in the queue.
		last, _ := f.env.Store.GetPost(ctx, q.queued[2])
		day, err := time.Parse("2006-01-02T15:04", last.ScheduledLocal)
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: q.ch.ID, Text: "both"}, {ChannelID: other.ID, Text: "both too"}},
			ScheduledLocal: day.AddDate(0, 0, 1).Format("2006-01-02T15:04")}, posts.DoSchedule)
		if err != nil {
			t.Fatal(err)
		}
		both := v.Post.ID
		got, err := f.svc.Queue(ctx, f.owner, f.ws.ID, q.ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[int64]int{}
		for _, e := range got {
			counts[e.Post.ID] = e.Channels
		}
		if want := map[int64]int{q.queued[0]: 1, q.queued[1]: 1, q.queued[2]: 1, both: 2}; fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Fatalf("channels per queued post %v, want %v", counts, want)
		}
		if fmt.Sprint(ids(got)) != fmt.Sprint(append(q.queued[:3:3], both)) {
			t.Fatalf("queue %v, want the post on both channels last", ids(got))
		}
		if _, err := f.svc.MoveInQueue(ctx, f.owner, f.ws.ID, q.ch.ID, both, posts.QueueUp); err != nil {
			t.Fatal(err)
		}
		onOther, err := f.svc.Queue(ctx, f.owner, f.ws.ID, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(onOther) != 1 || onOther[0].Post.ID != both || !onOther[0].Post.ScheduledAt.Equal(*last.ScheduledAt) || onOther[0].Channels != 2 {
			t.Errorf("the other channel's queue after the move: %+v, want the post at %v, on 2 channels", onOther, last.ScheduledAt)
		}
	})
}
