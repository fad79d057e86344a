package bluesky_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
)

func newChatNet(t *testing.T) *memNet { return newMemNet(t, nil) }

func messages(items []network.Item) []network.Item {
	var out []network.Item
	for _, it := range items {
		if it.Kind == network.KindMessage {
			out = append(out, it)
		}
	}
	return out
}

// A direct message reaches the inbox once: the first fetch reads it from
// the conversations, later fetches follow the chat log from its cursor
// (paging through more than a page) and bring nothing twice; our own
// messages never come back as items.
func TestDirectMessagesFetchedOnce(t *testing.T) {
	t.Parallel()
	n := newChatNet(t)
	ctx := context.Background()
	convo, first := n.chat.Send(aliceDID, usDID, "Bonjour, ma commande n'est pas arrivée")
	res, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Since: time.Now().Add(-time.Hour), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := messages(res.Items)
	if len(got) != 1 {
		t.Fatalf("first fetch: %d messages, want 1: %+v", len(got), res.Items)
	}
	it := got[0]
	if it.ExternalID != bluesky.ChatRef(convo, first) || it.ConversationID != bluesky.ChatConversation(convo) ||
		it.Author.ExternalID != aliceDID || it.Author.Handle != "alice.test" || it.Text != "Bonjour, ma commande n'est pas arrivée" || it.Root != nil {
		t.Errorf("message item %+v", it)
	}
	for range 2 {
		res, err = n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: res.Cursor, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if m := messages(res.Items); len(m) != 0 {
			t.Fatalf("a repeated poll brought %d messages again: %+v", len(m), m)
		}
	}
	n.chat.Send(usDID, aliceDID, "Nous regardons tout de suite.") // from the Bluesky app
	var want []string
	for i := range 30 {
		text := "message " + string(rune('A'+i%26)) + string(rune('0'+i/26))
		want = append(want, text)
		n.chat.Send(aliceDID, usDID, text)
	}
	res, err = n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: res.Cursor, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range messages(res.Items) {
		texts = append(texts, m.Text)
	}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("after 30 messages (more than a log page) and one of ours: %q, want %q", texts, want)
	}
	res, err = n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: res.Cursor, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if m := messages(res.Items); len(m) != 0 {
		t.Errorf("caught up, a poll brought %d messages", len(m))
	}
	var logs int
	for _, c := range n.chat.Calls() {
		if c.NSID == "chat.bsky.convo.getLog" && c.Caller == usDID {
			logs++
		}
	}
	if logs == 0 {
		t.Error("the chat log was never read as our account")
	}
}

// A reply lands in the conversation once; after a crash the look-up finds
// it by listing the conversation, and cannot prove a missing one absent.
// Mark read reaches the chat service; likes, hides and deletes are refused
// before any call, with the reason.
func TestDirectMessageReplyAndActions(t *testing.T) {
	t.Parallel()
	n := newChatNet(t)
	ctx := context.Background()
	convo, msg := n.chat.Send(aliceDID, usDID, "Vous livrez en Belgique ?")
	res, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Since: time.Now().Add(-time.Hour), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	it := messages(res.Items)[0]
	at := time.Now()
	req := network.PostRequest{AttemptKey: network.NewAttemptKey(at), Text: "Oui, sous trois jours.", ReplyTo: &it.Ref, Root: &it.Ref,
		CreatedAt: at, Visibility: network.VisibilityDirect}
	ref, err := n.c.Publish(ctx, n.acct, req)
	if err != nil {
		t.Fatal(err)
	}
	if sent := n.chat.Messages(convo, usDID); len(sent) != 1 || sent[0] != req.Text {
		t.Fatalf("our messages in the conversation: %q, want the reply once", sent)
	}
	if c, _, ok := strings.Cut(strings.TrimPrefix(ref.ID, "bsky-chat:"), "/"); !ok || c != convo {
		t.Errorf("reply ref %+v, want one in conversation %s", ref, convo)
	}
	if got, err := n.c.Recover(ctx, n.acct, req); err != nil || got.ID != ref.ID {
		t.Errorf("look-up after a crash: %+v %v, want %s", got, err, ref.ID)
	}
	other := req
	other.Text = "Un texte jamais envoyé"
	if _, err := n.c.Recover(ctx, n.acct, other); !errors.Is(err, network.ErrUnknownOutcome) {
		t.Errorf("look-up of a reply that is not there: %v, want ErrUnknownOutcome (it may have been deleted in the app)", err)
	}
	later := req
	later.CreatedAt = at.Add(time.Hour)
	if _, err := n.c.Recover(ctx, n.acct, later); !errors.Is(err, network.ErrUnknownOutcome) {
		t.Errorf("a message sent before the in-flight mark was taken for the reply: %v", err)
	}
	res, err = n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: res.Cursor, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if m := messages(res.Items); len(m) != 0 {
		t.Errorf("our reply came back as an inbox item: %+v", m)
	}

	if err := n.c.Act(ctx, n.acct, network.ActMarkRead, it); err != nil {
		t.Fatal(err)
	}
	if got := n.chat.ReadUpTo(usDID, convo); got != msg {
		t.Errorf("read up to %q, want %q", got, msg)
	}
	caps := n.c.InboxCapabilities(n.acct)
	calls := len(n.chat.Calls())
	for _, a := range []network.Action{network.ActLike, network.ActUnlike, network.ActHide, network.ActUnhide, network.ActDelete} {
		if s := caps.ActionOn(network.KindMessage, a); s.OK || !i18n.Has("fr", s.Reason) {
			t.Errorf("%s on a direct message: %+v, want unavailable with a translated reason", a, s)
		}
		if err := n.c.Act(ctx, n.acct, a, it); !errors.Is(err, network.ErrUnsupported) {
			t.Errorf("%s on a direct message: %v, want ErrUnsupported", a, err)
		}
	}
	for _, a := range []network.Action{network.ActReply, network.ActMarkRead, network.ActBlock} {
		if !caps.ActionOn(network.KindMessage, a).OK {
			t.Errorf("%s on a direct message unavailable", a)
		}
	}
	if !caps.ActionOn(network.KindComment, network.ActLike).OK {
		t.Error("the messages' rules leaked onto comments")
	}
	if n := len(n.chat.Calls()); n != calls {
		t.Errorf("refused actions reached the chat service (%d calls)", n-calls)
	}
}

// An app password without access to direct messages: the PDS refuses the
// chat; the notifications still arrive, the channel's capabilities say why
// messages do not, and a reply fails with that sentence, never as an
// expired session (which would ask to reconnect the channel).
func TestDirectMessagesWithoutAccess(t *testing.T) {
	t.Parallel()
	var logins atomic.Int64
	n := newMemNet(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/xrpc/com.atproto.server.createSession" {
				logins.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	})
	ctx := context.Background()
	ours := n.post(usDID, postOpts{text: "Notre post"})
	reply := n.post(aliceDID, postOpts{text: "Une réponse", parent: &ours})
	n.chat.Send(aliceDID, usDID, "Un message privé")
	n.RefuseChat.Store(true)
	res, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Since: n.base.Add(-time.Hour), Limit: 100})
	if err != nil {
		t.Fatalf("a refused chat failed the whole fetch: %v", err)
	}
	if _, ok := byID(res.Items)[reply.URI]; !ok || len(messages(res.Items)) != 0 {
		t.Errorf("items %+v, want the reply and no message", res.Items)
	}
	s := n.c.InboxCapabilities(n.acct).Kind(network.KindMessage)
	if s.OK || s.Reason != bluesky.NoChatAccess || !i18n.Has("fr", s.Reason) {
		t.Errorf("direct messages: %+v, want unavailable because of the app password", s)
	}
	if ns := n.c.InboxCapabilities(n.acct).Notices; len(ns) != 1 || ns[0] != bluesky.NoChatAccess {
		t.Errorf("notices %q, want the app password's", ns)
	}
	if s := n.c.InboxCapabilities(n.acct).ActionOn(network.KindMessage, network.ActReply); s.OK {
		t.Error("replying to a direct message offered without access to them")
	}
	it := network.Item{ExternalID: bluesky.ChatRef("convo1", "msg2"), Kind: network.KindMessage, Ref: network.Ref{ID: bluesky.ChatRef("convo1", "msg2")}}
	// With the app password at hand, an expired session would be opened
	// again (createSession, which the in-memory PDS does not serve): the
	// refusal must not be taken for one.
	withPassword := n.acct
	withPassword.Token.Extra = map[string]string{"app_password": "xxxx-xxxx-xxxx-xxxx"}
	_, err = n.c.Publish(ctx, withPassword, network.PostRequest{Text: "Bonjour", ReplyTo: &it.Ref, CreatedAt: time.Now()})
	ne := network.AsError(err)
	if err == nil || ne.Message != bluesky.NoChatAccess || ne.Kind == network.Unauthorized || ne.Status != http.StatusBadRequest {
		t.Errorf("reply without access: %v (kind %v), want %q, refused for good", err, ne.Kind, bluesky.NoChatAccess)
	}
	if n := logins.Load(); n != 0 {
		t.Errorf("the refusal was taken for an expired session: %d new sessions opened", n)
	}

	// Reconnected with a better app password: the next poll reads them.
	n.RefuseChat.Store(false)
	res, err = n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: res.Cursor, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if m := messages(res.Items); len(m) != 1 || m[0].Text != "Un message privé" {
		t.Errorf("after access was granted: %+v, want the waiting message", m)
	}
	if caps := n.c.InboxCapabilities(n.acct); !caps.Kind(network.KindMessage).OK || len(caps.Notices) != 0 {
		t.Errorf("direct messages still unavailable after a chat call succeeded: %+v", caps)
	}
}

// The app password's scope, read from the session's token, says before any
// call that direct messages are out of reach.
func TestChatAccessFromTokenScope(t *testing.T) {
	t.Parallel()
	jwt := func(scope string) string {
		enc := base64.RawURLEncoding.EncodeToString
		return enc([]byte(`{"alg":"HS256"}`)) + "." + enc([]byte(`{"scope":"`+scope+`","sub":"did:plc:x"}`)) + ".sig"
	}
	c := bluesky.New(nil)
	for scope, ok := range map[string]bool{"com.atproto.appPass": false, "com.atproto.appPassPrivileged": true, "com.atproto.access": true} {
		acct := network.Account{ExternalID: "did:plc:x", Token: network.Token{AccessToken: jwt(scope)}}
		if got := c.InboxCapabilities(acct).Kind(network.KindMessage); got.OK != ok || (!ok && got.Reason != bluesky.NoChatAccess) {
			t.Errorf("scope %s: %+v, want ok=%v", scope, got, ok)
		}
	}
}

// A log cursor the chat service no longer knows starts the read over from
// the conversations rather than failing every poll.
func TestChatCursorRefusedStartsOver(t *testing.T) {
	t.Parallel()
	n := newChatNet(t)
	ctx := context.Background()
	n.chat.Send(aliceDID, usDID, "Toujours là ?")
	res, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: "chat=forgotten", Since: time.Now().Add(-time.Hour), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if m := messages(res.Items); len(m) != 1 || !strings.Contains(res.Cursor, " chat=") || strings.Contains(res.Cursor, "forgotten") {
		t.Errorf("after a refused cursor: %d messages, cursor %q", len(m), res.Cursor)
	}
}

// A chat service that is down does not hold back the replies and mentions:
// they come with the failure as Partial, the chat's cursor stays where it
// was, and the message sent meanwhile arrives once the chat answers again.
func TestChatOutageKeepsNotificationsFlowing(t *testing.T) {
	t.Parallel()
	n := newChatNet(t)
	ctx := context.Background()
	res, err := n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Since: time.Now().Add(-time.Hour), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	before := res.Cursor
	n.chat.Send(aliceDID, usDID, "Vous êtes là ?")
	n.post(aliceDID, postOpts{text: "@lumiere.test une question", mention: usDID})
	n.ChatDown.Store(true)
	res, err = n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: before, Limit: 100})
	if err != nil {
		t.Fatalf("a chat outage failed the whole fetch: %v", err)
	}
	if res.Partial == nil {
		t.Error("the chat's outage is not told (Partial nil)")
	}
	if len(res.Items) != 1 || res.Items[0].Kind != network.KindMention {
		t.Errorf("during the outage: %+v, want the mention alone", res.Items)
	}
	_, chatBefore, _ := strings.Cut(before, "chat=")
	if _, chatNow, _ := strings.Cut(res.Cursor, "chat="); chatNow != chatBefore {
		t.Errorf("the chat's cursor moved during its outage: %q → %q", chatBefore, chatNow)
	}
	n.ChatDown.Store(false)
	res, err = n.c.FetchInbox(ctx, n.acct, network.FetchRequest{Cursor: res.Cursor, Limit: 100})
	if err != nil || res.Partial != nil {
		t.Fatalf("after the outage: %v, partial %v", err, res.Partial)
	}
	if m := messages(res.Items); len(m) != 1 || m[0].Text != "Vous êtes là ?" {
		t.Errorf("after the outage: messages %+v, want the one sent during it", m)
	}
}
