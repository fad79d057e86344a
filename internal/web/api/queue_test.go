package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/schedule"
)

// The API lists a channel's queue in order, moves a post in it and empties
// it, through the same use cases as the UI; an analyst only reads.
func TestQueueThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
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
	var want []int64
	for i := range 2 {
		v, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: fmt.Sprintf("q%d", i)}}}, posts.AddToQueue)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, v.Post.ID)
	}
	tok := env.Token(t, owner)
	list := func(tok string) []int64 {
		r := env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/channels/%d/queued-posts", ch.ID), nil)
		defer r.Body.Close()
		var out []struct {
			PostID int64 `json:"post_id"`
		}
		if err := json.NewDecoder(r.Body).Decode(&out); err != nil || r.StatusCode != 200 {
			t.Fatalf("queued-posts: %d %v", r.StatusCode, err)
		}
		var ids []int64
		for _, o := range out {
			ids = append(ids, o.PostID)
		}
		return ids
	}
	if got := list(tok); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("queue %v, want %v", got, want)
	}
	analyst := env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst)
	atok := env.Token(t, analyst)
	if got := list(atok); len(got) != 2 {
		t.Errorf("the analyst reads %v", got)
	}
	move := fmt.Sprintf(`{"post_id":%d,"direction":"up"}`, want[1])
	if r := env.Do(t, atok, http.MethodPost, fmt.Sprintf("/api/v1/channels/%d/queued-posts/move", ch.ID), strings.NewReader(move)); r.StatusCode != 403 {
		t.Errorf("analyst moves: %d, want 403", r.StatusCode)
	}
	if r := env.Do(t, tok, http.MethodPost, fmt.Sprintf("/api/v1/channels/%d/queued-posts/move", ch.ID), strings.NewReader(move)); r.StatusCode != 200 {
		t.Fatalf("owner moves: %d", r.StatusCode)
	}
	if got := list(tok); fmt.Sprint(got) != fmt.Sprint([]int64{want[1], want[0]}) {
		t.Errorf("after the move: %v", got)
	}
	r := env.Do(t, tok, http.MethodPost, fmt.Sprintf("/api/v1/channels/%d/queued-posts/empty", ch.ID), strings.NewReader(`{}`))
	var out struct {
		Unscheduled int `json:"unscheduled"`
	}
	_ = json.NewDecoder(r.Body).Decode(&out)
	r.Body.Close()
	if r.StatusCode != 200 || out.Unscheduled != 2 || len(list(tok)) != 0 {
		t.Errorf("empty: %d, %d unscheduled", r.StatusCode, out.Unscheduled)
	}
}
