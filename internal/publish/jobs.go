// Package publish sends scheduled posts to the networks through River jobs,
// with the guarantee Tribune is built on: a post is never sent twice and
// never silently lost.
//
// A variant (one post on one channel) is published in steps. Media are
// uploaded first (retryable). Each message — the post, every thread item, the
// first comment — is a publish_parts row: its in-flight mark and attempt key
// are committed before the network call and the network's id right after.
// A job that finds a part in flight (the process died mid-call) asks the
// network what happened (Connector.Recover) and never re-sends blindly; when
// the network cannot tell, the variant goes to the visible "unknown" state.
package publish

import (
	"time"

	"github.com/riverqueue/river"
)

// Queue is the River queue of publishing work.
const Queue = "publish"

// VariantArgs is the job that publishes one variant. Rev is the post's
// schedule revision when the job was inserted: a job whose revision is stale
// (the post was moved, unscheduled or re-queued since) does nothing.
// Lead is how long before its time a scheduled post's job is made
// available. River's scheduler promotes scheduled jobs every 5 seconds (not
// configurable in v0.49), so a job scheduled for the exact minute would go
// out up to 5 s late; instead the job becomes available a little early and
// the worker waits for the exact time.
const Lead = 6 * time.Second

// JobTime is when the job of a post due at due is scheduled.
func JobTime(due time.Time) time.Time { return due.Add(-Lead) }

// JobOpts are the insert options of the job of a post due at due, seen at
// now. A job given a ScheduledAt is inserted "scheduled" and River makes it
// available only when its leader's scheduler next runs (every 5 s), even if
// that time has passed; so a post due within Lead (published now, a
// holding statement, a retry) gets no ScheduledAt: its job is available at
// once and the worker waits for the exact time (see dueTarget).
func JobOpts(due, now time.Time) *river.InsertOpts {
	at := JobTime(due)
	if !at.After(now) {
		return nil
	}
	return &river.InsertOpts{ScheduledAt: at}
}

type VariantArgs struct {
	VariantID int64 `json:"variant_id"`
	Rev       int64 `json:"rev"`
}

// Kind implements river.JobArgs.
func (VariantArgs) Kind() string { return "publish_variant" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (VariantArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 30}
}

// CheckLiveArgs polls the network until a published variant is visible.
type CheckLiveArgs struct {
	VariantID int64 `json:"variant_id"`
}

// Kind implements river.JobArgs.
func (CheckLiveArgs) Kind() string { return "publish_check_live" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (CheckLiveArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 8}
}

// DeleteArgs removes a published variant from its network.
type DeleteArgs struct {
	VariantID int64 `json:"variant_id"`
	UserID    int64 `json:"user_id"`
}

// Kind implements river.JobArgs.
func (DeleteArgs) Kind() string { return "publish_delete" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (DeleteArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 10}
}

// backoff is the wait before retry number attempt (1-based): exponential
// from base (2 s in production), capped at 5 minutes, with up to 25% jitter
// so that a burst of posts failing together does not come back together.
func backoff(base time.Duration, attempt int, jitter func() float64) time.Duration {
	if base <= 0 {
		base = 2 * time.Second
	}
	d := base
	for i := 1; i < attempt && d < 5*time.Minute; i++ {
		d *= 2
	}
	d = min(d, 5*time.Minute)
	return d + time.Duration(float64(d)*0.25*jitter())
}
