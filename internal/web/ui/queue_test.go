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
