package posts_test

import (
	"context"
	"testing"

	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

// A post that failed on one channel and went out on another may be edited
// and scheduled again, but what is already on a network stays as it is: its
// variant is neither reset nor queued again (that would post it twice), and
// its text cannot be changed or its channel dropped.
func TestEditingAPartlyFailedPostKeepsThePublishedVariant(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	other, err := f.env.App.Channels.ConnectSandbox(ctx, f.owner, f.ws.ID, "other")
	if err != nil {
		t.Fatal(err)
	}
	in := posts.Input{Variants: []posts.VariantInput{{ChannelID: f.ch.ID, Text: "out already"}, {ChannelID: other.ID, Text: "refused"}},
		ScheduledLocal: future(2)}
	v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, in, posts.SaveDraft)
	if err != nil {
		t.Fatal(err)
	}
	// The publisher's outcome: the first variant published, the second failed.
	published, failed := v.Variants[0], v.Variants[1]
	if published.ChannelID != f.ch.ID {
		published, failed = failed, published
	}
	for _, x := range []struct {
		id    int64
		state publish.VariantState
	}{{published.ID, publish.VariantPublished}, {failed.ID, publish.VariantFailed}} {
		if err := f.env.Store.SetVariantJob(ctx, store.SetVariantJobParams{State: string(x.state), UpdatedAt: v.Post.UpdatedAt, ID: x.id}); err != nil {
			t.Fatal(err)
		}
	}
	p := v.Post
	if err := f.env.Store.UpdatePost(ctx, store.UpdatePostParams{Status: string(posts.Failed), ScheduledAt: p.ScheduledAt, ScheduledLocal: p.ScheduledLocal,
		Timezone: p.Timezone, Tags: p.Tags, Version: p.Version, ScheduleRev: p.ScheduleRev, UpdatedAt: p.UpdatedAt, ID: p.ID}); err != nil {
		t.Fatal(err)
	}

	changed := in
	changed.Variants = []posts.VariantInput{{ChannelID: f.ch.ID, Text: "rewritten"}, {ChannelID: other.ID, Text: "fixed"}}
	if _, err := f.svc.Save(ctx, f.owner, f.ws.ID, p.ID, changed, posts.DoSchedule); code(err) != "variant_published" {
		t.Errorf("rewriting a published variant: %v, want variant_published", err)
	}
	dropped := in
	dropped.Variants = []posts.VariantInput{{ChannelID: other.ID, Text: "fixed"}}
	if _, err := f.svc.Save(ctx, f.owner, f.ws.ID, p.ID, dropped, posts.DoSchedule); code(err) != "variant_published" {
		t.Errorf("dropping a published variant's channel: %v, want variant_published", err)
	}

	fixed := in
	fixed.Variants = []posts.VariantInput{{ChannelID: f.ch.ID, Text: "out already"}, {ChannelID: other.ID, Text: "fixed"}}
	if _, err := f.svc.Save(ctx, f.owner, f.ws.ID, p.ID, fixed, posts.DoSchedule); err != nil {
		t.Fatalf("scheduling the fixed variant again: %v", err)
	}
	got, _, _, err := f.svc.Get(ctx, f.owner, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, gv := range got.Variants {
		switch gv.ID {
		case published.ID:
			if publish.VariantState(gv.State) != publish.VariantPublished {
				t.Errorf("the published variant is %s again: it would be posted twice", gv.State)
			}
		case failed.ID:
			if publish.VariantState(gv.State) != publish.VariantQueued || gv.Text != "fixed" {
				t.Errorf("the fixed variant is %s with %q, want queued with the new text", gv.State, gv.Text)
			}
		}
	}
}
