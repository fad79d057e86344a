package inbox

import (
	"context"
	"strconv"
	"testing"

	"github.com/tribune-social/tribune/internal/live"
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
