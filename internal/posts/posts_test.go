package posts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

type fx struct {
	env   *apptest.Env
	owner store.User
	ws    store.Workspace
	ch    store.Channel
	svc   *posts.Service
}

func setup(t *testing.T) fx {
	t.Helper()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(context.Background(), owner, ws.ID, "acct")
	if err != nil {
		t.Fatal(err)
	}
	return fx{env: env, owner: owner, ws: ws, ch: ch, svc: env.App.Posts}
}

func (f fx) in(text, local string) posts.Input {
	return posts.Input{Variants: []posts.VariantInput{{ChannelID: f.ch.ID, Text: text}}, ScheduledLocal: local}
}

func future(days int) string {
	return time.Now().AddDate(0, 0, days).Format("2006-01-02") + "T09:00"
}

func code(err error) string {
	var pe *problem.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestDraftKeepsInvalidContentButScheduleRefusesIt(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	long := strings.Repeat("a", 501) // the sandbox allows 500
	v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in(long, ""), posts.SaveDraft)
	if err != nil {
		t.Fatalf("saving an over-long draft: %v (nothing typed may be lost)", err)
	}
	_, err = f.svc.Save(ctx, f.owner, f.ws.ID, v.Post.ID, f.in(long, future(2)), posts.DoSchedule)
	if code(err) != "invalid_content" {
		t.Fatalf("scheduling an over-long post: %v, want invalid_content", err)
	}
	got, _, _, _ := f.svc.Get(ctx, f.owner, v.Post.ID)
	if got.Variants[0].Text != long || posts.Status(got.Post.Status) != posts.Draft {
		t.Errorf("the refused schedule changed the saved draft: %q %s", got.Post.Status, got.Variants[0].Text[:10])
	}
}

func TestApprovalWorkflow(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	if err := f.env.Store.UpdateWorkspaceSettings(ctx, store.UpdateWorkspaceSettingsParams{Name: f.ws.Name, Timezone: f.ws.Timezone, RequireApproval: true, DuplicateWindowHours: 24, ID: f.ws.ID}); err != nil {
		t.Fatal(err)
	}
	cm := f.env.Member(t, f.owner, f.ws.ID, "cm@example.test", auth.CommunityMgr)
	smm := f.env.Member(t, f.owner, f.ws.ID, "smm@example.test", auth.SocialMediaMgr)
	analyst := f.env.Member(t, f.owner, f.ws.ID, "analyst@example.test", auth.Analyst)

	v, err := f.svc.Save(ctx, cm, f.ws.ID, 0, f.in("needs a look", future(3)), posts.DoSchedule)
	if err != nil {
		t.Fatal(err)
	}
	if posts.Status(v.Post.Status) != posts.NeedsApproval {
		t.Fatalf("a community manager's schedule on an approval workspace: %q, want needs_approval", v.Post.Status)
	}
	if _, err := f.svc.Approve(ctx, cm, v.Post.ID, 0, ""); code(err) != "forbidden" {
		t.Errorf("community manager approving: %v, want forbidden", err)
	}
	if _, err := f.svc.Save(ctx, analyst, f.ws.ID, 0, f.in("x", ""), posts.SaveDraft); code(err) != "forbidden" {
		t.Errorf("analyst composing: %v, want forbidden", err)
	}
	if _, err := f.svc.Reject(ctx, smm, v.Post.ID, ""); code(err) != "invalid" {
		t.Errorf("reject without a reason: %v, want invalid", err)
	}
	v, err = f.svc.Reject(ctx, smm, v.Post.ID, "Tone is off")
	if err != nil || posts.Status(v.Post.Status) != posts.Draft {
		t.Fatalf("reject: %v %q", err, v.Post.Status)
	}
	v, err = f.svc.Save(ctx, cm, f.ws.ID, v.Post.ID, f.in("better tone", future(3)), posts.Submit)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, smm, v.Post.ID, v.Post.Version-1, "ok"); code(err) != "stale_version" {
		t.Errorf("approving a version that is no longer the post's: %v, want stale_version", err)
	}
	if got, _, _, _ := f.svc.Get(ctx, f.owner, v.Post.ID); posts.Status(got.Post.Status) != posts.NeedsApproval {
		t.Errorf("after a stale approval the post is %q, want needs_approval", got.Post.Status)
	}
	v, err = f.svc.Approve(ctx, smm, v.Post.ID, v.Post.Version, "ok")
	if err != nil || posts.Status(v.Post.Status) != posts.Scheduled || publish.VariantState(v.Variants[0].State) != publish.VariantQueued {
		t.Fatalf("approve: %v, status %q variant %q; want scheduled and queued", err, v.Post.Status, v.Variants[0].State)
	}
	h, _ := f.svc.History(ctx, f.owner, v.Post.ID)
	if len(h.Comments) < 2 || len(h.Versions) < 2 {
		t.Errorf("history: %d comments, %d versions; want the rejection, the approval and two versions", len(h.Comments), len(h.Versions))
	}
}

func TestReviewerLinkApprovesOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("for the client", future(2)), posts.Submit)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := f.svc.CreateReviewLink(ctx, f.owner, v.Post.ID, "Claire (client)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ReviewByToken(ctx, "wrong"); code(err) != "bad_review_link" {
		t.Errorf("wrong token: %v", err)
	}
	if err := f.svc.DecideByToken(ctx, tok, true, "Parfait"); err != nil {
		t.Fatal(err)
	}
	got, _, _, _ := f.svc.Get(ctx, f.owner, v.Post.ID)
	if posts.Status(got.Post.Status) != posts.Scheduled {
		t.Errorf("after the reviewer approved: %q, want scheduled", got.Post.Status)
	}
	if err := f.svc.DecideByToken(ctx, tok, false, "changed my mind"); code(err) != "bad_review_link" {
		t.Errorf("second decision on the same link: %v, want bad_review_link", err)
	}
}

// A review link decides on its creator's authority: once the creator may no
// longer approve (role changed, or removed from the workspace), the link
// neither shows the post nor decides anything.
func TestReviewLinkDiesWithItsCreatorsRight(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"role changed", "removed"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			ctx := context.Background()
			mgr := f.env.Member(t, f.owner, f.ws.ID, "mgr@example.test", auth.SocialMediaMgr)
			v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("for the client", future(2)), posts.Submit)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := f.svc.CreateReviewLink(ctx, mgr, v.Post.ID, "Claire (client)")
			if err != nil {
				t.Fatal(err)
			}
			if name == "removed" {
				err = f.env.App.Auth.RemoveMember(ctx, f.owner, f.ws.ID, mgr.ID)
			} else {
				err = f.env.App.Auth.SetRole(ctx, f.owner, f.ws.ID, mgr.ID, auth.Contributor)
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ReviewByToken(ctx, tok); code(err) != "bad_review_link" {
				t.Errorf("opening the link: %v, want bad_review_link", err)
			}
			if err := f.svc.DecideByToken(ctx, tok, true, "ok"); code(err) != "bad_review_link" {
				t.Errorf("approving through the link: %v, want bad_review_link", err)
			}
			if got, _, _, _ := f.svc.Get(ctx, f.owner, v.Post.ID); posts.Status(got.Post.Status) != posts.NeedsApproval {
				t.Errorf("post is %q, want it still waiting for approval", got.Post.Status)
			}
		})
	}
}

// A review link approves the post the approver sent: a contributor who
// changes the post afterwards (and submits it again) cannot have the new
// content approved through the old link.
func TestReviewLinkIsWithdrawnWhenThePostChanges(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	writer := f.env.Member(t, f.owner, f.ws.ID, "writer@example.test", auth.Contributor)
	v, err := f.svc.Save(ctx, writer, f.ws.ID, 0, f.in("harmless", future(2)), posts.Submit)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := f.svc.CreateReviewLink(ctx, f.owner, v.Post.ID, "Claire (client)")
	if err != nil {
		t.Fatal(err)
	}
	in := f.in("something else entirely", future(2))
	in.Version = v.Post.Version
	if v, err = f.svc.Save(ctx, writer, f.ws.ID, v.Post.ID, in, posts.Submit); err != nil || posts.Status(v.Post.Status) != posts.NeedsApproval {
		t.Fatalf("resubmitting: %v %q", err, v.Post.Status)
	}
	if _, err := f.svc.ReviewByToken(ctx, tok); code(err) != "bad_review_link" {
		t.Errorf("opening the old link: %v, want bad_review_link", err)
	}
	if err := f.svc.DecideByToken(ctx, tok, true, "ok"); code(err) != "bad_review_link" {
		t.Errorf("approving through the old link: %v, want bad_review_link", err)
	}
	got, _, _, _ := f.svc.Get(ctx, f.owner, v.Post.ID)
	if posts.Status(got.Post.Status) != posts.NeedsApproval {
		t.Errorf("post is %q, want it still waiting for approval", got.Post.Status)
	}
	h, err := f.svc.History(ctx, f.owner, v.Post.ID)
	if err != nil || len(h.Links) != 1 || posts.ReviewDecision(h.Links[0].Decision) != posts.ReviewWithdrawn {
		t.Errorf("the link's history: %+v %v, want it withdrawn", h.Links, err)
	}
}

func TestDuplicateIsFlaggedBeforeScheduling(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	if _, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("Same  text", future(2)), posts.DoSchedule); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("same text", future(2)[:11]+"11:00"), posts.DoSchedule)
	if code(err) != "duplicate" {
		t.Fatalf("same content two hours later on the same channel: %v, want duplicate", err)
	}
	in := f.in("same text", future(2)[:11]+"11:00")
	in.ConfirmDuplicate = true
	v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, in, posts.DoSchedule)
	if err != nil || v.Post.DuplicateOf == nil {
		t.Errorf("confirmed duplicate: %v, duplicate_of %v", err, v.Post.DuplicateOf)
	}
	if _, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("same text", future(5)), posts.DoSchedule); err != nil {
		t.Errorf("same content three days later: %v, want scheduled", err)
	}
}

func TestStaleEditIsRefused(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	v, _ := f.svc.Save(ctx, f.owner, f.ws.ID, 0, f.in("v1", ""), posts.SaveDraft)
	in := f.in("v2", "")
	in.Version = v.Post.Version
	if _, err := f.svc.Save(ctx, f.owner, f.ws.ID, v.Post.ID, in, posts.SaveDraft); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Save(ctx, f.owner, f.ws.ID, v.Post.ID, in, posts.SaveDraft); code(err) != "stale_version" {
		t.Errorf("edit from a stale copy: %v, want stale_version", err)
	}
}

// nthSunday returns the n-th Sunday of a month (n < 0: counted from the end).
func nthSunday(year int, month time.Month, n int) int {
	if n > 0 {
		d := time.Date(year, month, 1, 12, 0, 0, 0, time.UTC)
		for d.Weekday() != time.Sunday {
			d = d.AddDate(0, 0, 1)
		}
		return d.AddDate(0, 0, 7*(n-1)).Day()
	}
	d := time.Date(year, month+1, 0, 12, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return d.Day()
}

// DST: a post scheduled before a daylight-saving change for 09:00 after it
// goes out at 09:00 local, in both directions, in Paris and New York; a time
// in the spring gap moves forward, an ambiguous autumn time takes the first
// occurrence. Next year's transitions, so the dates stay in the future.
func TestScheduleAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	y := time.Now().Year() + 1
	euSpring, euAutumn := nthSunday(y, time.March, -1), nthSunday(y, time.October, -1)
	usSpring, usAutumn := nthSunday(y, time.March, 2), nthSunday(y, time.November, 1)
	local := func(m time.Month, d int, clock string) string {
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format("2006-01-02") + "T" + clock
	}
	utc := func(m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	cases := []struct {
		tz, local string
		wantUTC   time.Time
	}{
		{"Europe/Paris", local(time.March, euSpring+1, "09:00"), utc(time.March, euSpring+1, 7, 0)},
		{"Europe/Paris", local(time.March, euSpring-1, "09:00"), utc(time.March, euSpring-1, 8, 0)},
		{"Europe/Paris", local(time.October, euAutumn-1, "09:00"), utc(time.October, euAutumn-1, 7, 0)},
		{"Europe/Paris", local(time.October, euAutumn, "09:00"), utc(time.October, euAutumn, 8, 0)},
		{"America/New_York", local(time.March, usSpring+1, "09:00"), utc(time.March, usSpring+1, 13, 0)},
		{"America/New_York", local(time.March, usSpring-1, "09:00"), utc(time.March, usSpring-1, 14, 0)},
		{"America/New_York", local(time.November, usAutumn+1, "09:00"), utc(time.November, usAutumn+1, 14, 0)},
		{"America/New_York", local(time.November, usAutumn-1, "09:00"), utc(time.November, usAutumn-1, 13, 0)},
		{"Europe/Paris", local(time.March, euSpring, "02:30"), utc(time.March, euSpring, 1, 30)},           // gap: 03:30 CEST
		{"America/New_York", local(time.November, usAutumn, "01:30"), utc(time.November, usAutumn, 5, 30)}, // ambiguous: EDT
	}
	for _, c := range cases {
		in := f.in("dst "+c.tz+" "+c.local, c.local)
		in.Timezone = c.tz
		v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, in, posts.DoSchedule)
		if err != nil {
			t.Fatalf("%s %s: %v", c.tz, c.local, err)
		}
		if !v.Post.ScheduledAt.Equal(c.wantUTC) {
			t.Errorf("%s %s: goes out at %s, want %s", c.tz, c.local, v.Post.ScheduledAt.UTC(), c.wantUTC)
		}
	}
	// Moving a post across the change keeps the wall clock.
	in := f.in("move me", local(time.March, euSpring-2, "09:00"))
	in.Timezone = "Europe/Paris"
	v, err := f.svc.Save(ctx, f.owner, f.ws.ID, 0, in, posts.DoSchedule)
	if err != nil {
		t.Fatal(err)
	}
	v, err = f.svc.Move(ctx, f.owner, v.Post.ID, local(time.March, euSpring+2, "09:00"))
	if err != nil {
		t.Fatal(err)
	}
	if want := utc(time.March, euSpring+2, 7, 0); !v.Post.ScheduledAt.Equal(want) || publish.VariantState(v.Variants[0].State) != publish.VariantQueued {
		t.Errorf("moved across the change: %s (%s), want %s and re-queued", v.Post.ScheduledAt.UTC(), v.Variants[0].State, want)
	}
}
