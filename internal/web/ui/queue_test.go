package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/schedule"
)

// The queue page lists a channel's queue in order; a member who schedules
// moves a post up and empties the queue (the button asks first); a
// contributor sees the order without the controls, and is refused if they
// post the form anyway.
func TestQueuePage(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		contributor := env.Member(t, owner, ws.ID, "contrib@example.test", auth.Contributor)
		ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acct")
		if err != nil {
			t.Fatal(err)
		}
		var slots []schedule.Slot
		for d := time.Sunday; d <= time.Saturday; d++ {
			slots = append(slots, schedule.Slot{Weekday: d, Minute: 9 * 60})
		}
		if err := env.App.Channels.SetQueue(ctx, owner, ch.ID, slots); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, text := range []string{"first in line", "second in line"} {
			v, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: text}}}, posts.AddToQueue)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, v.Post.ID)
		}
		page := fmt.Sprintf("/w/%d/queue", ws.ID)
		c := newBrowser(t, env, contributor.Email)
		body := readBody(c.do(http.MethodGet, page, nil))
		if !strings.Contains(body, "first in line") || strings.Contains(body, "queue-up-") || strings.Contains(body, "queue-empty-") {
			t.Errorf("contributor's queue page: want the posts without controls: %.400s", body)
		}
		move := fmt.Sprintf("/w/%d/channels/%d/queue/move", ws.ID, ch.ID)
		if r := c.do(http.MethodPost, move, url.Values{"post": {fmt.Sprint(ids[1])}, "direction": {"up"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("contributor posts the move: %d, want 403", r.StatusCode)
		}
		b := newBrowser(t, env, owner.Email)
		body = readBody(b.do(http.MethodGet, page, nil))
		if strings.Index(body, "first in line") > strings.Index(body, "second in line") || !strings.Contains(body, fmt.Sprintf(`data-testid="queue-up-%d"`, ids[1])) ||
			!strings.Contains(body, `data-confirm=`) {
			t.Fatalf("owner's queue page: %.600s", body)
		}
		if r := b.do(http.MethodPost, move, url.Values{"post": {fmt.Sprint(ids[1])}, "direction": {"up"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("move: %d %s", r.StatusCode, readBody(r))
		}
		body = readBody(b.do(http.MethodGet, page, nil))
		if strings.Index(body, "second in line") > strings.Index(body, "first in line") {
			t.Errorf("after moving up, the second post is still second")
		}
		if r := b.do(http.MethodPost, fmt.Sprintf("/w/%d/channels/%d/queue/empty", ws.ID, ch.ID), url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("empty: %d", r.StatusCode)
		}
		if body = readBody(b.do(http.MethodGet, page, nil)); strings.Contains(body, "first in line") {
			t.Errorf("the queue is not empty after emptying it")
		}
	})
}

// A post on several channels has one time for all of them: its queue entry
// says so, and its move buttons ask first, naming how many channels it
// moves on; a post on one channel moves without a question.
func TestQueuePageWarnsAMoveIsOnEveryChannel(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	var slots []schedule.Slot
	for d := time.Sunday; d <= time.Saturday; d++ {
		slots = append(slots, schedule.Slot{Weekday: d, Minute: 9 * 60})
	}
	var chs []int64
	for _, name := range []string{"alpha", "beta", "gamma"} {
		ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.App.Channels.SetQueue(ctx, owner, ch.ID, slots); err != nil {
			t.Fatal(err)
		}
		chs = append(chs, ch.ID)
	}
	single, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: chs[0], Text: "alone"}}}, posts.AddToQueue)
	if err != nil {
		t.Fatal(err)
	}
	var vs []posts.VariantInput
	for _, id := range chs {
		vs = append(vs, posts.VariantInput{ChannelID: id, Text: "everywhere"})
	}
	multi, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: vs}, posts.AddToQueue)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(newBrowser(t, env, owner.Email).do(http.MethodGet, fmt.Sprintf("/w/%d/queue", ws.ID), nil))
	// entry is the post's line in the first channel's queue.
	entry := func(id int64) string {
		start := strings.Index(body, fmt.Sprintf(`data-testid="queue-post-%d"`, id))
		if start < 0 {
			t.Fatalf("post %d is not in the queue page", id)
		}
		return body[start : start+strings.Index(body[start:], "</li>")]
	}
	m := entry(multi.Post.ID)
	if !strings.Contains(m, "On 3 channels: moving it moves it on all of them.") || !strings.Contains(m, `data-confirm="This post is on 3 channels`) {
		t.Errorf("the post on three channels: %s\nwant the note and a question before the move", m)
	}
	if s := entry(single.Post.ID); strings.Contains(s, "data-confirm") || strings.Contains(s, "queue-channels-") {
		t.Errorf("the post on one channel: %s\nwant no note, no question", s)
	}
}
