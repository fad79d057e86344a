package inbox

import (
	"context"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// The address a network gives for our sent reply is its word: a
// javascript: or data: one is not stored (the reply is sent all the same),
// an https one is.
func TestReplyKeepsOnlyAWebAddress(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f, net, _, c1, _ := replyFixture(t, st)
		for _, c := range []struct{ given, want string }{
			{"javascript:alert(document.cookie)", ""},
			{"data:text/html,<script>alert(1)</script>", ""},
			{"https://fake.test/@brand/1", "https://fake.test/@brand/1"},
		} {
			net.publish = func(req network.PostRequest) (network.Ref, error) {
				ref := net.create(req)
				ref.URL = c.given
				return ref, nil
			}
			r, err := f.s.Reply(ctx, f.cm, c1.ID, "Thanks "+c.given)
			must(t, err)
			must(t, f.s.SendReply(ctx, r.ID, false))
			if got := f.reply(t, r.ID); got.State != string(ReplySent) || got.ExternalURL != c.want {
				t.Errorf("network address %q: reply %s with address %q, want sent with %q", c.given, got.State, got.ExternalURL, c.want)
			}
		}
	})
}
