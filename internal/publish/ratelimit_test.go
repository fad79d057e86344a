package publish_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

// limitedInbox is the Sandbox connector whose inbox answers every fetch
// with a 429, as an account whose budget polling spent.
type limitedInbox struct {
	*sandbox.Connector
	retryAfter time.Duration
	fetches    *atomic.Int32
}

func (c limitedInbox) FetchInbox(context.Context, network.Account, network.FetchRequest) (network.FetchResult, error) {
	c.fetches.Add(1)
	return network.FetchResult{}, &network.Error{Kind: network.RateLimited, Status: 429, RetryAfter: c.retryAfter, Message: "Too many requests"}
}

// countingInbox is the Sandbox connector counting its inbox fetches.
type countingInbox struct {
	*sandbox.Connector
	fetches *atomic.Int32
}

func (c countingInbox) FetchInbox(ctx context.Context, acct network.Account, req network.FetchRequest) (network.FetchResult, error) {
	c.fetches.Add(1)
	return c.Connector.FetchInbox(ctx, acct, req)
}

// pollNow makes the channel's poll due at once and runs it, as the poll job
// does (a poll the periodic job ran meanwhile may have put it a minute off).
func (f fixture) pollNow(t *testing.T, ch store.Channel) store.InboxPollState {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	must(t, f.env.Store.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: ch.ID, NextPollAt: now}))
	ps, err := f.env.Store.GetInboxPollState(ctx, ch.ID)
	must(t, err)
	must(t, f.env.Store.FinishInboxPoll(ctx, store.FinishInboxPollParams{ChannelID: ch.ID, NextPollAt: now, LastPollAt: ps.LastPollAt, LastError: ps.LastError, Failures: ps.Failures}))
	must(t, f.env.App.Inbox.Poll(ctx, ch.ID))
	ps, err = f.env.Store.GetInboxPollState(ctx, ch.ID)
	must(t, err)
	return ps
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A 429 heard by publishing holds the account's inbox polling: the next
// poll asks the network nothing and waits for the limit's end.
func TestRateLimitOnPublishingDelaysThePoll(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		ctx := context.Background()
		f := setup(t, apptest.Options{Postgres: pg}, 1)
		ch := f.chs[0]
		var fetches atomic.Int32
		sb := f.env.App.Inbox.Connectors["sandbox"].(*sandbox.Connector)
		f.env.App.Inbox.Connectors["sandbox"] = countingInbox{Connector: sb, fetches: &fetches}
		const retryAfter = 10 * time.Minute
		must(t, f.env.SandboxConnector().SetFaults(ctx, f.env.SandboxURL, sandbox.Faults{Mode: "rate_limit", RetryAfter: int(retryAfter / time.Second), Count: 1}))
		sent := time.Now()
		view := f.publishNow(t, posts.VariantInput{ChannelID: ch.ID, Text: "refused by the rate limit"})
		deadline := time.Now().Add(15 * time.Second)
		for {
			logs, err := f.env.Store.ListPublishLog(ctx, view.Post.ID)
			must(t, err)
			refused := false
			for _, l := range logs {
				refused = refused || l.HTTPStatus == 429
			}
			if refused {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no 429 in the publish log %+v", logs)
			}
			time.Sleep(50 * time.Millisecond)
		}
		got, err := f.env.Store.GetChannel(ctx, ch.ID)
		must(t, err)
		if got.RateLimitedUntil == nil || got.RateLimitedUntil.Before(sent.Add(retryAfter)) {
			t.Fatalf("channel rate limited until %v, want at least %v", got.RateLimitedUntil, sent.Add(retryAfter))
		}
		before := fetches.Load()
		ps := f.pollNow(t, ch)
		if n := fetches.Load() - before; n != 0 {
			t.Errorf("the poll fetched %d times while the account's limit holds, want 0", n)
		}
		if ps.NextPollAt.Before(*got.RateLimitedUntil) {
			t.Errorf("next poll at %v, before the limit's end %v", ps.NextPollAt, *got.RateLimitedUntil)
		}
	})
}

// A 429 heard by polling holds publishing on the account: a post due now
// waits, without calling the network, until the limit's end, says so in
// its publish log, then goes out once.
func TestRateLimitOnPollingHoldsADuePostThenPublishesOnce(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		ctx := context.Background()
		f := setup(t, apptest.Options{Postgres: pg}, 1)
		ch := f.chs[0]
		const retryAfter = 3 * time.Second
		var fetches atomic.Int32
		sb := f.env.App.Inbox.Connectors["sandbox"].(*sandbox.Connector)
		f.env.App.Inbox.Connectors["sandbox"] = limitedInbox{Connector: sb, retryAfter: retryAfter, fetches: &fetches}
		ps := f.pollNow(t, ch)
		if fetches.Load() == 0 || ps.LastError == "" {
			t.Fatalf("the poll did not hear the 429: %d fetches, state %+v", fetches.Load(), ps)
		}
		got, err := f.env.Store.GetChannel(ctx, ch.ID)
		must(t, err)
		if got.RateLimitedUntil == nil {
			t.Fatal("a 429 on polling left the channel unlimited")
		}
		until := *got.RateLimitedUntil
		const text = "due while polling is rate limited"
		view := f.publishNow(t, posts.VariantInput{ChannelID: ch.ID, Text: text})
		vs := f.waitVariants(t, view.Post.ID, 20*time.Second)
		if publish.VariantState(vs[0].State) != publish.VariantPublished {
			t.Fatalf("state %q (%s), want published", vs[0].State, vs[0].Error)
		}
		if n := receivedTexts(f)[text]; n != 1 {
			t.Errorf("received %d times, want once", n)
		}
		for _, p := range f.env.Sandbox.Received() {
			if p.Text == text && p.CreatedAt.Before(until) {
				t.Errorf("sent at %v, before the rate limit's end %v", p.CreatedAt, until)
			}
		}
		logs, err := f.env.Store.ListPublishLog(ctx, view.Post.ID)
		must(t, err)
		waited := false
		for _, l := range logs {
			if l.HTTPStatus == 429 {
				t.Errorf("publishing called the network during the limit: %+v", l)
			}
			waited = waited || l.Step == publish.StepRateLimit
		}
		if !waited {
			t.Errorf("publish log %+v does not say the post waited for the rate limit", logs)
		}
	})
}

// limitedDelete is the Sandbox connector whose first deletion is answered
// 429, recording when each deletion reached it.
type limitedDelete struct {
	*sandbox.Connector
	retryAfter time.Duration
	mu         *sync.Mutex
	calls      *[]time.Time
}

func (c limitedDelete) Delete(ctx context.Context, acct network.Account, ref network.Ref) error {
	c.mu.Lock()
	*c.calls = append(*c.calls, time.Now())
	first := len(*c.calls) == 1
	c.mu.Unlock()
	if first {
		return &network.Error{Kind: network.RateLimited, Status: 429, RetryAfter: c.retryAfter, Message: "Too many requests"}
	}
	return c.Connector.Delete(ctx, acct, ref)
}

// A deletion spends the account's one budget like a publication: answered
// 429 it records the limit on the channel (polling and publishing wait
// for it) and tries again after it; while a limit heard by anyone holds, it
// calls nothing and says so in the post's log. Either way the post is
// deleted once the limit ends, with one call that succeeds.
func TestDeletionHonoursTheAccountsRateLimit(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		ctx := context.Background()
		f := setup(t, apptest.Options{Postgres: pg}, 1)
		ch := f.chs[0]
		var mu sync.Mutex
		var calls []time.Time
		const retryAfter = 2 * time.Second
		sb := f.env.App.Publisher.Connectors["sandbox"].(*sandbox.Connector)
		f.env.App.Publisher.Connectors["sandbox"] = limitedDelete{Connector: sb, retryAfter: retryAfter, mu: &mu, calls: &calls}
		deleted := func(postID int64) store.PostVariant {
			t.Helper()
			deadline := time.Now().Add(20 * time.Second)
			for {
				vs, err := f.env.Store.ListVariantsByPost(ctx, postID)
				must(t, err)
				if publish.VariantState(vs[0].State) == publish.VariantDeleted {
					return vs[0]
				}
				if time.Now().After(deadline) {
					t.Fatalf("variant not deleted: %+v", vs[0])
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		published := func(text string) posts.View {
			t.Helper()
			view := f.publishNow(t, posts.VariantInput{ChannelID: ch.ID, Text: text})
			if vs := f.waitVariants(t, view.Post.ID, 20*time.Second); publish.VariantState(vs[0].State) != publish.VariantPublished {
				t.Fatalf("state %q (%s), want published", vs[0].State, vs[0].Error)
			}
			return view
		}

		view := published("deleted after a 429")
		asked := time.Now()
		must(t, f.env.App.Posts.Delete(ctx, f.owner, view.Post.ID))
		deleted(view.Post.ID)
		got, err := f.env.Store.GetChannel(ctx, ch.ID)
		must(t, err)
		if got.RateLimitedUntil == nil || got.RateLimitedUntil.Before(asked.Add(retryAfter)) {
			t.Fatalf("channel rate limited until %v after a deletion's 429, want at least %v", got.RateLimitedUntil, asked.Add(retryAfter))
		}
		mu.Lock()
		if len(calls) != 2 || calls[1].Before(*got.RateLimitedUntil) {
			t.Errorf("deletion calls at %v, want the 429 then one after the limit's end %v", calls, *got.RateLimitedUntil)
		}
		mu.Unlock()

		view = published("deleted after a limit heard elsewhere")
		until := time.Now().Add(retryAfter).UTC()
		must(t, f.env.Store.SetChannelRateLimited(ctx, store.SetChannelRateLimitedParams{Until: &until, ID: ch.ID}))
		must(t, f.env.App.Posts.Delete(ctx, f.owner, view.Post.ID))
		deleted(view.Post.ID)
		mu.Lock()
		if len(calls) != 3 || calls[2].Before(until) {
			t.Errorf("deletion calls at %v, want one more, after the limit's end %v", calls, until)
		}
		mu.Unlock()
		logs, err := f.env.Store.ListPublishLog(ctx, view.Post.ID)
		must(t, err)
		waited := false
		for _, l := range logs {
			waited = waited || l.Step == publish.StepRateLimit
		}
		if !waited {
			t.Errorf("publish log %+v does not say the deletion waited for the rate limit", logs)
		}
	})
}
