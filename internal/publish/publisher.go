package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
)

// Accounts turns a channel row into the credentials a connector needs.
type Accounts interface {
	Account(ctx context.Context, ch store.Channel) (network.Account, error)
}

// MediaFiles opens stored media files.
type MediaFiles interface {
	Open(m store.Media) (io.ReadCloser, error)
}

// Notifier tells a user about a publication that needs them.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// Notification is a message for a post's author.
type Notification struct {
	UserID, WorkspaceID, PostID int64
	Kind                        NotificationKind
	Title, Body                 string
}

// CrisisCell is the crisis cell as publishing sees it (crisis.Service):
// it lets a holding statement through the pause and records held posts in
// the open incident's timeline.
type CrisisCell interface {
	// Bypasses reports whether the post carries a holding statement that
	// goes out although publishing is paused.
	Bypasses(ctx context.Context, postID int64) (bool, error)
	// Held records that the pause held a variant.
	Held(ctx context.Context, v store.PostVariant, post store.Post, ch store.Channel)
}

// Publisher holds what the publishing jobs need.
type Publisher struct {
	Store      store.Store
	Connectors map[string]network.Connector
	Accounts   Accounts
	Media      MediaFiles
	Notifier   Notifier
	// Webhooks, when set, queues post.published and post.failed with the
	// variant's outcome (webhook.go).
	Webhooks Webhooks
	Metrics  *Metrics
	Node     string
	Log      *slog.Logger
	Now      func() time.Time
	// Crisis, when set, hears of held posts and clears holding statements.
	Crisis CrisisCell
	// RetryBase is the first retry's wait (default 2 s); tests shorten it.
	RetryBase time.Duration
	// CallTimeout bounds one call to a network (the HTTP client's
	// time-out). A message that another run put in flight less than this
	// ago may still be on its way: it is not recovered before then.
	CallTimeout time.Duration

	batchOnce sync.Once
	b         *batches
}

// batches are the shared database steps of the jobs that run together
// (see batch.go).
type batches struct {
	targets *loader[store.GetPublishTargetsRow]
	parts   *loader[store.PublishPart]
	// start commits "publishing" and the messages, durably when the first
	// message's in-flight mark rides on it; startRelaxed when media come
	// first. done commits a sent message (and the variant's completion).
	// On SQLite the three are one group (see batch).
	start, startRelaxed, done *txGroup
	// ids shapes a list of ids for a statement: padded on SQLite, distinct
	// on PostgreSQL (see padded).
	ids func([]int64) []int64
}

func (p *Publisher) batch() *batches {
	p.batchOnce.Do(func() {
		st := p.Store
		ids := distinct
		if st.Dialect() == "sqlite" {
			ids = padded
		}
		p.b = &batches{
			targets: &loader[store.GetPublishTargetsRow]{fetch: st.GetPublishTargets, ids: ids,
				key: func(r store.GetPublishTargetsRow) int64 { return r.PostVariant.ID }},
			parts: &loader[store.PublishPart]{fetch: st.ListPublishPartsOf, ids: ids,
				key: func(r store.PublishPart) int64 { return r.VariantID }},
			ids:          ids,
			start:        &txGroup{store: st, opts: store.TxOptions{Pipelined: true}, write: p.writeGroup},
			startRelaxed: &txGroup{store: st, opts: store.TxOptions{Pipelined: true, Relaxed: true}, write: p.writeGroup},
			done:         &txGroup{store: st, opts: store.TxOptions{Pipelined: true, Relaxed: true}, write: p.writeGroup},
		}
		if st.Dialect() == "sqlite" {
			// SQLite has one writer and ignores TxOptions: three groups would
			// only queue behind each other, three transactions a round where
			// one does.
			p.b.startRelaxed, p.b.done = p.b.start, p.b.start
		}
	})
	return p.b
}

// writeGroup writes what a group's jobs brought, one statement per kind of
// row for all of them: the new messages, the variants (and posts) that
// start, the sent messages and their log lines, then the variants
// published, whose network id is their first message's, and last the
// status of their posts.
func (p *Publisher) writeGroup(ctx context.Context, tx store.Tx, r groupRows) error {
	now := p.Now().UTC()
	ids := p.batch().ids
	// The webhooks first: their read of the endpoints waits for its answer,
	// which, in a pipelined transaction, is cheaper before the writes are
	// queued than behind them.
	if err := p.emitGroup(ctx, tx, r.events); err != nil {
		return err
	}
	if len(r.parts) > 0 {
		written, err := tx.CreatePublishParts(ctx, store.Rows(r.parts))
		if err != nil {
			return err
		}
		answerClaims(r.claims, written)
	}
	if len(r.start) > 0 {
		if err := tx.StartVariants(ctx, store.StartVariantsParams{UpdatedAt: now, Ids: ids(r.start)}); err != nil {
			return err
		}
		if err := tx.MarkPostsPublishing(ctx, store.MarkPostsPublishingParams{UpdatedAt: now, Ids: ids(r.startPosts)}); err != nil {
			return err
		}
	}
	if len(r.done) > 0 {
		if err := tx.MarkPartsDone(ctx, store.Rows(r.done)); err != nil {
			return err
		}
	}
	if len(r.logs) > 0 {
		if err := tx.AddPublishLogs(ctx, store.Rows(r.logs)); err != nil {
			return err
		}
	}
	if len(r.published) > 0 {
		if err := tx.MarkVariantsPublished(ctx, store.MarkVariantsPublishedParams{PublishedAt: &now, Ids: ids(r.published)}); err != nil {
			return err
		}
	}
	if len(r.refresh) > 0 {
		return tx.RefreshPostsStatus(ctx, store.RefreshPostsStatusParams{UpdatedAt: now, Ids: ids(r.refresh)})
	}
	return nil
}

// Register adds the publishing workers to workers.
func (p *Publisher) Register(workers *river.Workers) {
	river.AddWorker(workers, &variantWorker{p: p})
	river.AddWorker(workers, &checkLiveWorker{p: p})
	river.AddWorker(workers, &deleteWorker{p: p})
}

type variantWorker struct {
	river.WorkerDefaults[VariantArgs]
	p *Publisher
}

// NextRetry spaces retries exponentially; rate limits snooze instead, for
// exactly as long as the network asked.
func (w *variantWorker) NextRetry(job *river.Job[VariantArgs]) time.Time {
	return time.Now().Add(backoff(w.p.RetryBase, job.Attempt, rand.Float64))
}

func (w *variantWorker) Work(ctx context.Context, job *river.Job[VariantArgs]) error {
	return w.p.publishVariant(ctx, job.Args, job.ID, job.Attempt)
}

// log writes one line of a variant's publish log; a failure to log must not
// change what the job does, so it is only reported.
func (p *Publisher) log(ctx context.Context, v store.PostVariant, netw, step, req, resp string, outcome Outcome, status int) {
	if err := p.Store.AddPublishLogs(ctx, p.logRow(v, netw, step, req, resp, outcome, status)); err != nil {
		p.Log.Error("publish log", "variant", v.ID, "err", err)
	}
}

func (p *Publisher) logRow(v store.PostVariant, netw, step, req, resp string, outcome Outcome, status int) string {
	if len(resp) > 2000 {
		resp = resp[:2000] + "…"
	}
	return store.Rows([]store.LogRow{{VariantID: v.ID, Network: netw, At: store.RowTime(p.Now().UTC()), Step: step,
		Request: req, Response: resp, Outcome: string(outcome), HTTPStatus: int64(status), Node: p.Node}})
}

// StepRateLimit is the publish log's step of a variant waiting, without
// calling the network, for its channel's rate limit to pass.
const StepRateLimit = "rate_limit"

// waitLimit puts the variant off until its channel's rate limit, heard by
// publishing or by inbox polling on the same account, has passed: a call
// now would be refused and spend the account's budget. The post is not
// failed, only later; the log says why.
func (p *Publisher) waitLimit(ctx context.Context, v store.PostVariant, ch store.Channel, until time.Time) error {
	p.log(ctx, v, ch.Network, StepRateLimit, "", "waiting for the network's rate limit (no call made) until "+until.UTC().Format(time.RFC3339), OutcomeRetry, 0)
	p.Metrics.outcome(ch.Network, "rate_limited")
	return river.JobSnooze(until.Sub(p.Now()) + time.Duration(rand.IntN(1000))*time.Millisecond)
}

func (p *Publisher) setState(ctx context.Context, v store.PostVariant, state VariantState, msg string) error {
	now := p.Now().UTC()
	if err := p.Store.SetVariantState(ctx, store.SetVariantStateParams{State: string(state), Error: msg, UpdatedAt: now, ID: v.ID}); err != nil {
		return err
	}
	return p.Store.RefreshPostsStatus(ctx, store.RefreshPostsStatusParams{UpdatedAt: now, Ids: []int64{v.PostID}})
}

// failState marks the variant failed and queues post.failed in one
// transaction.
func (p *Publisher) failState(ctx context.Context, v store.PostVariant, ch store.Channel, msg string) error {
	if p.Webhooks == nil {
		return p.setState(ctx, v, VariantFailed, msg)
	}
	now := p.Now().UTC()
	return p.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.SetVariantState(ctx, store.SetVariantStateParams{State: string(VariantFailed), Error: msg, UpdatedAt: now, ID: v.ID}); err != nil {
			return err
		}
		if err := tx.RefreshPostsStatus(ctx, store.RefreshPostsStatusParams{UpdatedAt: now, Ids: []int64{v.PostID}}); err != nil {
			return err
		}
		return p.emit(ctx, tx, ch, EventFailed, VariantEvent{PostID: v.PostID, VariantID: v.ID, ChannelID: ch.ID, Network: ch.Network, Error: msg})
	})
}

// publishVariant runs one attempt of job, whose id is recorded on the
// messages it puts in flight (see sendPart): at the variant's exact time it
// starts the variant (or resumes it), uploads its media, then sends its
// messages in order.
func (p *Publisher) publishVariant(ctx context.Context, args VariantArgs, job int64, attempt int) error {
	t, err := p.dueTarget(ctx, args)
	if t == nil || err != nil {
		return err
	}
	v, post, ch := t.v, t.post, t.ch
	if t.ws.PausedAt != nil && VariantState(v.State) == VariantQueued {
		through, err := p.bypasses(ctx, post.ID)
		if err != nil {
			return err
		}
		if !through {
			return p.hold(ctx, v, post, ch)
		}
		p.log(ctx, v, ch.Network, "hold", "", "holding statement of the open crisis: published although publishing is paused", OutcomeOK, 0)
	}
	if until, held := channels.LimitHolds(ch, p.Now()); held {
		return p.waitLimit(ctx, v, ch, until)
	}
	conn, acct, ne := p.connect(ctx, ch)
	if ne != nil {
		return p.fail(ctx, v, post, ch, "prepare", ne)
	}
	var mediaIDs []int64
	if err := json.Unmarshal([]byte(v.MediaIDs), &mediaIDs); err != nil {
		return fmt.Errorf("media ids: %w", err)
	}
	var sent []store.PublishPart // the messages as stored, when already known
	r := run{job: job}
	if VariantState(v.State) == VariantQueued {
		if sent, r.fresh, err = p.start(ctx, v, job, len(mediaIDs) == 0); err != nil {
			return err
		}
		if attempt <= 1 && post.ScheduledAt != nil {
			p.Metrics.lag(ch.Network, p.Now().Sub(*post.ScheduledAt))
		}
	} else if err := p.resume(ctx, v); err != nil {
		return err
	}
	uploaded, err := p.prepareMedia(ctx, conn, acct, v, ch, mediaIDs)
	if err != nil {
		return p.handle(ctx, v, post, ch, "media", err)
	}
	if sent == nil {
		if sent, err = p.Store.ListPublishParts(ctx, v.ID); err != nil {
			return err
		}
	}
	return p.sendAll(ctx, conn, acct, t, sent, uploaded, r)
}

// target is a variant to publish with its post, workspace and channel, as
// one joined read returns them.
type target struct {
	v    store.PostVariant
	post store.Post
	ws   store.Workspace
	ch   store.Channel
}

// dueTarget reads the variant of args once it is due, or returns nil when
// there is nothing to do: the post was deleted, moved, unscheduled, held or
// done since the job was inserted. The job runs up to Lead early (see
// JobTime): it waits for the exact time, then reads everything again (the
// post may have moved meanwhile).
func (p *Publisher) dueTarget(ctx context.Context, args VariantArgs) (*target, error) {
	for {
		rows, err := p.batch().targets.Load(ctx, args.VariantID)
		if err != nil || len(rows) == 0 {
			return nil, err
		}
		t := &target{v: rows[0].PostVariant, post: rows[0].Post, ws: rows[0].Workspace, ch: rows[0].Channel}
		if t.post.ScheduleRev != args.Rev || (VariantState(t.v.State) != VariantQueued && VariantState(t.v.State) != VariantPublishing) {
			return nil, nil
		}
		if VariantState(t.v.State) != VariantQueued || t.post.ScheduledAt == nil {
			return t, nil
		}
		wait := t.post.ScheduledAt.Sub(p.Now())
		if wait <= 0 {
			return t, nil
		}
		if wait > 2*Lead {
			return nil, river.JobSnooze(wait - Lead)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// hold keeps a variant of a paused workspace from going out (the crisis
// switch); resuming lets a person choose.
func (p *Publisher) hold(ctx context.Context, v store.PostVariant, post store.Post, ch store.Channel) error {
	p.log(ctx, v, ch.Network, "hold", "", "publishing is paused for this workspace", OutcomeHeld, 0)
	p.Metrics.outcome(ch.Network, "held")
	if err := p.setState(ctx, v, VariantHeld, ""); err != nil {
		return err
	}
	if p.Crisis != nil {
		p.Crisis.Held(ctx, v, post, ch)
	}
	return nil
}

// bypasses reports whether the crisis cell lets post through the pause.
func (p *Publisher) bypasses(ctx context.Context, postID int64) (bool, error) {
	if p.Crisis == nil {
		return false, nil
	}
	return p.Crisis.Bypasses(ctx, postID)
}

// connect returns the channel's connector and credentials, or the error
// that fails the variant for good.
func (p *Publisher) connect(ctx context.Context, ch store.Channel) (network.Connector, network.Account, *network.Error) {
	conn, ok := p.Connectors[ch.Network]
	if !ok {
		return nil, network.Account{}, &network.Error{Kind: network.Permanent, Message: "no connector for network " + ch.Network}
	}
	acct, err := p.Accounts.Account(ctx, ch)
	if err != nil {
		return nil, network.Account{}, &network.Error{Kind: network.Unauthorized, Message: "the channel's credentials cannot be read: " + err.Error()}
	}
	return conn, acct, nil
}

// start commits at once that the variant is publishing and that its
// messages exist. With no media to upload first (direct), the first message
// is written already in flight, and the commit is then a durable one;
// otherwise a database crash that loses it is harmless: the job (still
// running in River) simply does this again. Jobs starting together share
// the commit. It returns the messages as stored, and fresh: the attempt key
// of a first message this run put in flight, not sent yet.
func (p *Publisher) start(ctx context.Context, v store.PostVariant, job int64, direct bool) (sent []store.PublishPart, fresh string, err error) {
	b := p.batch()
	now := p.Now().UTC()
	key := ""
	group := b.startRelaxed
	if direct {
		key, group = network.NewAttemptKey(now), b.start
	}
	parts, err := p.partRows(v, key, now, job)
	if err != nil {
		return nil, "", err
	}
	c := &claim{variant: v.ID, n: len(parts), key: key}
	if err := group.Do(ctx, groupRows{parts: parts, start: []int64{v.ID}, startPosts: []int64{v.PostID}, claims: []*claim{c}}, nil); err != nil {
		return nil, "", err
	}
	// A message that existed before (an earlier attempt, or another run of
	// this job) keeps its state, and only a first message holding this run's
	// key is ours to send without asking the network: unless this commit
	// wrote every message, read them back.
	if c.written {
		sent = stored(parts)
	} else if sent, err = b.parts.Load(ctx, v.ID); err != nil {
		return nil, "", err
	}
	if key != "" && len(sent) > 0 && PartState(sent[0].State) == PartInFlight && sent[0].AttemptKey == key {
		fresh = key
	}
	return sent, fresh, nil
}

// resume writes the messages of a variant already publishing that an
// earlier run may not have written.
func (p *Publisher) resume(ctx context.Context, v store.PostVariant) error {
	parts, err := p.partRows(v, "", time.Time{}, 0)
	if err != nil {
		return err
	}
	_, err = p.Store.CreatePublishParts(ctx, store.Rows(parts))
	return err
}

// sendAll sends the messages in order, each thread item and the first
// comment replying to the message before; the last one's commit marks the
// variant published. A variant whose messages were all done already (a job
// resumed after a crash) is marked published here.
func (p *Publisher) sendAll(ctx context.Context, conn network.Connector, acct network.Account, t *target,
	sent []store.PublishPart, uploaded []network.UploadedMedia, r run) error {
	v, ch := t.v, t.ch
	if len(sent) == 0 {
		return fmt.Errorf("variant %d has no publish parts", v.ID)
	}
	var root, prev *network.Ref
	finished := false
	for i, part := range sent {
		last := i == len(sent)-1 && PartState(part.State) != PartDone
		ref, err := p.sendPart(ctx, conn, acct, v, ch, part, uploaded, root, prev, last, r)
		if err != nil {
			return p.sendFailed(ctx, t, part, err)
		}
		finished = finished || last
		if root == nil {
			root = &ref
		}
		prev = &ref
	}
	if !finished {
		live := p.liveNow(ctx, conn, acct, *root)
		rows, fn := p.finish(ctx, v, ch, *root, live, true)
		if err := p.batch().done.Do(ctx, rows, fn); err != nil {
			return err
		}
	}
	p.Metrics.outcome(ch.Network, "published")
	return nil
}

// sendFailed ends the job after sending part failed with err: quietly when
// the variant needs a person, snoozed while another run sends the message,
// otherwise as handle decides.
func (p *Publisher) sendFailed(ctx context.Context, t *target, part store.PublishPart, err error) error {
	if errors.Is(err, errStop) {
		return nil
	}
	var elsewhere *sendingElsewhere
	if errors.As(err, &elsewhere) {
		p.log(ctx, t.v, t.ch.Network, part.Kind, "attempt "+part.AttemptKey,
			"another run is sending this message; looking again in "+elsewhere.wait.Round(time.Second).String(), OutcomeRetry, 0)
		return river.JobSnooze(elsewhere.wait)
	}
	return p.handle(ctx, t.v, t.post, t.ch, part.Kind, err)
}

// liveNow asks the network once, right after publishing, whether the post
// shows; most networks answer yes at once, which spares a polling job.
func (p *Publisher) liveNow(ctx context.Context, conn network.Connector, acct network.Account, first network.Ref) bool {
	live, err := conn.CheckLive(ctx, acct, first)
	return err == nil && live
}

// finish is what the commit of a variant's last message adds, in the done
// group: the variant published (with its first message's network id) and
// its post's status derived, and, unless the post already shows on the
// network, the job that polls until it does (fn). asked says whether live
// is the answer to a CheckLive call (logged here) or came with the
// network's answer to the post (logged with the post).
func (p *Publisher) finish(ctx context.Context, v store.PostVariant, ch store.Channel, first network.Ref, live, asked bool) (rows groupRows, fn func(store.Tx) error) {
	now := p.Now().UTC()
	rows = groupRows{published: []int64{v.ID}, refresh: []int64{v.PostID}}
	checkLive := false
	switch {
	case live && asked:
		rows.logs = []store.LogRow{{VariantID: v.ID, Network: ch.Network, At: store.RowTime(now), Step: "check_live",
			Request: first.ID, Response: "visible on the network", Outcome: string(OutcomeOK), Node: p.Node}}
	case !live:
		checkLive = true
	}
	// post.published is queued in the commit that marks the variant
	// published, with the group's other events (emitGroup).
	if p.Webhooks != nil {
		rows.events = []variantEvent{{workspaceID: ch.WorkspaceID, typ: EventPublished, ev: VariantEvent{PostID: v.PostID, VariantID: v.ID,
			ChannelID: ch.ID, Network: ch.Network, ExternalID: first.ID, URL: first.URL, PublishedAt: &now}}}
	}
	if !checkLive {
		return rows, nil
	}
	// In the transaction that marks the variant published (fn may run
	// twice, alone after a failed group: each run is its own transaction,
	// and only the committed one counts).
	fn = func(tx store.Tx) error {
		_, err := tx.InsertJob(ctx, CheckLiveArgs{VariantID: v.ID}, &river.InsertOpts{ScheduledAt: now.Add(2 * time.Second)})
		return err
	}
	return rows, fn
}

// callMargin is added to CallTimeout before another run's message in
// flight is recovered: its commit of the network's answer follows the call.
const callMargin = 2 * time.Second

// sendingElsewhere: the message is in flight in another run, which may
// still be sending it; the job looks again after wait.
type sendingElsewhere struct {
	part store.PublishPart
	wait time.Duration
}

func (e *sendingElsewhere) Error() string {
	return fmt.Sprintf("publish: part %d of variant %d is being sent by another run", e.part.Seq, e.part.VariantID)
}

// errStop ends a job without an error: the variant reached a state that
// needs a person (unknown outcome).
var errStop = errors.New("publish: stop")

// prepareMedia uploads the variant's media (ids, from v.MediaIDs) not
// uploaded yet and waits until the network has processed them all.
func (p *Publisher) prepareMedia(ctx context.Context, conn network.Connector, acct network.Account, v store.PostVariant, ch store.Channel, ids []int64) ([]network.UploadedMedia, error) {
	var uploaded []network.UploadedMedia
	if err := json.Unmarshal([]byte(v.UploadedMedia), &uploaded); err != nil {
		return nil, fmt.Errorf("uploaded media: %w", err)
	}
	for i := len(uploaded); i < len(ids); i++ {
		m, err := p.Store.GetMedia(ctx, ids[i])
		if err != nil {
			return nil, &network.Error{Kind: network.Permanent, Message: fmt.Sprintf("media %d is no longer in the library", ids[i])}
		}
		up, err := conn.UploadMedia(ctx, acct, network.Media{Filename: m.Filename, MIME: m.MIME, Size: m.SizeBytes,
			Width: int(m.Width), Height: int(m.Height), Alt: m.Alt, Open: func() (io.ReadCloser, error) { return p.Media.Open(m) }})
		if err != nil {
			return nil, err
		}
		p.log(ctx, v, ch.Network, "media", m.Filename+" ("+m.MIME+")", "uploaded as "+up.RemoteID, OutcomeOK, 0)
		uploaded = append(uploaded, up)
		raw, _ := json.Marshal(uploaded)
		if err := p.Store.SetVariantUploadedMedia(ctx, store.SetVariantUploadedMediaParams{UploadedMedia: string(raw), UpdatedAt: p.Now().UTC(), ID: v.ID}); err != nil {
			return nil, err
		}
	}
	for _, up := range uploaded {
		ready, err := conn.MediaReady(ctx, acct, up)
		if err != nil {
			return nil, err
		}
		if !ready {
			return nil, errProcessing
		}
	}
	return uploaded, nil
}

var errProcessing = errors.New("publish: media still processing on the network")

// partRows are the variant's messages, for CreatePublishParts (which
// leaves the ones that exist as they are): the post, each thread item, then
// the first comment. With a key, the post message is in flight under that
// key, since now, put there by job.
func (p *Publisher) partRows(v store.PostVariant, key string, now time.Time, job int64) ([]store.PartRow, error) {
	var thread []string
	if err := json.Unmarshal([]byte(v.Thread), &thread); err != nil {
		return nil, fmt.Errorf("thread: %w", err)
	}
	first := store.PartRow{VariantID: v.ID, Seq: 0, Kind: string(KindPost), Text: v.Text, State: string(PartPending)}
	if key != "" {
		first.State, first.AttemptKey, first.InFlightAt, first.InFlightJob = string(PartInFlight), key, store.TimeOf(now), job
	}
	rows := []store.PartRow{first}
	for i, t := range thread {
		rows = append(rows, store.PartRow{VariantID: v.ID, Seq: int64(i + 1), Kind: string(KindThread), Text: t, State: string(PartPending)})
	}
	if strings.TrimSpace(v.FirstComment) != "" {
		rows = append(rows, store.PartRow{VariantID: v.ID, Seq: int64(len(thread) + 1), Kind: string(KindComment), Text: v.FirstComment, State: string(PartPending)})
	}
	return rows, nil
}

// stored is how the messages of rows are stored once written.
func stored(rows []store.PartRow) []store.PublishPart {
	out := make([]store.PublishPart, len(rows))
	for i, r := range rows {
		out[i] = store.PublishPart{VariantID: r.VariantID, Seq: r.Seq, Kind: r.Kind, Text: r.Text, State: r.State, AttemptKey: r.AttemptKey,
			InFlightJob: r.InFlightJob}
		if r.InFlightAt != nil {
			t := time.Time(*r.InFlightAt)
			out[i].InFlightAt = &t
		}
	}
	return out
}

func refOf(part store.PublishPart) network.Ref {
	return network.Ref{ID: part.ExternalID, CID: part.ExternalCID, URL: part.ExternalURL}
}

func (p *Publisher) request(v store.PostVariant, part store.PublishPart, uploaded []network.UploadedMedia, root, prev *network.Ref) network.PostRequest {
	// Every part carries the post's visibility: a thread item or a first
	// comment left to the account's default could be seen by fewer (or
	// more) people than the post it answers.
	req := network.PostRequest{AttemptKey: part.AttemptKey, Text: part.Text, Visibility: network.Visibility(v.Visibility)}
	if part.InFlightAt != nil {
		req.CreatedAt = *part.InFlightAt
	}
	if part.Seq == 0 {
		req.Link = v.Link
		req.Media = uploaded
	} else {
		req.ReplyTo, req.Root = prev, root
	}
	return req
}

// run is what sendPart knows of the run calling it.
type run struct {
	job   int64  // the River job
	fresh string // attempt key this run put in flight in its first commit: that message has not been sent yet
}

// sendPart takes one message through pending → in_flight → done, or recovers
// one found in flight.
func (p *Publisher) sendPart(ctx context.Context, conn network.Connector, acct network.Account, v store.PostVariant, ch store.Channel,
	part store.PublishPart, uploaded []network.UploadedMedia, root, prev *network.Ref, last bool, r run) (network.Ref, error) {
	switch {
	case PartState(part.State) == PartDone:
		return refOf(part), nil
	case PartState(part.State) == PartUnknown:
		return network.Ref{}, p.unknown(ctx, v, ch, part, "an earlier attempt's outcome is unknown")
	case PartState(part.State) == PartInFlight && r.fresh != "" && part.AttemptKey == r.fresh:
		return p.publishPart(ctx, conn, acct, v, ch, part, uploaded, root, prev, last)
	case PartState(part.State) == PartInFlight && part.InFlightAt != nil && part.InFlightJob != r.job &&
		p.Now().Before(part.InFlightAt.Add(p.CallTimeout+callMargin)):
		// Another job put it in flight moments ago (two jobs of a variant
		// can meet) and may still be sending it: asking the network now
		// could miss that post and send a second copy. Look again once its
		// call is over. An earlier attempt of this same job has ended (River
		// runs one attempt of a job at a time, and rescues a silent one only
		// after the job time-out, at least twice the call's), so a message
		// it left in flight after a 5xx or a time-out is asked about at once.
		return network.Ref{}, &sendingElsewhere{part: part, wait: part.InFlightAt.Add(p.CallTimeout + callMargin).Sub(p.Now())}
	case PartState(part.State) == PartInFlight:
		req := p.request(v, part, uploaded, root, prev)
		ref, err := conn.Recover(ctx, acct, req)
		switch {
		case err == nil:
			return ref, p.done(ctx, conn, acct, v, ch, part, ref, rootOr(root, ref), last, "recover "+part.AttemptKey, "found "+ref.ID, OutcomeRecovered)
		case errors.Is(err, network.ErrNotPublished):
			p.log(ctx, v, ch.Network, part.Kind, "recover "+part.AttemptKey, "not on the network: sending again", OutcomeRecovered, 0)
			if err := p.Store.SetPartState(ctx, store.SetPartStateParams{State: string(PartPending), VariantID: v.ID, Seq: part.Seq}); err != nil {
				return network.Ref{}, err
			}
			part.State = string(PartPending)
		case errors.Is(err, network.ErrUnknownOutcome):
			return network.Ref{}, p.unknown(ctx, v, ch, part, err.Error())
		default:
			return network.Ref{}, err
		}
	}
	// pending. A message sent before keeps its attempt key: the networks
	// that honour one (Mastodon's Idempotency-Key, Bluesky's record key, the
	// Sandbox's) then answer with the post an earlier attempt created, if
	// their look-up missed it (a timeline that lags behind its writes).
	now := p.Now().UTC()
	key := part.AttemptKey
	if key == "" {
		key = network.NewAttemptKey(now)
	}
	n, err := p.Store.MarkPartInFlight(ctx, store.MarkPartInFlightParams{AttemptKey: key, InFlightAt: &now, InFlightJob: r.job, VariantID: v.ID, Seq: part.Seq})
	if err != nil {
		return network.Ref{}, err
	}
	if n == 0 {
		return network.Ref{}, fmt.Errorf("publish: part %d of variant %d changed under us", part.Seq, v.ID)
	}
	part.AttemptKey, part.InFlightAt, part.InFlightJob, part.State = key, &now, r.job, string(PartInFlight)
	return p.publishPart(ctx, conn, acct, v, ch, part, uploaded, root, prev, last)
}

// publishPart sends a message whose in-flight mark is committed.
func (p *Publisher) publishPart(ctx context.Context, conn network.Connector, acct network.Account, v store.PostVariant, ch store.Channel,
	part store.PublishPart, uploaded []network.UploadedMedia, root, prev *network.Ref, last bool) (network.Ref, error) {
	req := p.request(v, part, uploaded, root, prev)
	ref, err := conn.Publish(ctx, acct, req)
	if err != nil {
		ne := network.AsError(err)
		if ne.Status >= 400 && ne.Status < 500 {
			// The network answered and refused: nothing was created, the part
			// can be sent again. A 5xx or no answer may hide a post that was
			// created: the part stays in flight and the next try recovers.
			if err := p.Store.SetPartState(ctx, store.SetPartStateParams{State: string(PartPending), VariantID: v.ID, Seq: part.Seq}); err != nil {
				return network.Ref{}, err
			}
		}
		return network.Ref{}, err
	}
	resp := "created " + ref.ID
	if ref.Live {
		resp += ", visible on the network"
	}
	return ref, p.done(ctx, conn, acct, v, ch, part, ref, rootOr(root, ref), last, summary(req), resp, OutcomeOK)
}

func rootOr(root *network.Ref, ref network.Ref) network.Ref {
	if root != nil {
		return *root
	}
	return ref
}

func summary(req network.PostRequest) string {
	s := fmt.Sprintf("key %s, %d characters", req.AttemptKey, len([]rune(req.Text)))
	if len(req.Media) > 0 {
		s += fmt.Sprintf(", %d media", len(req.Media))
	}
	if req.ReplyTo != nil {
		s += ", reply to " + req.ReplyTo.ID
	}
	return s
}

// done records a sent message: its network id and its publish log line in
// one commit, with the variant's completion when it is the last (finish).
func (p *Publisher) done(ctx context.Context, conn network.Connector, acct network.Account, v store.PostVariant, ch store.Channel, part store.PublishPart, ref, first network.Ref,
	last bool, req, resp string, outcome Outcome) error {
	// The network's answer to the first message may already say it shows;
	// otherwise ask, before the transaction: no network call holds a
	// database lock.
	live, asked := first.Live, false
	if last && !live {
		live, asked = p.liveNow(ctx, conn, acct, first), true
	}
	now := store.RowTime(p.Now().UTC())
	// Losing this commit in a database crash is harmless: the message stays
	// in flight and the next try recovers it from the network. Jobs
	// finishing together share the commit (writeGroup).
	rows := groupRows{
		done: []store.PartDoneRow{{VariantID: v.ID, Seq: part.Seq, ExternalID: ref.ID, ExternalCID: ref.CID, ExternalURL: ref.URL, DoneAt: now}},
		logs: []store.LogRow{{VariantID: v.ID, Network: ch.Network, At: now, Step: part.Kind, Request: req, Response: resp, Outcome: string(outcome), Node: p.Node}},
	}
	var fn func(store.Tx) error
	if last {
		more, finishFn := p.finish(ctx, v, ch, first, live, asked)
		rows.add(more)
		fn = finishFn
	}
	return p.batch().done.Do(ctx, rows, fn)
}

func (p *Publisher) unknown(ctx context.Context, v store.PostVariant, ch store.Channel, part store.PublishPart, why string) error {
	if err := p.Store.SetPartState(ctx, store.SetPartStateParams{State: string(PartUnknown), VariantID: v.ID, Seq: part.Seq}); err != nil {
		return err
	}
	msg := "Outcome unknown — check the network before re-posting: " + why
	p.log(ctx, v, ch.Network, part.Kind, "recover "+part.AttemptKey, why, OutcomeUnknown, 0)
	if post, err := p.Store.GetPost(ctx, v.PostID); err == nil {
		p.notify(ctx, post, NotifyPublishUnknown, "Outcome unknown on "+ch.Name, msg)
	}
	if err := p.setState(ctx, v, VariantUnknown, msg); err != nil {
		return err
	}
	p.Metrics.outcome(ch.Network, "unknown")
	return errStop
}

func (p *Publisher) notify(ctx context.Context, post store.Post, kind NotificationKind, title, body string) {
	if p.Notifier == nil {
		return
	}
	if err := p.Notifier.Notify(ctx, Notification{UserID: post.AuthorID, WorkspaceID: post.WorkspaceID, PostID: post.ID, Kind: kind, Title: title, Body: body}); err != nil {
		p.Log.Error("notify", "post", post.ID, "err", err)
	}
}

// handle decides what a failed step means: retry later, wait for the rate
// limit, or fail for good with the network's own message.
func (p *Publisher) handle(ctx context.Context, v store.PostVariant, post store.Post, ch store.Channel, step string, err error) error {
	if errors.Is(err, errProcessing) {
		return river.JobSnooze(2 * time.Second)
	}
	ne := network.AsError(err)
	switch ne.Kind {
	case network.Permanent, network.Unauthorized:
		return p.fail(ctx, v, post, ch, step, ne)
	case network.RateLimited:
		return p.limited(ctx, v, ch, step, "", ne)
	default:
		p.log(ctx, v, ch.Network, step, "", ne.Error(), OutcomeRetry, ne.Status)
		p.Metrics.outcome(ch.Network, "retry")
		if ne.RetryAfter > 0 {
			return river.JobSnooze(ne.RetryAfter)
		}
		return err
	}
}

// fail marks the variant failed with the network's message and tells the author.
func (p *Publisher) fail(ctx context.Context, v store.PostVariant, post store.Post, ch store.Channel, step string, ne *network.Error) error {
	msg := ne.Message
	if msg == "" {
		msg = ne.Error()
	}
	if ne.Kind == network.Unauthorized {
		if err := p.Store.UpdateChannelStatus(ctx, store.UpdateChannelStatusParams{Status: string(channels.Reconnect), ID: ch.ID}); err != nil {
			return err
		}
		msg = "The network refused the channel's credentials; reconnect the channel. (" + msg + ")"
	}
	p.log(ctx, v, ch.Network, step, "", ne.Error(), OutcomeFailed, ne.Status)
	// Notify first: whoever sees the variant failed finds the notice too.
	p.notify(ctx, post, NotifyPublishFailed, "Publishing failed on "+ch.Name, msg)
	if err := p.failState(ctx, v, ch, msg); err != nil {
		return err
	}
	p.Metrics.outcome(ch.Network, "failed")
	return nil
}

type checkLiveWorker struct {
	river.WorkerDefaults[CheckLiveArgs]
	p *Publisher
}

func (w *checkLiveWorker) Work(ctx context.Context, job *river.Job[CheckLiveArgs]) error {
	p := w.p
	v, err := p.Store.GetVariant(ctx, job.Args.VariantID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if VariantState(v.State) != VariantPublished {
		return nil
	}
	ch, err := p.Store.GetChannel(ctx, v.ChannelID)
	if err != nil {
		return err
	}
	conn, ok := p.Connectors[ch.Network]
	if !ok {
		return nil
	}
	acct, err := p.Accounts.Account(ctx, ch)
	if err != nil {
		return err
	}
	live, err := conn.CheckLive(ctx, acct, network.Ref{ID: v.ExternalID, URL: v.ExternalURL})
	if err != nil {
		return err
	}
	if !live {
		if job.Attempt >= job.MaxAttempts {
			p.log(ctx, v, ch.Network, "check_live", v.ExternalID, "the network still does not show the post", OutcomeUnknown, 0)
			return nil
		}
		return fmt.Errorf("post %s not visible yet", v.ExternalID)
	}
	p.log(ctx, v, ch.Network, "check_live", v.ExternalID, "visible on the network", OutcomeOK, 0)
	return nil
}

// limited records the rate limit the network answered a step with, and
// snoozes the job until it ends. The limit holds the account's inbox
// (polling, replies, moderation) too; it is recorded with the log line
// that shows it.
func (p *Publisher) limited(ctx context.Context, v store.PostVariant, ch store.Channel, step, ref string, ne *network.Error) error {
	now := p.Now()
	until := channels.LimitedUntil(now, ne)
	err := p.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.AddPublishLogs(ctx, p.logRow(v, ch.Network, step, ref, ne.Error(), OutcomeRetry, ne.Status)); err != nil {
			return err
		}
		return channels.RateLimited(ctx, tx, ch.ID, until)
	})
	if err != nil {
		return err
	}
	p.Metrics.outcome(ch.Network, "rate_limited")
	return river.JobSnooze(until.Sub(now) + time.Duration(rand.IntN(1000))*time.Millisecond)
}

type deleteWorker struct {
	river.WorkerDefaults[DeleteArgs]
	p *Publisher
}

func (w *deleteWorker) Work(ctx context.Context, job *river.Job[DeleteArgs]) error {
	p := w.p
	v, err := p.Store.GetVariant(ctx, job.Args.VariantID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ch, err := p.Store.GetChannel(ctx, v.ChannelID)
	if err != nil {
		return err
	}
	conn, ok := p.Connectors[ch.Network]
	if !ok {
		return nil
	}
	// A deletion spends the account's one budget like a publication: it
	// waits for a limit heard by anyone, and what it hears holds the rest.
	if until, held := channels.LimitHolds(ch, p.Now()); held {
		return p.waitLimit(ctx, v, ch, until)
	}
	acct, err := p.Accounts.Account(ctx, ch)
	if err != nil {
		return err
	}
	parts, err := p.Store.ListPublishParts(ctx, v.ID)
	if err != nil {
		return err
	}
	// Replies first, then the post: some networks refuse to delete a parent.
	for i := len(parts) - 1; i >= 0; i-- {
		part := parts[i]
		if PartState(part.State) != PartDone {
			continue
		}
		if err := conn.Delete(ctx, acct, refOf(part)); err != nil {
			ne := network.AsError(err)
			if ne.Kind == network.RateLimited {
				return p.limited(ctx, v, ch, "delete", part.ExternalID, ne)
			}
			if errors.Is(err, network.ErrUnsupported) || ne.Kind == network.Permanent {
				p.log(ctx, v, ch.Network, "delete", part.ExternalID, ne.Error(), OutcomeFailed, ne.Status)
				return nil
			}
			p.log(ctx, v, ch.Network, "delete", part.ExternalID, ne.Error(), OutcomeRetry, ne.Status)
			return err
		}
		if err := p.Store.SetPartState(ctx, store.SetPartStateParams{State: string(PartDeleted), VariantID: v.ID, Seq: part.Seq}); err != nil {
			return err
		}
	}
	p.log(ctx, v, ch.Network, "delete", v.ExternalID, "deleted from the network", OutcomeOK, 0)
	return p.setState(ctx, v, VariantDeleted, "")
}
