package inbox

import (
	"context"
	"slices"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// A network may allow an action on posts and not on direct messages
// (Bluesky's chat has no likes): the item's kind decides, for members'
// actions and replies alike, with the network's reason and before any call.
func TestActionsDependOnTheItemKind(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.conn.caps.Kinds[network.KindMessage] = network.Supported
		f.conn.caps.Actions[network.ActReply] = network.Supported
		f.conn.caps.KindActions = map[network.ItemKind]map[network.Action]network.Support{network.KindMessage: {
			network.ActLike:  network.Unsupported("Messages cannot be liked here."),
			network.ActReply: network.Unsupported("Messages cannot be answered here."),
		}}
		dm := network.Item{ExternalID: "dm1", Kind: network.KindMessage, Ref: network.Ref{ID: "dm1"}, ConversationID: "convo-1",
			Author: network.Author{ExternalID: "u9", Handle: "fan9"}, Text: "a private word", CreatedAt: t0}
		_, err := f.s.Ingest(ctx, f.ch, append(comments(1, 1), dm))
		must(t, err)
		ids := f.ids(t, "c1", "dm1")
		must(t, f.s.Act(ctx, f.cm, ids[0], network.ActLike))
		err = f.s.Act(ctx, f.cm, ids[1], network.ActLike)
		if p := problem.As(err); p == nil || p.Code != "action_unsupported" || p.Message != "Messages cannot be liked here." {
			t.Errorf("like of a message: %v, want refused with the kind's reason", err)
		}
		_, err = f.s.Reply(ctx, f.cm, ids[1], "hello")
		if p := problem.As(err); p == nil || p.Code != "reply_unsupported" || p.Message != "Messages cannot be answered here." {
			t.Errorf("reply to a message: %v, want refused with the kind's reason", err)
		}
		if got := f.conn.actions(); !slices.Equal(got, []string{"like c1"}) {
			t.Errorf("network saw %v, want only the comment's like", got)
		}
		acts, err := st.ListInboxActions(ctx, []int64{ids[1]})
		must(t, err)
		var got []string
		for _, a := range acts {
			got = append(got, a.Action+":"+a.Result)
		}
		if !slices.Equal(got, []string{"like:refused", "reply:refused"}) {
			t.Errorf("the message's audit %v", got)
		}
	})
}
