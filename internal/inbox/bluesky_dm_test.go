package inbox

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
	"github.com/tribune-social/tribune/internal/network/bluesky/pdstest"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// oneAccount opens every channel as the same account.
type oneAccount struct{ acct network.Account }

func (o oneAccount) Account(context.Context, store.Channel) (network.Account, error) {
	return o.acct, nil
}

// The accounts of blueskyChannel's in-memory PDS.
const (
	bskyUs    = "did:plc:lumiere"
	bskyAlice = "did:plc:alice"
)

// blueskyChannel adds a Bluesky channel read by the real connector from
// an in-memory PDS (pdstest.Mem), as our account bskyUs beside bskyAlice.
func (f *fixture) blueskyChannel(t *testing.T) (*pdstest.Mem, store.Channel) {
	t.Helper()
	pds := pdstest.StartMem(t, nil)
	tok := pds.Account(bskyUs, "lumiere.test")
	pds.Account(bskyAlice, "alice.test")
	conn := bluesky.New(httpx.NewClient(httpx.Options{AllowPrivate: true}))
	conn.ChatService = pds.Chat.Proxy
	f.s.Connectors["bluesky"] = conn
	f.s.Accounts = oneAccount{network.Account{BaseURL: pds.URL, ExternalID: bskyUs, Handle: "lumiere.test", Token: network.Token{AccessToken: tok}}}
	return pds, f.channel(t, f.ws, "bluesky")
}

// Bluesky direct messages through the whole inbox: polls store each
// message once, a reply is sent into the conversation once, also when a
// crash left it in flight after it landed (found by listing the
// conversation), mark read reaches the chat service, and a like is refused
// with the reason before any call.
func TestBlueskyDirectMessagesThroughTheInbox(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		pds, ch := f.blueskyChannel(t)
		chat := pds.Chat
		must(t, st.EnsureInboxPollState(ctx, store.EnsureInboxPollStateParams{ChannelID: ch.ID, NextPollAt: f.now}))

		convo, first := chat.Send(bskyAlice, bskyUs, "Bonjour, une question sur ma commande")
		poll := func() []store.InboxItem {
			t.Helper()
			must(t, f.s.Poll(ctx, ch.ID))
			ps, err := st.GetInboxPollState(ctx, ch.ID)
			must(t, err)
			if ps.LastError != "" {
				t.Fatalf("poll failed: %s", ps.LastError)
			}
			f.now = f.now.Add(2 * time.Minute)
			var mine []store.InboxItem
			for _, it := range f.allItems(t) {
				if it.ChannelID == ch.ID {
					mine = append(mine, it)
				}
			}
			return mine
		}
		if got := poll(); len(got) != 1 || got[0].Kind != string(network.KindMessage) || got[0].ExternalID != bluesky.ChatRef(convo, first) {
			t.Fatalf("after the first poll: %+v", got)
		}
		if got := poll(); len(got) != 1 {
			t.Fatalf("a repeated poll stored %d items, want 1", len(got))
		}
		chat.Send(bskyAlice, bskyUs, "Vous êtes là ?")
		got := poll()
		if len(got) != 2 || got[0].ConversationID != got[1].ConversationID {
			t.Fatalf("after a second message: %+v, want 2 items in one conversation", got)
		}
		item := got[0]
		if got[1].ExternalID == bluesky.ChatRef(convo, first) {
			item = got[1]
		}

		r, err := f.s.Reply(ctx, f.cm, item.ID, "Oui, bonjour !")
		must(t, err)
		must(t, f.s.SendReply(ctx, r.ID, false))
		must(t, f.s.SendReply(ctx, r.ID, false))
		if sent := chat.Messages(convo, bskyUs); !slices.Equal(sent, []string{"Oui, bonjour !"}) {
			t.Fatalf("our messages %q, want the reply once", sent)
		}
		if r, err = st.GetInboxReply(ctx, r.ID); err != nil || r.State != string(ReplySent) {
			t.Fatalf("reply %+v %v, want sent", r, err)
		}

		// A crash after the message landed and before its answer was
		// stored: the next run finds it in the conversation.
		r2, err := f.s.Reply(ctx, f.cm, item.ID, "Je regarde votre commande.")
		must(t, err)
		now := f.now
		n, err := st.MarkInboxReplyInFlight(ctx, store.MarkInboxReplyInFlightParams{AttemptKey: network.NewAttemptKey(now), InFlightAt: &now, ID: r2.ID})
		if err != nil || n != 1 {
			t.Fatalf("mark in flight: %d %v", n, err)
		}
		chat.Send(bskyUs, bskyAlice, "Je regarde votre commande.")
		must(t, f.s.SendReply(ctx, r2.ID, false))
		if r2, err = st.GetInboxReply(ctx, r2.ID); err != nil || r2.State != string(ReplySent) || !strings.HasPrefix(r2.ExternalID, "bsky-chat:"+convo+"/") {
			t.Errorf("recovered reply %+v %v, want sent with the message found", r2, err)
		}
		if sent := chat.Messages(convo, bskyUs); len(sent) != 2 {
			t.Errorf("our messages %q, want each reply once", sent)
		}

		must(t, f.s.Act(ctx, f.cm, item.ID, network.ActMarkRead))
		if got := chat.ReadUpTo(bskyUs, convo); got != first {
			t.Errorf("read up to %q, want %q", got, first)
		}
		calls := len(chat.Calls())
		err = f.s.Act(ctx, f.cm, item.ID, network.ActLike)
		if p := problem.As(err); p == nil || p.Code != "action_unsupported" || p.Message != "Bluesky direct messages cannot be liked." {
			t.Errorf("like of a direct message: %v", err)
		}
		if n := len(chat.Calls()); n != calls {
			t.Errorf("the refused like reached the chat service")
		}
	})
}
