package channels

import (
	"context"
	"time"

	"github.com/tribune-social/tribune/internal/network"
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
