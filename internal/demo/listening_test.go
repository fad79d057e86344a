package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/demo"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/store"
)

// The demo's listening: four topics with their queries and a Sandbox
// source; once the source runs, the brand has mentions within the first
// minute (the Sandbox's public stream starts with a couple of minutes of
// history and writes two posts a second).
func TestDemoListeningShowsMentionsAtOnce(t *testing.T) {
	env := apptest.Start(t, apptest.Options{Workers: true})
	ctx := context.Background()
	a := env.App
	if created, err := demo.Seed(ctx, env.Store, a.Auth, a.Channels, a.Posts, time.Now()); err != nil || !created {
		t.Fatalf("seed: %v %v", created, err)
	}
	if err := demo.SeedListening(ctx, env.Store, a.Auth, a.Listen); err != nil {
		t.Fatal(err)
	}
	// Twice is harmless.
	if err := demo.SeedListening(ctx, env.Store, a.Auth, a.Listen); err != nil {
		t.Fatal(err)
	}
	user, err := env.Store.GetUserByEmail(ctx, demo.Email)
	if err != nil {
		t.Fatal(err)
	}
	wss, _ := a.Auth.Workspaces(ctx, user)
	ws := wss[0].ID
	ts, err := a.Listen.Topics(ctx, user, ws)
	if err != nil || len(ts) != 4 {
		t.Fatalf("topics: %+v %v", ts, err)
	}
	brand := ts[0]
	for _, tp := range ts {
		if tp.Kind == listen.KindBrand {
			brand = tp
		}
	}
	a.ListenRunner.Start(ctx)
	defer a.ListenRunner.Stop()
	if err := a.ListenRunner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		rs, err := env.Store.ListTopicRollups(ctx, store.ListTopicRollupsParams{TopicID: brand.ID, Since: time.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, r := range rs {
			n += r.Mentions
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			ss, _ := a.Listen.Sources(ctx, user, ws)
			t.Fatalf("no mention of %s after a minute; sources: %+v", brand.Name, ss)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
