package channels

import (
	"context"
	"net/http"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// DefaultRateLimitWait is how long a channel waits after a rate-limit answer
// that says nothing of when the budget comes back.
const DefaultRateLimitWait = 30 * time.Second

// LimitedUntil is when a channel's account may call the network again after
// the rate-limit answer ne, heard at now.
func LimitedUntil(now time.Time, ne *network.Error) time.Time {
	wait := ne.RetryAfter
	if wait <= 0 {
		wait = DefaultRateLimitWait
	}
	return now.Add(wait).UTC()
}

// RateLimited records on the channel that its account's rate budget is
// spent until until, for publishing and polling alike: both read the
// account's one budget, so a limit heard by one holds the other. A later
// limit already recorded is kept. q is the store or the transaction of what
// the caller writes beside it.
func RateLimited(ctx context.Context, q store.Queries, channelID int64, until time.Time) error {
	return q.SetChannelRateLimited(ctx, store.SetChannelRateLimitedParams{Until: &until, ID: channelID})
}

// LimitHolds reports whether ch's rate limit still holds at now, and until when.
func LimitHolds(ch store.Channel, now time.Time) (time.Time, bool) {
	if ch.RateLimitedUntil == nil || !ch.RateLimitedUntil.After(now) {
		return time.Time{}, false
	}
	return *ch.RateLimitedUntil, true
}

// ErrLimitHeld is the problem of a member's action on the network refused
// because the account's rate limit holds: a 429, said with when it ends, so
// the member knows when to try again and nothing pretends to be on its way.
var ErrLimitHeld = problem.New(http.StatusTooManyRequests, "network_rate_limited",
	"The network's rate limit for this account holds until %s: nothing was sent. Try again then.")

// NoteDeferred is what the audit of an automatic action, and a queued reply,
// say while they wait for the account's rate limit to end: they are done
// then, not dropped. A sentence without values, so that it is translated
// where it is shown from the database.
const NoteDeferred = "Deferred: the network's rate limit for this account was reached; this is done once it ends."

// LimitError is a call to the network not made, or refused by the network,
// because the account's rate budget is spent until Until. It unwraps to
// ErrLimitHeld telling Until in Loc (the workspace's time zone; UTC when
// nil), and says how long to wait in whole seconds (the API's Retry-After).
type LimitError struct {
	Until time.Time
	Wait  time.Duration // from when the limit was read to Until
	Loc   *time.Location
}

// Held is the LimitError of a limit that holds until until, read at now.
func Held(now, until time.Time, loc *time.Location) *LimitError {
	return &LimitError{Until: until, Wait: until.Sub(now), Loc: loc}
}

func (e *LimitError) Error() string {
	return "network rate limit holds until " + e.Until.UTC().Format(time.RFC3339)
}

// Unwrap is ErrLimitHeld with the time the limit ends, so problem.As finds
// the 429 and the member reads until when.
func (e *LimitError) Unwrap() error {
	loc := e.Loc
	if loc == nil {
		loc = time.UTC
	}
	return ErrLimitHeld.Format(e.Until.In(loc).Format("15:04:05 MST"))
}

// Seconds is Wait rounded up to whole seconds, at least one, as Retry-After
// says it.
func (e *LimitError) Seconds() int {
	return max(int((e.Wait+time.Second-1)/time.Second), 1)
}
