package inbox

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
)

// The account's rate budget is one, shared by publishing, polling, replies
// and moderation (channels.RateLimited): whoever hears the network's "too
// many requests" records it on the channel, and nobody calls the network
// for the account until it ends. A member's own action is refused with
// when it ends (they are there to try again); what runs unattended — a
// queued or approved reply, a rule's hide, delete or auto-reply — waits,
// its reply or audit saying why, and is done once the limit ends.

// noteLimitRefused is the audit's reason for a member's action refused
// while the account's rate limit held (a sentence without values: it is
// translated where it is shown).
const noteLimitRefused = "Not sent: the network's rate limit for this account held."

// limitHeld is the refusal (a *channels.LimitError) of a call to the
// network for ch while its account's rate limit holds; nil when it does
// not.
func (s *Service) limitHeld(ctx context.Context, ch store.Channel) error {
	now := s.Now()
	until, held := channels.LimitHolds(ch, now)
	if !held {
		return nil
	}
	return s.held(ctx, ch, now, until)
}

// heardLimit records on ch the rate limit the network answered with err,
// for every caller of the account, and returns it as a refusal (a
// *channels.LimitError); nil when err is not a rate limit.
func (s *Service) heardLimit(ctx context.Context, ch store.Channel, err error) error {
	if err == nil || network.AsError(err).Kind != network.RateLimited {
		return nil
	}
	now := s.Now()
	until := channels.LimitedUntil(now, network.AsError(err))
	if err := channels.RateLimited(ctx, s.Store, ch.ID, until); err != nil {
		return err
	}
	return s.held(ctx, ch, now, until)
}

// held tells until in the workspace's time zone: the member reads it
// beside the workspace's other times.
func (s *Service) held(ctx context.Context, ch store.Channel, now, until time.Time) error {
	ws, err := s.Store.GetWorkspace(ctx, ch.WorkspaceID)
	if err != nil {
		return err
	}
	return channels.Held(now, until, location(ws.Timezone))
}

// waitLimit snoozes a job until the limit ends, spread over a second so
// that the jobs one limit held do not all come back at the same instant.
func waitLimit(le *channels.LimitError) error {
	return river.JobSnooze(max(le.Wait, 0) + time.Duration(rand.IntN(1000))*time.Millisecond)
}
