package publish_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

type fixture struct {
	env   *apptest.Env
	owner store.User
	ws    store.Workspace
	chs   []store.Channel
}

func setup(t *testing.T, o apptest.Options, channels int) fixture {
	t.Helper()
	o.Workers = true
	env := apptest.Start(t, o)
	owner, ws := env.Owner(t)
	f := fixture{env: env, owner: owner, ws: ws}
	for i := 0; i < channels; i++ {
		ch, err := env.App.Channels.ConnectSandbox(context.Background(), owner, ws.ID, fmt.Sprintf("acct%d", i))
		if err != nil {
			t.Fatal(err)
		}
		f.chs = append(f.chs, ch)
	}
	return f
}

func (f fixture) publishNow(t *testing.T, v ...posts.VariantInput) posts.View {
	t.Helper()
	view, err := f.env.App.Posts.Save(context.Background(), f.owner, f.ws.ID, 0, posts.Input{Variants: v}, posts.PublishNow)
	if err != nil {
		t.Fatal(err)
	}
	return view
}

// waitVariants polls until every variant of the post left the queue.
func (f fixture) waitVariants(t *testing.T, postID int64, within time.Duration) []store.PostVariant {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		vs, err := f.env.Store.ListVariantsByPost(context.Background(), postID)
		if err != nil {
			t.Fatal(err)
		}
		done := true
		for _, v := range vs {
			if publish.VariantState(v.State) == publish.VariantQueued || publish.VariantState(v.State) == publish.VariantPublishing {
				done = false
			}
		}
		if done {
			return vs
		}
		if time.Now().After(deadline) {
			t.Fatalf("variants still in flight after %s: %+v", within, vs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func receivedTexts(f fixture) map[string]int {
	out := map[string]int{}
	for _, p := range f.env.Sandbox.Received() {
		out[p.Text]++
	}
	return out
}

func forEachDialect(t *testing.T, fn func(t *testing.T, pg bool)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, false) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, true) })
}

func TestPublishTwoChannelsWithThreadAndFirstComment(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, apptest.Options{Postgres: pg}, 2)
		view := f.publishNow(t,
			posts.VariantInput{ChannelID: f.chs[0].ID, Text: "Main A", Thread: []string{"Second A", "Third A"}, FirstComment: "Comment A"},
			posts.VariantInput{ChannelID: f.chs[1].ID, Text: "Main B"})
		vs := f.waitVariants(t, view.Post.ID, 20*time.Second)
		for _, v := range vs {
			if publish.VariantState(v.State) != publish.VariantPublished || v.ExternalID == "" {
				t.Errorf("variant %d: state %q id %q error %q, want published", v.ID, v.State, v.ExternalID, v.Error)
			}
		}
		got := receivedTexts(f)
		for _, want := range []string{"Main A", "Second A", "Third A", "Comment A", "Main B"} {
			if got[want] != 1 {
				t.Errorf("sandbox received %q %d times, want once", want, got[want])
			}
		}
		// Order and reply chain: each thread item answers the previous one.
		var chain []sandbox.Post
		for _, p := range f.env.Sandbox.Received() {
			if strings.HasSuffix(p.Text, " A") {
				chain = append(chain, p)
			}
		}
		if len(chain) != 4 || chain[1].ReplyTo != chain[0].ID || chain[2].ReplyTo != chain[1].ID || chain[3].ReplyTo != chain[2].ID {
			t.Errorf("thread not posted in order as replies: %+v", chain)
		}
		post, _ := f.env.Store.GetPost(context.Background(), view.Post.ID)
		if posts.Status(post.Status) != posts.Published {
			t.Errorf("post status %q, want published", post.Status)
		}
		logs, _ := f.env.Store.ListPublishLog(context.Background(), view.Post.ID)
		if len(logs) < 5 {
			t.Errorf("publish log has %d lines, want one per message at least", len(logs))
		}
	})
}

func TestFaultsEndPublishedOnce(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, apptest.Options{Postgres: pg, NetworkTimeout: 500 * time.Millisecond}, 1)
		ctx := context.Background()
		sc := f.env.SandboxConnector()
		// 429 with Retry-After, then 503s, then time-outs, for a while.
		for _, fault := range []sandbox.Faults{
			{Mode: "rate_limit", RetryAfter: 1, Count: 2},
		} {
			if err := sc.SetFaults(ctx, f.env.SandboxURL, fault); err != nil {
				t.Fatal(err)
			}
		}
		view := f.publishNow(t, posts.VariantInput{ChannelID: f.chs[0].ID, Text: "through the storm"})
		vs := f.waitVariants(t, view.Post.ID, 30*time.Second)
		if publish.VariantState(vs[0].State) != publish.VariantPublished {
			t.Fatalf("after 429s: state %q (%s), want published", vs[0].State, vs[0].Error)
		}
		for _, mode := range []sandbox.Faults{{Mode: "error", Status: 503, Count: 3}, {Mode: "timeout", Count: 2}} {
			if err := sc.SetFaults(ctx, f.env.SandboxURL, mode); err != nil {
				t.Fatal(err)
			}
			view := f.publishNow(t, posts.VariantInput{ChannelID: f.chs[0].ID, Text: "after " + mode.Mode})
			vs := f.waitVariants(t, view.Post.ID, 60*time.Second)
			if publish.VariantState(vs[0].State) != publish.VariantPublished {
				t.Fatalf("after %s: state %q (%s), want published", mode.Mode, vs[0].State, vs[0].Error)
			}
		}
		got := receivedTexts(f)
		for _, text := range []string{"through the storm", "after error", "after timeout"} {
			if got[text] != 1 {
				t.Errorf("sandbox received %q %d times, want exactly once", text, got[text])
			}
		}
	})
}

// A 429's Retry-After is waited for: the Sandbox receives the post no
// sooner than that many seconds after Tribune logged the refusal.
func TestRateLimitWaitsForRetryAfter(t *testing.T) {
	t.Parallel()
	const retryAfter = 3 * time.Second
	f := setup(t, apptest.Options{}, 1)
	logs := f.publishOnceThrough(t, sandbox.Faults{Mode: "rate_limit", RetryAfter: int(retryAfter / time.Second), Count: 1}, "after a 429", 30*time.Second)
	var refused time.Time
	for _, l := range logs {
		if l.HTTPStatus == 429 {
			refused = l.At
		}
	}
	if refused.IsZero() {
		t.Fatalf("no 429 in the publish log %+v", logs)
	}
	for _, p := range f.env.Sandbox.Received() {
		if p.Text == "after a 429" {
			if waited := p.CreatedAt.Sub(refused); waited < retryAfter {
				t.Errorf("sent again %s after the 429, before its Retry-After of %s", waited.Round(time.Millisecond), retryAfter)
			}
		}
	}
}

func TestRefusedContentFailsWithTheNetworksMessage(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.Options{}, 1)
	view := f.publishNow(t, posts.VariantInput{ChannelID: f.chs[0].ID, Text: "this breaks the rules #sandbox-reject"})
	vs := f.waitVariants(t, view.Post.ID, 20*time.Second)
	if publish.VariantState(vs[0].State) != publish.VariantFailed || !strings.Contains(vs[0].Error, "moderation") {
		t.Fatalf("state %q error %q; want failed with the sandbox's message", vs[0].State, vs[0].Error)
	}
	n, _ := f.env.Store.CountUnreadNotifications(context.Background(), f.owner.ID)
	if n == 0 {
		t.Error("the author was not notified of the failure")
	}
	// A person can retry by hand: it fails again, once more, with the same message.
	if err := f.env.App.Posts.Retry(context.Background(), f.owner, vs[0].ID, false); err != nil {
		t.Fatal(err)
	}
	vs = f.waitVariants(t, view.Post.ID, 20*time.Second)
	if publish.VariantState(vs[0].State) != publish.VariantFailed {
		t.Errorf("after a manual retry: state %q, want failed", vs[0].State)
	}
}

// crashAt leaves a variant as a process killed mid-call would: its first
// part in flight with an attempt key, the job to be run again.
func crashAt(t *testing.T, f fixture, text string, landed bool) (store.PostVariant, string) {
	t.Helper()
	ctx := context.Background()
	// Save as draft, then write the in-flight state by hand and queue it.
	view, err := f.env.App.Posts.Save(ctx, f.owner, f.ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: f.chs[0].ID, Text: text}}}, posts.SaveDraft)
	if err != nil {
		t.Fatal(err)
	}
	v := view.Variants[0].PostVariant
	now := time.Now().UTC()
	key := network.NewAttemptKey(now)
	if err := f.env.Store.CreatePublishPart(ctx, store.CreatePublishPartParams{VariantID: v.ID, Seq: 0, Kind: string(publish.KindPost), Text: text}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.env.Store.MarkPartInFlight(ctx, store.MarkPartInFlightParams{AttemptKey: key, InFlightAt: &now, VariantID: v.ID, Seq: 0}); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if landed { // the call reached the network before the crash
		acct, err := f.env.App.Channels.Account(ctx, f.chs[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sandbox.NewConnector(nil).Publish(ctx, acct, network.PostRequest{AttemptKey: key, Text: text, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.env.Store.SetVariantState(ctx, store.SetVariantStateParams{State: string(publish.VariantPublishing), UpdatedAt: now, ID: v.ID}); err != nil {
		t.Fatal(err)
	}
	if err := f.env.Store.SetPostStatus(ctx, store.SetPostStatusParams{Status: string(posts.Publishing), UpdatedAt: now, ID: v.PostID}); err != nil {
		t.Fatal(err)
	}
	return v, key
}

// runAgainPublishedOnce runs v's publishing job again and checks the
// variant ends published with text received by the sandbox exactly once.
func runAgainPublishedOnce(t *testing.T, f fixture, v store.PostVariant, text string) {
	t.Helper()
	ctx := context.Background()
	post, _ := f.env.Store.GetPost(ctx, v.PostID)
	if _, err := f.env.Store.Jobs().Insert(ctx, publishArgs(v.ID, post.ScheduleRev), nil); err != nil {
		t.Fatal(err)
	}
	vs := f.waitVariants(t, v.PostID, 20*time.Second)
	if publish.VariantState(vs[0].State) != publish.VariantPublished {
		t.Fatalf("state %q (%s), want published", vs[0].State, vs[0].Error)
	}
	if got := receivedTexts(f)[text]; got != 1 {
		t.Errorf("sandbox received the post %d times, want exactly once", got)
	}
}

// publishOnceThrough publishes text now on the first channel with the
// Sandbox told to misbehave, expects it published within the time given and
// received once, and returns its publish log.
func (f fixture) publishOnceThrough(t *testing.T, fault sandbox.Faults, text string, within time.Duration) []store.PublishLog {
	t.Helper()
	ctx := context.Background()
	if err := f.env.SandboxConnector().SetFaults(ctx, f.env.SandboxURL, fault); err != nil {
		t.Fatal(err)
	}
	view := f.publishNow(t, posts.VariantInput{ChannelID: f.chs[0].ID, Text: text})
	vs := f.waitVariants(t, view.Post.ID, within)
	if publish.VariantState(vs[0].State) != publish.VariantPublished {
		t.Fatalf("state %q (%s), want published", vs[0].State, vs[0].Error)
	}
	if n := receivedTexts(f)[text]; n != 1 {
		t.Errorf("%q received %d times, want once", text, n)
	}
	logs, err := f.env.Store.ListPublishLog(ctx, view.Post.ID)
	if err != nil {
		t.Fatal(err)
	}
	return logs
}

// After a 5xx the message stays in flight (the post may exist). The next
// attempt of the same job knows the call that left it there has ended, and
// asks the network at once: it does not wait a network time-out (here 20 s)
// as it would for another job's message.
func TestRetryOfTheSameJobRecoversAtOnce(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, apptest.Options{Postgres: pg, NetworkTimeout: 20 * time.Second}, 1)
		logs := f.publishOnceThrough(t, sandbox.Faults{Mode: "error", Status: 503, Count: 1}, "after one 503", 15*time.Second)
		var steps []string
		for _, l := range logs {
			steps = append(steps, l.Outcome+": "+l.Response)
			if strings.Contains(l.Response, "another run") {
				t.Errorf("the retry waited for its own earlier attempt: %q", l.Response)
			}
		}
		if want := []publish.Outcome{publish.OutcomeRetry, publish.OutcomeRecovered, publish.OutcomeOK}; len(logs) != 3 || publish.Outcome(logs[0].Outcome) != want[0] || publish.Outcome(logs[1].Outcome) != want[1] || publish.Outcome(logs[2].Outcome) != want[2] {
			t.Errorf("publish log %q, want a retry (the 503), the message recovered (not on the network), then sent", steps)
		}
	})
}

// laggingConnector is the sandbox connector on a network whose look-up
// misses a post that was just created.
type laggingConnector struct{ network.Connector }

func (laggingConnector) Recover(context.Context, network.Account, network.PostRequest) (network.Ref, error) {
	return network.Ref{}, network.ErrNotPublished
}

// A call that timed out after the network created the post, then a look-up
// that misses it: the message is sent again under the same attempt key, and
// a network that honours the key answers with the post it has.
func TestResendAfterAMissedLookUpKeepsTheAttemptKey(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.Options{SandboxIdempotency: true, NetworkTimeout: 500 * time.Millisecond}, 1)
	f.env.App.Publisher.Connectors["sandbox"] = laggingConnector{f.env.App.Publisher.Connectors["sandbox"]}
	logs := f.publishOnceThrough(t, sandbox.Faults{Mode: "timeout", Count: 1}, "landed, then missed", 20*time.Second)
	resent := false
	for _, l := range logs {
		resent = resent || strings.Contains(l.Response, "sending again")
	}
	if !resent {
		t.Errorf("publish log %+v: the look-up did not miss, so the test proved nothing", logs)
	}
}

func TestCrashedAttemptIsRecoveredNotResent(t *testing.T) {
	t.Parallel()
	for _, landed := range []bool{true, false} {
		t.Run(fmt.Sprintf("landed=%v", landed), func(t *testing.T) {
			t.Parallel()
			f := setup(t, apptest.Options{}, 1)
			text := fmt.Sprintf("crashed mid-call (landed %v)", landed)
			v, _ := crashAt(t, f, text, landed)
			if err := f.env.App.Posts.Retry(context.Background(), f.owner, v.ID, false); err == nil {
				t.Fatal("retrying a publishing variant by hand was allowed; want wrong_state")
			}
			// The job that died is run again (River's rescuer does this after a crash).
			runAgainPublishedOnce(t, f, v, text)
		})
	}
}

// A job that finds its variant still queued but a first message already in
// flight under another run's key (another run of the job got that far) must
// not take the message for its own: its first commit writes nothing over it,
// so it reads the message back and asks the network, which has the post.
func TestQueuedVariantWithAMessageInFlightIsRecoveredNotResent(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.Options{}, 1)
	ctx := context.Background()
	text := "in flight under another run's key"
	v, key := crashAt(t, f, text, true)
	if err := f.env.Store.SetVariantState(ctx, store.SetVariantStateParams{State: string(publish.VariantQueued), UpdatedAt: time.Now().UTC(), ID: v.ID}); err != nil {
		t.Fatal(err)
	}
	runAgainPublishedOnce(t, f, v, text)
	parts, err := f.env.Store.ListPublishParts(ctx, v.ID)
	if err != nil || len(parts) != 1 || parts[0].AttemptKey != key || publish.PartState(parts[0].State) != publish.PartDone {
		t.Errorf("parts %+v (%v), want the one message, done, under the first run's key %s", parts, err, key)
	}
	logs, _ := f.env.Store.ListPublishLog(ctx, v.PostID)
	recovered := false
	for _, l := range logs {
		recovered = recovered || publish.Outcome(l.Outcome) == publish.OutcomeRecovered
	}
	if !recovered {
		t.Errorf("publish log %+v has no recovered line", logs)
	}
}

// Two runs of one variant's job at the same moment (River runs a job at
// least once) may meet in one commit: only the run whose key was stored
// sends, the other finds the message in flight under that key.
func TestTwoRunsOfOneJobAtOnceSendOnce(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.Options{}, 1)
	ctx := context.Background()
	var vs []store.PostVariant
	for i := 0; i < 20; i++ {
		view, err := f.env.App.Posts.Save(ctx, f.owner, f.ws.ID, 0, posts.Input{ConfirmDuplicate: true,
			Variants: []posts.VariantInput{{ChannelID: f.chs[0].ID, Text: fmt.Sprintf("twice queued #%d", i)}}}, posts.SaveDraft)
		if err != nil {
			t.Fatal(err)
		}
		v := view.Variants[0].PostVariant
		now := time.Now().UTC()
		if err := f.env.Store.SetVariantState(ctx, store.SetVariantStateParams{State: string(publish.VariantQueued), UpdatedAt: now, ID: v.ID}); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	err := f.env.Store.InTx(ctx, func(tx store.Tx) error {
		for _, v := range vs {
			post, err := tx.GetPost(ctx, v.PostID)
			if err != nil {
				return err
			}
			for range 2 {
				if _, err := tx.InsertJob(ctx, publishArgs(v.ID, post.ScheduleRev), nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if got := f.waitVariants(t, v.PostID, 30*time.Second); publish.VariantState(got[0].State) != publish.VariantPublished {
			t.Errorf("variant %d: state %q (%s), want published", v.ID, got[0].State, got[0].Error)
		}
	}
	got := receivedTexts(f)
	for i := range vs {
		if n := got[fmt.Sprintf("twice queued #%d", i)]; n != 1 {
			t.Errorf("twice queued #%d received %d times, want once", i, n)
		}
	}
}

// unknownConnector is the sandbox connector on a network that cannot say
// what happened to an attempt.
type unknownConnector struct{ network.Connector }

func (unknownConnector) Recover(context.Context, network.Account, network.PostRequest) (network.Ref, error) {
	return network.Ref{}, fmt.Errorf("lookup unsupported: %w", network.ErrUnknownOutcome)
}

func TestUnknownOutcomeNeedsAPerson(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.Options{}, 1)
	f.env.App.Publisher.Connectors["sandbox"] = unknownConnector{f.env.App.Publisher.Connectors["sandbox"]}
	v, _ := crashAt(t, f, "who knows", true)
	post, _ := f.env.Store.GetPost(context.Background(), v.PostID)
	if _, err := f.env.Store.Jobs().Insert(context.Background(), publishArgs(v.ID, post.ScheduleRev), nil); err != nil {
		t.Fatal(err)
	}
	vs := f.waitVariants(t, v.PostID, 20*time.Second)
	if publish.VariantState(vs[0].State) != publish.VariantUnknown || !strings.Contains(vs[0].Error, "check") {
		t.Fatalf("state %q (%s), want unknown with a check-before-re-posting message", vs[0].State, vs[0].Error)
	}
	err := f.env.App.Posts.Retry(context.Background(), f.owner, vs[0].ID, false)
	if err == nil {
		t.Fatal("blind retry of an unknown outcome was allowed")
	}
	if got := receivedTexts(f)["who knows"]; got != 1 {
		t.Errorf("sandbox received the post %d times, want once (no blind retry)", got)
	}
}

func TestPauseHoldsAndResumeSendsChosen(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.Options{}, 1)
	ctx := context.Background()
	if err := f.env.App.Posts.Pause(ctx, f.owner, f.ws.ID); err != nil {
		t.Fatal(err)
	}
	a := f.publishNow(t, posts.VariantInput{ChannelID: f.chs[0].ID, Text: "held A"})
	b := f.publishNow(t, posts.VariantInput{ChannelID: f.chs[0].ID, Text: "held B"})
	va := f.waitVariants(t, a.Post.ID, 20*time.Second)
	vb := f.waitVariants(t, b.Post.ID, 20*time.Second)
	if publish.VariantState(va[0].State) != publish.VariantHeld || publish.VariantState(vb[0].State) != publish.VariantHeld {
		t.Fatalf("states %q %q, want held", va[0].State, vb[0].State)
	}
	held, err := f.env.App.Posts.Held(ctx, f.owner, f.ws.ID)
	if err != nil || len(held) != 2 {
		t.Fatalf("Held = %d, %v; want 2", len(held), err)
	}
	if err := f.env.App.Posts.Resume(ctx, f.owner, f.ws.ID, []int64{va[0].ID}); err != nil {
		t.Fatal(err)
	}
	va = f.waitVariants(t, a.Post.ID, 20*time.Second)
	vb, _ = f.env.Store.ListVariantsByPost(ctx, b.Post.ID)
	if publish.VariantState(va[0].State) != publish.VariantPublished || publish.VariantState(vb[0].State) != publish.VariantPending {
		t.Errorf("after resume: A %q (want published), B %q (want pending, back to draft)", va[0].State, vb[0].State)
	}
	got := receivedTexts(f)
	if got["held A"] != 1 || got["held B"] != 0 {
		t.Errorf("sandbox received %v", got)
	}
}

var _ = errors.Is

type publishVariantArgs = publish.VariantArgs

func publishArgs(variantID, rev int64) publishVariantArgs {
	return publishVariantArgs{VariantID: variantID, Rev: rev}
}

// A post the network's answer shows as visible needs no second question;
// one that shows late is polled for until it does, and the log says which.
func TestVisibilityFromTheAnswerOrByPolling(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, apptest.Options{Postgres: pg}, 1)
		ctx := context.Background()
		logOf := func(postID int64) []store.PublishLog {
			logs, err := f.env.Store.ListPublishLog(ctx, postID)
			if err != nil {
				t.Fatal(err)
			}
			return logs
		}

		view := f.publishNow(t, posts.VariantInput{ChannelID: f.chs[0].ID, Text: "shows at once"})
		if vs := f.waitVariants(t, view.Post.ID, 20*time.Second); publish.VariantState(vs[0].State) != publish.VariantPublished {
			t.Fatalf("state %q (%s), want published", vs[0].State, vs[0].Error)
		}
		logs := logOf(view.Post.ID)
		if len(logs) != 1 || logs[0].Step != string(publish.KindPost) || !strings.HasSuffix(logs[0].Response, ", visible on the network") {
			t.Errorf("log of a post visible at once: %+v; want one line saying it shows", logs)
		}

		sc := f.env.SandboxConnector()
		if err := sc.SetFaults(ctx, f.env.SandboxURL, sandbox.Faults{Mode: "hidden", HideSeconds: 3, Count: 1}); err != nil {
			t.Fatal(err)
		}
		view = f.publishNow(t, posts.VariantInput{ChannelID: f.chs[0].ID, Text: "shows late"})
		if vs := f.waitVariants(t, view.Post.ID, 20*time.Second); publish.VariantState(vs[0].State) != publish.VariantPublished {
			t.Fatalf("state %q (%s), want published", vs[0].State, vs[0].Error)
		}
		if logs := logOf(view.Post.ID); len(logs) != 1 || strings.Contains(logs[0].Response, "visible") {
			t.Errorf("log right after a hidden post: %+v; want only its creation", logs)
		}
		// The check-live job retries (100 ms base here) until the post shows.
		deadline := time.Now().Add(30 * time.Second)
		for {
			logs := logOf(view.Post.ID)
			if len(logs) == 2 && logs[1].Step == "check_live" && logs[1].Response == "visible on the network" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no check_live line after the post showed: %+v", logs)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if got := receivedTexts(f); got["shows late"] != 1 {
			t.Errorf("sandbox received the hidden post %d times, want once", got["shows late"])
		}
	})
}

// Posts due together share their transactions; each still goes out once,
// and one post whose write fails does not take the others down with it.
func TestPostsDueTogetherShareCommits(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, apptest.Options{Postgres: pg}, 3)
		ctx := context.Background()
		var ids []int64
		for i := 0; i < 60; i++ {
			view, err := f.env.App.Posts.Save(ctx, f.owner, f.ws.ID, 0, posts.Input{ConfirmDuplicate: true,
				Variants: []posts.VariantInput{{ChannelID: f.chs[i%3].ID, Text: fmt.Sprintf("together #%d", i)}}}, posts.PublishNow)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, view.Post.ID)
		}
		for _, id := range ids {
			if vs := f.waitVariants(t, id, 60*time.Second); publish.VariantState(vs[0].State) != publish.VariantPublished {
				t.Errorf("post %d: state %q (%s), want published", id, vs[0].State, vs[0].Error)
			}
		}
		got := receivedTexts(f)
		for i := 0; i < 60; i++ {
			if n := got[fmt.Sprintf("together #%d", i)]; n != 1 {
				t.Errorf("together #%d received %d times, want once", i, n)
			}
		}
	})
}
