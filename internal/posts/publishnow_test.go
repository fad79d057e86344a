package posts_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/app"
	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
)

// TestPublishNowNeedsNoScheduler: a post published now (so a holding
// statement too, which is one) goes out without waiting for River's scheduler. The
// River client here never leads, so its scheduler never runs: a job inserted
// "scheduled" (even at a past time) would never become available, and the
// post would never reach the Sandbox. The wait below is a deadline, not a
// measure: with the old inserts the posts stay queued forever.
func TestPublishNowNeedsNoScheduler(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			env := apptest.Start(t, apptest.Options{Postgres: dialect == "postgres"})
			ctx := context.Background()
			// Publishing workers only, on a client that never leads (no
			// scheduler, no periodic jobs); jobs of other kinds the posts
			// insert (notifications, webhooks) wait unworked.
			workers := river.NewWorkers()
			env.App.Publisher.Register(workers)
			if err := env.Store.SetupJobs(&river.Config{ID: "follower", LeaderElectionDisabled: true, SkipUnknownJobCheck: true,
				FetchPollInterval: app.FetchPollInterval, FetchCooldown: app.FetchCooldown, Workers: workers,
				Queues: map[string]river.QueueConfig{publish.Queue: {MaxWorkers: 2}}}); err != nil {
				t.Fatal(err)
			}
			runCtx, cancel := context.WithCancel(ctx)
			if err := env.Store.Jobs().Start(runCtx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				stopCtx, c := context.WithTimeout(context.Background(), 10*time.Second)
				defer c()
				_ = env.Store.Jobs().Stop(stopCtx)
				cancel()
			})
			owner, ws := env.Owner(t)
			ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acct")
			if err != nil {
				t.Fatal(err)
			}
			view, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "Out now"}}}, posts.PublishNow)
			if err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				got := env.Sandbox.Received()
				if len(got) > 0 {
					if len(got) != 1 || got[0].Text != "Out now" {
						t.Fatalf("sandbox received %+v, want the post once", got)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the post published now never reached the Sandbox: its job waits for a scheduler")
				}
				time.Sleep(50 * time.Millisecond)
			}
			for {
				post, err := env.Store.GetPost(ctx, view.Post.ID)
				if err != nil {
					t.Fatal(err)
				}
				if posts.Status(post.Status) == posts.Published {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("post status %q, want published", post.Status)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
