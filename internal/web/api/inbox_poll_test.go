package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/store"
)

// The capabilities say how the inbox last read the channel: nothing before
// the first read, then when it was, the next one, and the network's answer
// while reads fail — a member otherwise sees only a list that stopped
// growing.
func TestCapabilitiesTellHowTheLastReadWent(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{})
	env, owner, ws, ch, ctx := in.env, in.owner, in.ws, in.ch, context.Background()
	analyst := env.Token(t, env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst))
	type pollJSON struct {
		Polled     bool
		LastPollAt *time.Time `json:"last_poll_at"`
		NextPollAt *time.Time `json:"next_poll_at"`
		LastError  string     `json:"last_error"`
		Failures   int64
	}
	read := func() *pollJSON {
		t.Helper()
		r := env.Do(t, analyst, http.MethodGet, fmt.Sprintf("/api/v1/channels/%d/inbox-capabilities", ch.ID), nil)
		if r.StatusCode != 200 {
			t.Fatalf("capabilities: %d", r.StatusCode)
		}
		return decode[struct{ Poll *pollJSON }](t, r).Poll
	}
	if p := read(); p == nil || p.Polled || p.LastError != "" {
		t.Errorf("before any read: %+v, want polled false", p)
	}
	last, next := time.Now().UTC().Truncate(time.Second), time.Now().UTC().Add(4*time.Minute).Truncate(time.Second)
	if err := env.Store.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: ch.ID, NextPollAt: last}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.FinishInboxPoll(ctx, store.FinishInboxPollParams{ChannelID: ch.ID, LastPollAt: &last, NextPollAt: next,
		LastError: "temporary (HTTP 503): down for maintenance", Failures: 2}); err != nil {
		t.Fatal(err)
	}
	p := read()
	if p == nil || !p.Polled || p.LastPollAt == nil || !p.LastPollAt.Equal(last) || p.NextPollAt == nil || !p.NextPollAt.Equal(next) ||
		p.Failures != 2 || p.LastError != "temporary (HTTP 503): down for maintenance" {
		t.Errorf("after two failed reads: %+v", p)
	}
}
