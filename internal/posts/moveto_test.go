package posts_test

import (
	"context"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/posts"
)

// A drag and drop on the calendar gives an instant; the post keeps its own
// time zone, and a post of another workspace is not found from this one.
func TestMoveToKeepsThePostsZone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	onEachDialect(t, func(t *testing.T, f fx) {
		ch, err := f.env.App.Channels.ConnectSandbox(ctx, f.owner, f.ws.ID, "acct")
		if err != nil {
			t.Fatal(err)
		}
		in := posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "x"}}, ScheduledLocal: future(3), Timezone: "America/New_York"}
		v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, in, posts.DoSchedule)
		if err != nil {
			t.Fatal(err)
		}
		ny, _ := time.LoadLocation("America/New_York")
		day := time.Now().AddDate(0, 0, 5)
		at := time.Date(day.Year(), day.Month(), day.Day(), 14, 30, 0, 0, ny)
		moved, err := f.svc.MoveTo(ctx, f.owner, f.ws.ID, v.Post.ID, at.In(time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if want := at.Format("2006-01-02T15:04"); moved.Post.ScheduledLocal != want || moved.Post.Timezone != "America/New_York" {
			t.Errorf("got %q in %q, want %q in America/New_York", moved.Post.ScheduledLocal, moved.Post.Timezone, want)
		}
		other, err := f.env.App.Auth.AddWorkspace(ctx, f.owner, "other", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.MoveTo(ctx, f.owner, other.ID, v.Post.ID, at); code(err) != "not_found" {
			t.Errorf("through another workspace: %v, want not_found", err)
		}
	})
}
