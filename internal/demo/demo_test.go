package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/demo"
	"github.com/tribune-social/tribune/internal/store"
)

// The demo gives its main Sandbox channel a lively bilingual audience (ten
// items a minute, in French and English) and publishes a post on it at once,
// so that the audience has something to comment on from the first minute;
// the other channels hear from a few people too.
func TestDemoHasALivelyAudience(t *testing.T) {
	env := apptest.Start(t, apptest.Options{Workers: true})
	ctx := context.Background()
	a := env.App
	created, err := demo.Seed(ctx, env.Store, a.Auth, a.Channels, a.Posts, time.Now())
	if err != nil || !created {
		t.Fatalf("seed: %v %v", created, err)
	}
	session, _, err := a.Auth.Login(ctx, demo.Email, demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	user, err := a.Auth.SessionUser(ctx, session)
	if err != nil {
		t.Fatal(err)
	}
	wss, err := a.Auth.Workspaces(ctx, user)
	if err != nil || len(wss) != 1 {
		t.Fatalf("workspaces: %v %v", wss, err)
	}
	chs, err := a.Channels.List(ctx, user, wss[0].ID)
	if err != nil || len(chs) != 3 {
		t.Fatalf("channels: %d %v", len(chs), err)
	}
	var main store.Channel
	for _, ch := range chs {
		isMain := strings.HasSuffix(ch.ExternalID, ".maisonlumiere")
		if isMain {
			main = ch
		}
		aud, err := a.Channels.SandboxAudience(ctx, user, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if aud.Rate < 1 || !slices.Contains(aud.Languages, "fr") || !slices.Contains(aud.Languages, "en") || aud.Negative == 0 {
			t.Errorf("channel %s: audience %+v", ch.Name, aud)
		}
		if isMain && aud.Rate < 10 {
			t.Errorf("the main channel's audience writes %.1f items a minute, want ten", aud.Rate)
		}
	}
	// The main channel's first post goes out at once.
	if main.ID == 0 {
		t.Fatal("no maisonlumiere channel")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		published := 0
		for _, p := range env.Sandbox.Received() {
			if p.Account == main.ExternalID {
				published++
			}
		}
		if published > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the demo published nothing on its main channel within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
