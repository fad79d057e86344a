package inbox

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// tooMany is a network's "too many requests", asking to wait wait.
func tooMany(wait time.Duration) error {
	return &network.Error{Kind: network.RateLimited, Status: 429, RetryAfter: wait}
}

// wantSnooze fails unless err snoozes the job until at least wait from now.
func wantSnooze(t *testing.T, what string, err error, wait time.Duration) {
	t.Helper()
	var sn *river.JobSnoozeError
	if !errors.As(err, &sn) || sn.Duration < wait {
		t.Fatalf("%s: got %v, want the job snoozed for at least %v", what, err, wait)
	}
}

func limitedUntil(t *testing.T, st store.Store, channelID int64) *time.Time {
	t.Helper()
	ch, err := st.GetChannel(context.Background(), channelID)
	must(t, err)
	return ch.RateLimitedUntil
}

// wantAudit fails unless the item's last member action is action, refused,
// for the rate limit.
func wantLimitAudit(t *testing.T, st store.Store, itemID int64, action string) {
	t.Helper()
	acts, err := st.ListInboxActions(context.Background(), []int64{itemID})
	must(t, err)
	if len(acts) == 0 {
		t.Fatalf("%s under the rate limit not audited", action)
	}
	a := acts[len(acts)-1]
	if a.Action != action || a.Result != ResultRefused || a.Error != noteLimitRefused {
		t.Errorf("%s audited as %s:%s %q, want refused for the rate limit", action, a.Action, a.Result, a.Error)
	}
}

// A reply the network answers with 429 records the account's limit on the
// channel: the reply waits queued, saying why, the inbox is not read until
// the limit ends, and the reply job calls nothing meanwhile; once it ends,
// the reply goes, once.
func TestReplyAnswered429HoldsTheAccount(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, net, ch, c1, _ := replyFixture(t, st)
		net.publish = func(req network.PostRequest) (network.Ref, error) { return network.Ref{}, tooMany(5 * time.Minute) }
		r, err := f.s.Reply(ctx, f.cm, c1.ID, "Thank you!")
		must(t, err)
		wantSnooze(t, "a reply answered 429", f.s.SendReply(ctx, r.ID, false), 5*time.Minute)
		if until := limitedUntil(t, st, ch.ID); until == nil || !until.Equal(f.now.Add(5*time.Minute)) {
			t.Fatalf("channel limited until %v, want %v", until, f.now.Add(5*time.Minute))
		}
		if got := f.reply(t, r.ID); got.State != string(ReplyQueued) || got.Error != channels.NoteDeferred {
			t.Fatalf("reply after a 429: %s %q, want queued, saying it waits for the limit", got.State, got.Error)
		}

		var fetches atomic.Int32
		net.fetch = func(req network.FetchRequest) (network.FetchResult, error) {
			fetches.Add(1)
			return network.FetchResult{}, nil
		}
		must(t, st.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: ch.ID, NextPollAt: f.now}))
		f.now = f.now.Add(time.Minute)
		must(t, f.s.Poll(ctx, ch.ID))
		if fetches.Load() != 0 {
			t.Errorf("the inbox was read %d times while the reply's limit held", fetches.Load())
		}
		wantSnooze(t, "the reply job while the limit holds", f.s.SendReply(ctx, r.ID, false), 4*time.Minute)
		if net.calls != 1 {
			t.Fatalf("Publish called %d times, want only the one answered 429", net.calls)
		}

		f.now = f.now.Add(5 * time.Minute)
		net.publish = nil
		must(t, f.s.SendReply(ctx, r.ID, false))
		if got := f.reply(t, r.ID); got.State != string(ReplySent) || got.Error != "" || net.calls != 2 {
			t.Fatalf("after the limit: %s %q after %d calls, want sent after 2", got.State, got.Error, net.calls)
		}
	})
}

// While the account's limit holds, a member's reply and action make no
// call: each is refused with a 429 saying until when (in the workspace's
// time zone), audited, and nothing is stored to be sent later. A
// contributor's reply awaiting approval calls nothing, so it is taken. An
// action the network answers 429 records the limit and is refused alike.
func TestMemberActsWhileLimitedAreRefusedUntilWhen(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, net, ch, c1, _ := replyFixture(t, st)
		must(t, channels.RateLimited(ctx, st, ch.ID, f.now.Add(2*time.Minute)))

		_, err := f.s.ReplyUnlessSomeoneIs(ctx, f.cm, c1.ID, "Thank you!", 0, false)
		wantLimited(t, "reply", err, "10:02:00 CET", 120)
		replies, err := f.s.Replies(ctx, f.cm, c1.ConversationID)
		must(t, err)
		if len(replies) != 0 || net.calls != 0 {
			t.Fatalf("a reply refused by the limit was stored (%d) or sent (%d)", len(replies), net.calls)
		}
		wantLimitAudit(t, st, c1.ID, actReply)

		err = f.s.Act(ctx, f.cm, c1.ID, network.ActLike)
		wantLimited(t, "like", err, "10:02:00 CET", 120)
		if got := f.conn.actions(); len(got) != 0 {
			t.Fatalf("the network saw %v while the limit held", got)
		}
		wantLimitAudit(t, st, c1.ID, string(network.ActLike))

		must(t, f.s.SetReplyApproval(ctx, f.owner, f.ws.ID, true))
		if _, err := f.s.Reply(ctx, f.member(t, "contrib@example.test", "contributor"), c1.ID, "Pending"); err != nil {
			t.Fatalf("a reply awaiting approval was refused: %v", err)
		}

		f.now = f.now.Add(3 * time.Minute)
		f.conn.actErr = tooMany(time.Minute)
		err = f.s.Act(ctx, f.cm, c1.ID, network.ActHide)
		wantLimited(t, "hide answered 429", err, "10:04:00 CET", 60)
		if until := limitedUntil(t, st, ch.ID); until == nil || !until.Equal(f.now.Add(time.Minute)) {
			t.Errorf("channel limited until %v after a 429, want %v", until, f.now.Add(time.Minute))
		}
		wantLimitAudit(t, st, c1.ID, string(network.ActHide))
	})
}

// wantLimited fails unless err is the 429 of a held rate limit saying
// until when, with a wait of seconds.
func wantLimited(t *testing.T, what string, err error, until string, seconds int) {
	t.Helper()
	var le *channels.LimitError
	p := problem.As(err)
	if !errors.As(err, &le) || p.Status != 429 || p.Code != "network_rate_limited" {
		t.Fatalf("%s: got %v, want a 429 for the rate limit", what, err)
	}
	if got := p.Localized("fr"); !strings.Contains(got, until) {
		t.Errorf("%s: %q does not say until %s", what, got, until)
	}
	if le.Seconds() != seconds {
		t.Errorf("%s: Retry-After %d s, want %d", what, le.Seconds(), seconds)
	}
}

// A rule's hide met by the limit is not lost: held before the call or
// answered 429, it stays queued in the item's audit saying why, its job
// waits for the limit, and it hides the item once the limit ends.
func TestRuleActionUnderLimitIsDeferredNotLost(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		scam, hide := scamHiddenByRule(t, f, "C'est une arnaque !")
		wantDeferred := func(what string) {
			t.Helper()
			a := ruleActionsOf(t, f, scam.ID)[0]
			if a.Result != ResultQueued || a.Error != channels.NoteDeferred || a.Undo != hide.Undo {
				t.Fatalf("%s: audited %s %q (undo %q), want queued, deferred for the limit", what, a.Result, a.Error, a.Undo)
			}
		}

		f.conn.actErr = tooMany(time.Minute)
		wantSnooze(t, "a hide answered 429", f.s.PerformRuleAct(ctx, RuleActArgs{ActionID: hide.ID}), time.Minute)
		wantDeferred("answered 429")
		if until := limitedUntil(t, st, f.ch.ID); until == nil || !until.Equal(f.now.Add(time.Minute)) {
			t.Fatalf("channel limited until %v, want %v", until, f.now.Add(time.Minute))
		}

		f.conn.actErr = nil
		f.now = f.now.Add(30 * time.Second)
		wantSnooze(t, "the hide while the limit holds", f.s.PerformRuleAct(ctx, RuleActArgs{ActionID: hide.ID}), 30*time.Second)
		wantDeferred("while the limit holds")
		if got := f.conn.actions(); len(got) != 0 {
			t.Fatalf("the network saw %v while the limit held", got)
		}

		f.now = f.now.Add(time.Minute)
		must(t, f.s.PerformRuleAct(ctx, RuleActArgs{ActionID: hide.ID}))
		if got := f.conn.actions(); !slices.Equal(got, []string{"hide c1"}) {
			t.Fatalf("network saw %v, want [hide c1]", got)
		}
		if a := ruleActionsOf(t, f, scam.ID)[0]; a.Result != ResultOK || a.Error != "" || !itemByExternal(t, f, "c1").Hidden {
			t.Fatalf("after the limit: audited %s %q, want ok and the item hidden", a.Result, a.Error)
		}

		// Its undo is a member's action: refused while a limit holds, and
		// still possible after it.
		must(t, channels.RateLimited(ctx, st, f.ch.ID, f.now.Add(time.Minute)))
		_, err := f.s.UndoRuleAction(ctx, f.cm, hide.ID)
		wantLimited(t, "undo", err, "10:02:30 CET", 60)
		f.now = f.now.Add(time.Minute)
		_, err = f.s.UndoRuleAction(ctx, f.cm, hide.ID)
		must(t, err)
		if got := f.conn.actions(); !slices.Equal(got, []string{"hide c1", "unhide c1"}) {
			t.Fatalf("network saw %v, want the hide, then the unhide once the limit ended", got)
		}
	})
}
