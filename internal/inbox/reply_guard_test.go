package inbox

import (
	"context"
	"strconv"
	"testing"

	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// Two members on one conversation: while one is typing a reply (the page's
// presence heartbeat says so), the other's reply is refused with a 409
// naming them, nothing stored or sent, until the other confirms.
func TestReplyWhileSomeoneElseIsReplying(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, _, _, c1, _ := replyFixture(t, st)
		b := live.New(live.Options{})
		defer b.Stop()
		f.s.Guard = b
		subject := strconv.FormatInt(c1.ConversationID, 10)
		must(t, b.Heartbeat(ctx, f.ws.ID, subject, live.Viewer{UserID: f.owner.ID, Name: "Olivia", State: live.Replying}))

		_, err := f.s.ReplyUnlessSomeoneIs(ctx, f.cm, c1.ID, "hello", 0, false)
		if p := problem.As(err); p == nil || p.Code != "someone_replying" || p.Status != 409 || p.Localized("en") != "Olivia is replying to this conversation. Send anyway?" {
			t.Fatalf("a reply while Olivia replies: %v", err)
		}
		replies, err := f.s.Replies(ctx, f.cm, c1.ConversationID)
		must(t, err)
		if len(replies) != 0 {
			t.Fatalf("the refused reply was stored: %+v", replies)
		}
		// Olivia's own reply is not held up by her own presence.
		if _, err := f.s.ReplyUnlessSomeoneIs(ctx, f.owner, c1.ID, "from Olivia", 0, false); err != nil {
			t.Fatalf("Olivia's own reply: %v", err)
		}
		// Confirmed, it goes.
		if _, err := f.s.ReplyUnlessSomeoneIs(ctx, f.cm, c1.ID, "hello anyway", 0, true); err != nil {
			t.Fatalf("confirmed reply: %v", err)
		}
		replies, err = f.s.Replies(ctx, f.cm, c1.ConversationID)
		must(t, err)
		if len(replies) != 2 {
			t.Fatalf("%d replies stored, want Olivia's and the confirmed one", len(replies))
		}
	})
}

// Once a colleague's reply to an item is submitted they no longer show as
// replying; a second member whose page predates it is still stopped (409
// naming them) before a second answer goes out, unless they confirm. A
// failed reply, the member's own reply and another item of the thread do
// not count.
func TestReplyToAnItemAColleagueAnswered(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, net, _, c1, dm := replyFixture(t, st)
		f.s.Guard = live.New(live.Options{}) // nobody is typing
		first, err := f.s.ReplyUnlessSomeoneIs(ctx, f.owner, c1.ID, "from Olivia", 0, false)
		must(t, err)
		// Olivia follows up on her own answer: not held up.
		second, err := f.s.ReplyUnlessSomeoneIs(ctx, f.owner, c1.ID, "and a link", 0, false)
		must(t, err)

		_, err = f.s.ReplyUnlessSomeoneIs(ctx, f.cm, c1.ID, "hello", 0, false)
		if p := problem.As(err); p == nil || p.Code != "already_answered" || p.Status != 409 || p.Localized("en") != "owner already answered this item. Send anyway?" {
			t.Fatalf("a reply to an item Olivia answered: %v", err)
		}
		if replies, err := f.s.Replies(ctx, f.cm, c1.ConversationID); err != nil || len(replies) != 2 {
			t.Fatalf("replies after the refusal: %d %v, want Olivia's two", len(replies), err)
		}
		// Another item is not answered by Olivia's reply.
		if _, err := f.s.ReplyUnlessSomeoneIs(ctx, f.cm, dm.ID, "hello", 0, false); err != nil {
			t.Errorf("a reply to another item: %v", err)
		}
		// Olivia's replies failed on the network: nothing answered the item.
		net.publish = func(network.PostRequest) (network.Ref, error) {
			return network.Ref{}, &network.Error{Kind: network.Permanent, Status: 422, Message: "Validation failed"}
		}
		must(t, f.s.SendReply(ctx, first.ID, false))
		must(t, f.s.SendReply(ctx, second.ID, false))
		if r := f.reply(t, first.ID); r.State != string(ReplyFailed) {
			t.Fatalf("Olivia's reply: %s, want failed", r.State)
		}
		if _, err := f.s.ReplyUnlessSomeoneIs(ctx, f.cm, c1.ID, "hello", 0, false); err != nil {
			t.Errorf("a reply once Olivia's failed: %v", err)
		}
	})
}
