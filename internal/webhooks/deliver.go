package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

// Queue is the River queue of deliveries, apart from publishing so that a
// slow receiver never delays a post.
const Queue = "webhooks"

// The headers of a delivery (docs/webhooks.md).
const (
	HeaderEventID   = "Tribune-Event-Id"
	HeaderEventType = "Tribune-Event-Type"
	HeaderTimestamp = "Tribune-Timestamp"
	HeaderSignature = "Tribune-Signature"
)

// Outcome is what became of one delivery attempt.
type Outcome string

// The outcomes of the delivery log.
const (
	Delivered Outcome = "delivered" // the endpoint answered 2xx
	Retry     Outcome = "retry"     // failed; tried again later
	Failed    Outcome = "failed"    // failed for good (4xx, refused address, attempts spent)
)

// The errors the delivery log shows, in English (translated when shown).
const (
	errTextRefused   = "Tribune does not send webhooks to this address: it must be a public https address."
	errTextTimeout   = "The endpoint did not answer in time."
	errTextReach     = "The endpoint could not be reached."
	errTextStatus    = "The endpoint answered with an error."
	errTextRejected  = "The endpoint refused the event; Tribune does not send it again."
	errTextSecret    = "The endpoint's secret cannot be read; rotate it."
	disabledReason   = "Its deliveries failed for days."
	disabledTitleFmt = "Webhook disabled: %s"
	disabledBody     = "Tribune disabled this webhook after its deliveries failed for days. Fix the receiver, then enable it again on the Webhooks page."
)

// DeliverArgs is the job that delivers one event to one endpoint.
type DeliverArgs struct {
	EndpointID  int64           `json:"endpoint_id"`
	WorkspaceID int64           `json:"workspace_id"`
	EventID     string          `json:"event_id"`
	Type        EventType       `json:"type"`
	CreatedAt   time.Time       `json:"created_at"`
	Data        json.RawMessage `json:"data"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "webhook_deliver" }

// InsertOpts implements river.JobArgsWithInsertOpts. Retries are counted
// in the delivery log (Service.Retries); River's own bound only stops a
// job whose attempts keep failing before they reach the endpoint (a
// database outage).
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 25}
}

// Event is the JSON body of a delivery.
type Event struct {
	ID        string          `json:"id"`
	Type      EventType       `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Workspace WorkspaceRef    `json:"workspace"`
	Data      json.RawMessage `json:"data"`
}

// WorkspaceRef names the workspace an event belongs to.
type WorkspaceRef struct {
	ID int64 `json:"id"`
}

// Sign returns the Tribune-Signature header of body sent at timestamp (Unix
// seconds): "t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">",
// keyed with the whole secret as shown ("whsec_…").
func Sign(secret string, timestamp int64, body []byte) string {
	ts := strconv.FormatInt(timestamp, 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

func (s *Service) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

func (s *Service) retries() []time.Duration {
	if s.Retries != nil {
		return s.Retries
	}
	return DefaultRetries()
}

func (s *Service) disableAfter() time.Duration {
	if s.DisableAfter > 0 {
		return s.DisableAfter
	}
	return DefaultDisableAfter
}

// MaxAttempts is how many times one event is sent to an endpoint at most.
func (s *Service) MaxAttempts() int { return len(s.retries()) + 1 }

// attemptResult is what one POST came to.
type attemptResult struct {
	status     int
	response   string
	errText    string // for the delivery log, English
	retryable  bool
	retryAfter time.Duration
}

// post sends the event once.
func (s *Service) post(ctx context.Context, url, secret string, ev Event) (attemptResult, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return attemptResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return attemptResult{errText: errTextRefused}, nil
	}
	ts := s.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tribune-Webhooks/1")
	req.Header.Set(HeaderEventID, ev.ID)
	req.Header.Set(HeaderEventType, string(ev.Type))
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(secret, ts, body))
	resp, err := s.HTTP.Do(req)
	if err != nil {
		var r attemptResult
		switch {
		case httpx.Blocked(err):
			r.errText = errTextRefused
		case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
			r.errText, r.retryable = errTextTimeout, true
		default:
			r.errText, r.retryable = errTextReach, true
		}
		s.Log.Info("webhook delivery failed", "url", url, "event", ev.ID, "err", err)
		return r, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	r := attemptResult{status: resp.StatusCode, response: snippet(raw)}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		r.errText, r.retryable = errTextStatus, true
		r.retryAfter = network.RetryAfter(resp.Header, time.Now())
	default:
		r.errText = errTextRejected
	}
	return r, nil
}

// snippet is the part of an answer the log keeps: at most MaxResponse
// bytes, cut on a character boundary.
func snippet(raw []byte) string {
	cut := len(raw) > MaxResponse
	if cut {
		raw = raw[:MaxResponse]
	}
	out := strings.ToValidUTF8(string(raw), "") // drops a character cut in two
	if cut {
		out += "…"
	}
	return out
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// deliver is one attempt of a DeliverArgs job.
func (s *Service) deliver(ctx context.Context, a DeliverArgs) error {
	ep, err := s.Store.GetWebhookEndpoint(ctx, store.GetWebhookEndpointParams{ID: a.EndpointID, WorkspaceID: a.WorkspaceID})
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted since: nobody to deliver to
	}
	if err != nil {
		return err
	}
	if !ep.Enabled && a.Type != Test {
		return nil
	}
	n, err := s.Store.CountWebhookAttempts(ctx, store.CountWebhookAttemptsParams{EndpointID: ep.ID, EventID: a.EventID})
	if err != nil {
		return err
	}
	attempt := int(n) + 1
	if attempt > s.MaxAttempts() {
		return river.JobCancel(fmt.Errorf("webhooks: event %s spent its %d attempts", a.EventID, s.MaxAttempts()))
	}
	var r attemptResult
	start := time.Now()
	if sec, err := s.openSecret(ep); err != nil {
		s.Log.Error("webhook secret", "endpoint", ep.ID, "err", err)
		r.errText = errTextSecret
	} else {
		r, err = s.post(ctx, ep.URL, sec, Event{ID: a.EventID, Type: a.Type, CreatedAt: a.CreatedAt, Workspace: WorkspaceRef{ID: a.WorkspaceID}, Data: a.Data})
		if err != nil {
			return err
		}
	}
	outcome := Delivered
	switch {
	case r.errText == "":
	case r.retryable && attempt < s.MaxAttempts() && a.Type != Test:
		outcome = Retry
	default:
		outcome = Failed
	}
	if err := s.Store.AddWebhookDelivery(ctx, store.AddWebhookDeliveryParams{EndpointID: ep.ID, EventID: a.EventID, EventType: string(a.Type),
		Attempt: int64(attempt), At: s.now(), Outcome: string(outcome), HTTPStatus: int64(r.status), DurationMs: time.Since(start).Milliseconds(),
		Error: r.errText, Response: r.response}); err != nil {
		return err
	}
	if a.Type == Test {
		return nil // a test tells the member; it says nothing of the endpoint's health
	}
	if outcome == Delivered {
		return s.Store.MarkWebhookHealthy(ctx, ep.ID)
	}
	disabled, err := s.failing(ctx, ep)
	if err != nil {
		return err
	}
	if outcome == Failed || disabled {
		return river.JobCancel(fmt.Errorf("webhooks: %s to endpoint %d: %s (HTTP %d)", a.EventID, ep.ID, r.errText, r.status))
	}
	wait := s.retries()[attempt-1]
	if r.retryAfter > 0 {
		// The receiver said when: honoured, within a day.
		wait = min(r.retryAfter, 24*time.Hour)
	}
	return river.JobSnooze(wait)
}

// failing records a failed attempt on the endpoint and, when its failures
// have lasted DisableAfter, disables it and tells whoever may manage the
// workspace's webhooks. It reports whether the endpoint is now disabled.
func (s *Service) failing(ctx context.Context, ep store.WebhookEndpoint) (bool, error) {
	now := s.now()
	row, err := s.Store.MarkWebhookFailing(ctx, store.MarkWebhookFailingParams{At: &now, ID: ep.ID})
	if err != nil {
		return false, err
	}
	if row.FailingSince == nil || now.Sub(*row.FailingSince) < s.disableAfter() {
		return false, nil
	}
	n, err := s.Store.DisableFailingWebhook(ctx, store.DisableFailingWebhookParams{DisabledReason: disabledReason, At: now, ID: ep.ID})
	if err != nil {
		return false, err
	}
	if n == 0 {
		return true, nil // disabled already, by a member or a delivery beside this one
	}
	if s.Notifier == nil {
		return true, nil
	}
	// Told: whoever may manage the workspace's webhooks (ManageTeam, what
	// their routes check), an organisation owner without a membership row
	// too: auth.WhoMay answers as Authorize does.
	managers, err := s.Auth.WhoMay(ctx, ep.WorkspaceID, auth.ManageTeam)
	if err != nil {
		return true, err
	}
	for _, m := range managers {
		if err := s.Notifier.Notify(ctx, publish.Notification{UserID: m.ID, WorkspaceID: ep.WorkspaceID, Kind: NotifyDisabled,
			Title: fmt.Sprintf(disabledTitleFmt, ep.URL), Body: disabledBody}); err != nil {
			s.Log.Error("notify webhook disabled", "endpoint", ep.ID, "user", m.ID, "err", err)
		}
	}
	return true, nil
}

// PurgeDeliveries deletes the delivery log's attempts older than
// KeepDeliveries and returns how many went.
func (s *Service) PurgeDeliveries(ctx context.Context) (int64, error) {
	keep := s.KeepDeliveries
	if keep <= 0 {
		keep = DefaultKeepDeliveries
	}
	return s.Store.PurgeWebhookDeliveries(ctx, s.now().Add(-keep))
}

// PurgeArgs is the periodic job that purges the delivery log.
type PurgeArgs struct{}

// Kind implements river.JobArgs.
func (PurgeArgs) Kind() string { return "webhook_purge" }

// PurgeInterval is how often the delivery log is purged.
const PurgeInterval = time.Hour

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return w.s.deliver(ctx, job.Args)
}

type purgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	s *Service
}

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	_, err := w.s.PurgeDeliveries(ctx)
	return err
}

// Register adds the delivery and purge workers to a River client's workers.
func (s *Service) Register(workers *river.Workers) {
	river.AddWorker(workers, &deliverWorker{s: s})
	river.AddWorker(workers, &purgeWorker{s: s})
}

// PeriodicJobs are the River periodic jobs of this package: the purge of
// the delivery log, every PurgeInterval and when a node becomes leader.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(PurgeInterval),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
		&river.PeriodicJobOpts{ID: PurgeArgs{}.Kind(), RunOnStart: true})}
}
