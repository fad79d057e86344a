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

// A post has one time for all its channels: the queue's list says how many
// channels each post is on, and the API document says, before any client
// moves one, that the move is on every channel.
func TestQueueAPISaysAMoveIsOnEveryChannel(t *testing.T) {
	t.Parallel()
	var doc struct {
		Paths map[string]map[string]struct {
			Description string `json:"description"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDocument(t), &doc); err != nil {
		t.Fatal(err)
	}
	if d := doc.Paths["/v1/channels/{id}/queued-posts/move"]["post"].Description; !strings.Contains(d, "moves it on every one of them") {
		t.Errorf("move-queued-post's description %q does not say a post moves on all its channels", d)
	}
	if d := doc.Components.Schemas["QueuedPost"].Properties["channels"].Description; !strings.Contains(d, "moves it on all of them") {
		t.Errorf("QueuedPost.channels described as %q", d)
	}

	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	var slots []schedule.Slot
	for d := time.Sunday; d <= time.Saturday; d++ {
		slots = append(slots, schedule.Slot{Weekday: d, Minute: 9 * 60})
	}
	var vs []posts.VariantInput
	for _, name := range []string{"alpha", "beta"} {
		ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.App.Channels.SetQueue(ctx, owner, ch.ID, slots); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, posts.VariantInput{ChannelID: ch.ID, Text: "on both"})
	}
	if _, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: vs}, posts.AddToQueue); err != nil {
		t.Fatal(err)
	}
	r := env.Do(t, env.Token(t, owner), http.MethodGet, fmt.Sprintf("/api/v1/channels/%d/queued-posts", vs[1].ChannelID), nil)
	defer r.Body.Close()
	var out []struct {
		Channels int `json:"channels"`
	}
	if err := json.NewDecoder(r.Body).Decode(&out); err != nil || r.StatusCode != 200 {
		t.Fatalf("queued-posts: %d %v", r.StatusCode, err)
	}
	if len(out) != 1 || out[0].Channels != 2 {
		t.Errorf("queued-posts %+v, want one post on 2 channels", out)
	}
}
