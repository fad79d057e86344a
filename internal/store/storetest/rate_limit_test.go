package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// A channel's rate limit keeps the later of two: a short Retry-After heard
// by one side (publishing or polling) never shortens a longer wait heard by
// the other, and it reads back through the channel queries.
func TestChannelRateLimitKeepsTheLater(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		set := func(until time.Time) {
			t.Helper()
			if err := s.SetChannelRateLimited(ctx, store.SetChannelRateLimitedParams{Until: &until, ID: f.ch1.ID}); err != nil {
				t.Fatal(err)
			}
		}
		long, short := t0.Add(10*time.Minute), t0.Add(30*time.Second)
		set(long)
		set(short)
		ch, err := s.GetChannel(ctx, f.ch1.ID)
		if err != nil || ch.RateLimitedUntil == nil || !ch.RateLimitedUntil.Equal(long) {
			t.Errorf("after 10 min then 30 s: limited until %v (%v), want %v", ch.RateLimitedUntil, err, long)
		}
		later := t0.Add(time.Hour)
		set(later)
		list, err := s.ListChannels(ctx, f.ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			switch {
			case c.ID == f.ch1.ID && (c.RateLimitedUntil == nil || !c.RateLimitedUntil.Equal(later)):
				t.Errorf("ListChannels: limited until %v, want %v", c.RateLimitedUntil, later)
			case c.ID == f.ch2.ID && c.RateLimitedUntil != nil:
				t.Errorf("another channel of the account's workspace is limited: %v", c.RateLimitedUntil)
			}
		}
	})
}
