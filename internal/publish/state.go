package publish

// The states and kinds below are stored as text (post_variants.state,
// publish_parts.state and .kind, publish_log.outcome, notifications.kind);
// the generated store code carries them as plain strings, so they are
// converted where a row is read or written. Some queries spell the values
// too (RefreshPostsStatus derives a post's status from its variants'
// states): a value is renamed only with a migration and those queries.

// VariantState is where one variant (a post on one channel) stands.
type VariantState string

// The variant states.
const (
	// VariantPending is a variant with no publishing job: a draft, or a post
	// waiting for approval.
	VariantPending VariantState = "pending"
	// VariantQueued has a River job waiting for its time.
	VariantQueued VariantState = "queued"
	// VariantHeld was due while its workspace was paused; it waits to be
	// released.
	VariantHeld VariantState = "held"
	// VariantPublishing has started: its messages are being sent.
	VariantPublishing VariantState = "publishing"
	// VariantPublished is on the network.
	VariantPublished VariantState = "published"
	// VariantFailed was refused by the network, or ran out of retries.
	VariantFailed VariantState = "failed"
	// VariantUnknown was perhaps sent: the network could not tell, so a
	// person must check before it is sent again.
	VariantUnknown VariantState = "unknown"
	// VariantDeleted was published, then removed from the network.
	VariantDeleted VariantState = "deleted"
)

// PartState is where one message of a variant (a publish_parts row) stands.
type PartState string

// The part states.
const (
	// PartPending is not sent yet.
	PartPending PartState = "pending"
	// PartInFlight has its attempt key committed before the network call: a
	// part found in this state after a crash is recovered, never re-sent
	// blindly.
	PartInFlight PartState = "in_flight"
	// PartDone has the network's id.
	PartDone PartState = "done"
	// PartUnknown may or may not be on the network.
	PartUnknown PartState = "unknown"
	// PartDeleted was removed from the network.
	PartDeleted PartState = "deleted"
)

// PartKind is what a message of a variant is.
type PartKind string

// The part kinds.
const (
	// KindPost is the post itself (seq 0).
	KindPost PartKind = "post"
	// KindThread is a further item of a thread, a reply to the one before.
	KindThread PartKind = "thread"
	// KindComment is the first comment, a reply to the last message.
	KindComment PartKind = "comment"
)

// Outcome is how one step of a publication ended, as the publish log
// records it.
type Outcome string

// The outcomes of the publish log.
const (
	// OutcomeOK is a step that succeeded.
	OutcomeOK Outcome = "ok"
	// OutcomeRetry is a temporary failure: the job tries again.
	OutcomeRetry Outcome = "retry"
	// OutcomeFailed is a permanent failure.
	OutcomeFailed Outcome = "failed"
	// OutcomeUnknown is a message the network could not account for.
	OutcomeUnknown Outcome = "unknown"
	// OutcomeRecovered is a message in flight after a crash whose fate the
	// network told.
	OutcomeRecovered Outcome = "recovered"
	// OutcomeHeld is a variant held because its workspace is paused.
	OutcomeHeld Outcome = "held"
)

// NotificationKind says what a notification is about.
type NotificationKind string

// The notification kinds.
const (
	// NotifyPublishFailed: a variant failed.
	NotifyPublishFailed NotificationKind = "publish_failed"
	// NotifyPublishUnknown: a variant's outcome is unknown.
	NotifyPublishUnknown NotificationKind = "publish_unknown"
	// NotifyApprovalRequested: a post waits for the approver's decision.
	NotifyApprovalRequested NotificationKind = "approval_requested"
	// NotifyApproved: the author's post was approved.
	NotifyApproved NotificationKind = "approved"
	// NotifyRejected: the author's post was rejected.
	NotifyRejected NotificationKind = "rejected"
	// NotifyPaused: publishing was paused in the workspace.
	NotifyPaused NotificationKind = "paused"
	// NotifyResumed: publishing resumed in the workspace after a pause.
	NotifyResumed NotificationKind = "resumed"
)
