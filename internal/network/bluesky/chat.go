package bluesky

// Direct messages. Bluesky keeps them off the repositories, on a chat
// service (chat.bsky.convo.* lexicons) that the account's PDS proxies to
// when a call names it in the atproto-proxy header; the PDS forwards only
// sessions opened with the account password or with an app password
// created with access to direct messages.
//
// Reading: chat.bsky.convo.getLog is the account's log of chat events
// (messages created and deleted, in every conversation, requests
// included), each with a rev, paged forward from a cursor. It is the one
// read the lexicons make complete: per-conversation getMessages pages
// backwards from the newest message with an opaque cursor, so catching up
// with it means walking every conversation whose rev moved, and listConvos
// does not state its order. getLog without a cursor gives the head of the
// log, not history, so the first fetch takes the head first, then reads the
// recent messages of each conversation (listConvos, getMessages) back to
// the fetch's lower bound; what arrives between the two comes again
// through the log, and the store keeps one copy.
//
// Answering: chat.bsky.convo.sendMessage into the conversation. It takes no
// client key, so an interrupted send is looked up by listing the
// conversation (our message with the same text, sent after the in-flight
// mark); not finding it proves nothing (the account may have deleted it
// for itself in the app), so the outcome is then unknown.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

// DefaultChatService is Bluesky's chat service, as the atproto-proxy header
// names it (the service DID and its #bsky_chat entry).
const DefaultChatService = "did:web:api.bsky.chat#bsky_chat"

// chatPrefix starts the ids Tribune gives direct messages and their
// conversations, so they never meet the at:// URIs of posts.
const chatPrefix = "bsky-chat:"

// Limits from the chat lexicons.
const (
	// chatPage is the largest page of listConvos and getMessages.
	chatPage = 100
	// maxLogPages bounds one fetch's walk forward through getLog; the rest
	// comes with the next page of the poll (More).
	maxLogPages = 20
	// maxConvoPages bounds the first fetch's listConvos walk.
	maxConvoPages = 5
	// maxMessagePages bounds the first fetch's walk back through one
	// conversation, and the look-up of an interrupted send.
	maxMessagePages = 5
	// chatBackfill is how far back the first read of the chat goes when
	// the fetch has no lower bound (a channel that polled notifications
	// before Tribune read direct messages).
	chatBackfill = 14 * 24 * time.Hour
	// sendSlack is how much earlier than our in-flight mark the chat
	// service may date our message (its clock, not ours).
	sendSlack = time.Minute
)

// NoChatAccess is what a channel shows when its app password cannot reach
// direct messages.
const NoChatAccess = "This app password cannot read direct messages: create one with access to direct messages."

// errNoChatAccess is the PDS refusing a chat call to a session whose app
// password was created without access to direct messages.
func errNoChatAccess() *network.Error {
	return &network.Error{Kind: network.Permanent, Status: http.StatusBadRequest, Message: NoChatAccess}
}

// noChatAccess says whether a failed call is that refusal: the PDS answers
// "InvalidToken: Bad token method" to a privileged method called with an
// unprivileged token (pipethrough.ts, PRIVILEGED_METHODS).
func noChatAccess(xe xrpcError) bool {
	return xe.Error == "InvalidToken" && xe.Message == "Bad token method"
}

// tokenScope reads the scope claim of a PDS access token without checking
// it (the PDS does): com.atproto.appPass for an app password without access
// to direct messages, com.atproto.appPassPrivileged or com.atproto.access
// otherwise; "" when the token says nothing readable.
func tokenScope(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Scope string `json:"scope"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return ""
	}
	return claims.Scope
}

// chatClosed says whether the account's token cannot reach the chat by
// its scope, so a fetch need not ask.
func (c *Connector) chatClosed(acct network.Account) bool {
	c.mu.Lock()
	tok := c.sessions[acct.ExternalID]
	c.mu.Unlock()
	if tok == "" {
		tok = acct.Token.AccessToken
	}
	return tokenScope(tok) == "com.atproto.appPass"
}

// chatReadable says whether the account's session can reach the chat: not
// when the token's scope or the network's last answer says otherwise. A
// refusal is asked again at every poll (one call), so a channel
// reconnected with a better app password reads its messages again.
func (c *Connector) chatReadable(acct network.Account) bool {
	c.mu.Lock()
	refused := c.chatRefused[acct.ExternalID]
	c.mu.Unlock()
	return !refused && !c.chatClosed(acct)
}

func (c *Connector) setChatRefused(did string, refused bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if refused {
		c.chatRefused[did] = true
	} else {
		delete(c.chatRefused, did)
	}
}

// chat runs a chat call through the PDS, routed to the chat service; a
// refusal for want of access to direct messages becomes NoChatAccess.
func (c *Connector) chat(ctx context.Context, acct network.Account, cl call, out any) (xrpcError, error) {
	cl.proxy = c.ChatService
	xe, err := c.authed(ctx, acct, cl, out)
	if err != nil && noChatAccess(xe) {
		c.setChatRefused(acct.ExternalID, true)
		return xe, errNoChatAccess()
	}
	if err == nil {
		c.setChatRefused(acct.ExternalID, false)
	}
	return xe, err
}

// Wire shapes of chat.bsky.convo.defs and chat.bsky.actor.defs.

type chatProfile struct {
	DID         string `json:"did"`
	Handle      string `json:"handle"`
	DisplayName string `json:"displayName"`
	Avatar      string `json:"avatar"`
}

// chatMessage is a messageView or a deletedMessageView (no text), told
// apart by $type.
type chatMessage struct {
	Type   string `json:"$type"`
	ID     string `json:"id"`
	Rev    string `json:"rev"`
	Text   string `json:"text"`
	Sender struct {
		DID string `json:"did"`
	} `json:"sender"`
	SentAt string `json:"sentAt"`
}

func (m chatMessage) deleted() bool { return strings.HasSuffix(m.Type, "#deletedMessageView") }

func (m chatMessage) system() bool { return strings.HasSuffix(m.Type, "#systemMessageView") }

type convoView struct {
	ID          string        `json:"id"`
	Rev         string        `json:"rev"`
	Members     []chatProfile `json:"members"`
	LastMessage *chatMessage  `json:"lastMessage"`
}

type logEntry struct {
	Type            string        `json:"$type"`
	Rev             string        `json:"rev"`
	ConvoID         string        `json:"convoId"`
	Message         *chatMessage  `json:"message"`
	RelatedProfiles []chatProfile `json:"relatedProfiles"`
}

// ChatRef is the id Tribune gives one message of a conversation.
func ChatRef(convoID, messageID string) string {
	return chatPrefix + convoID + "/" + messageID
}

// ChatConversation is the conversation id of a conversation's items.
func ChatConversation(convoID string) string { return chatPrefix + convoID }

// parseChatRef splits a ChatRef; ok is false for anything else.
func parseChatRef(id string) (convoID, messageID string, ok bool) {
	rest, found := strings.CutPrefix(id, chatPrefix)
	if !found {
		return "", "", false
	}
	convoID, messageID, _ = strings.Cut(rest, "/")
	return convoID, messageID, convoID != ""
}

// chatItem turns a message someone sent us into an inbox item.
func chatItem(convoID string, m chatMessage, who map[string]chatProfile) network.Item {
	p := who[m.Sender.DID]
	handle := p.Handle
	if handle == "" {
		handle = m.Sender.DID
	}
	id := ChatRef(convoID, m.ID)
	return network.Item{
		ExternalID: id,
		Kind:       network.KindMessage,
		Ref:        network.Ref{ID: id, URL: "https://bsky.app/messages/" + convoID},
		// A reply goes into the conversation, not under the message.
		ConversationID: ChatConversation(convoID),
		Author: network.Author{ExternalID: m.Sender.DID, Handle: p.Handle, DisplayName: p.DisplayName,
			AvatarURL: p.Avatar, URL: "https://bsky.app/profile/" + handle},
		Text:      m.Text,
		CreatedAt: parseTime(m.SentAt),
		Deleted:   m.deleted(),
	}
}

// The chat part of the fetch cursor follows the notifications' part:
// "<notifications> chat=<getLog cursor>".
const chatCursorSep = " chat="

func splitCursor(cur string) (notif, chat string) {
	notif, chat, _ = strings.Cut(" "+cur, chatCursorSep)
	return strings.TrimPrefix(notif, " "), chat
}

func joinCursor(notif, chat string) string {
	if chat == "" {
		return notif
	}
	return notif + chatCursorSep + chat
}

// fetchChat returns the messages that arrived since cursor (the getLog
// cursor; "" the first time, then the messages since since) and the
// cursor after them; more is true when the walk stopped at its bound.
func (c *Connector) fetchChat(ctx context.Context, acct network.Account, cursor string, since time.Time) (items []network.Item, next string, more bool, err error) {
	if cursor == "" {
		return c.backfillChat(ctx, acct, since)
	}
	next = cursor
	for page := 0; page < maxLogPages; page++ {
		var out struct {
			Cursor string     `json:"cursor"`
			Logs   []logEntry `json:"logs"`
		}
		xe, err := c.chat(ctx, acct, call{method: http.MethodGet, nsid: "chat.bsky.convo.getLog", query: url.Values{"cursor": {next}}}, &out)
		if err != nil {
			if ne := network.AsError(err); ne.Status == http.StatusBadRequest && !noChatAccess(xe) && page == 0 {
				// The service no longer knows our cursor (a log
				// trimmed while the channel was paused): read the
				// conversations again; the store drops what it has.
				return c.backfillChat(ctx, acct, since)
			}
			return nil, "", false, err
		}
		for _, e := range out.Logs {
			items = append(items, logItems(acct, e)...)
		}
		if len(out.Logs) == 0 || out.Cursor == "" || out.Cursor == next {
			return items, next, false, nil
		}
		next = out.Cursor
	}
	return items, next, true, nil
}

// logItems is what one log entry adds to the inbox: a message someone else
// sent, or one deleted.
func logItems(acct network.Account, e logEntry) []network.Item {
	if e.Message == nil || e.Message.system() || e.Message.Sender.DID == acct.ExternalID {
		return nil
	}
	who := map[string]chatProfile{}
	for _, p := range e.RelatedProfiles {
		who[p.DID] = p
	}
	switch {
	case strings.HasSuffix(e.Type, "#logCreateMessage"):
		return []network.Item{chatItem(e.ConvoID, *e.Message, who)}
	case strings.HasSuffix(e.Type, "#logDeleteMessage"):
		it := chatItem(e.ConvoID, *e.Message, who)
		it.Deleted = true
		return []network.Item{it}
	}
	return nil
}

// backfillChat is the first read of the chat: the log's head, then the
// messages of each conversation back to since.
func (c *Connector) backfillChat(ctx context.Context, acct network.Account, since time.Time) ([]network.Item, string, bool, error) {
	if since.IsZero() {
		since = time.Now().Add(-chatBackfill)
	}
	var head struct {
		Cursor string     `json:"cursor"`
		Logs   []logEntry `json:"logs"`
	}
	if _, err := c.chat(ctx, acct, call{method: http.MethodGet, nsid: "chat.bsky.convo.getLog"}, &head); err != nil {
		return nil, "", false, err
	}
	var items []network.Item
	for _, e := range head.Logs {
		items = append(items, logItems(acct, e)...)
	}
	cursor := ""
	for page := 0; page < maxConvoPages; page++ {
		q := url.Values{"limit": {fmt.Sprint(chatPage)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var out struct {
			Cursor string      `json:"cursor"`
			Convos []convoView `json:"convos"`
		}
		if _, err := c.chat(ctx, acct, call{method: http.MethodGet, nsid: "chat.bsky.convo.listConvos", query: q}, &out); err != nil {
			return nil, "", false, err
		}
		for _, cv := range out.Convos {
			if cv.LastMessage == nil || parseTime(cv.LastMessage.SentAt).Before(since) {
				continue
			}
			got, err := c.convoMessages(ctx, acct, cv.ID, func(m chatMessage, _ map[string]chatProfile) bool {
				return parseTime(m.SentAt).Before(since)
			})
			if err != nil {
				return nil, "", false, err
			}
			who := map[string]chatProfile{}
			for _, p := range cv.Members {
				who[p.DID] = p
			}
			for _, g := range got {
				if g.msg.Sender.DID == acct.ExternalID || g.msg.system() || parseTime(g.msg.SentAt).Before(since) {
					continue
				}
				for d, p := range g.who {
					if _, ok := who[d]; !ok {
						who[d] = p
					}
				}
				items = append(items, chatItem(cv.ID, g.msg, who))
			}
		}
		if out.Cursor == "" || out.Cursor == cursor || len(out.Convos) == 0 {
			break
		}
		cursor = out.Cursor
	}
	// Oldest first, as the log would have given them.
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	return items, head.Cursor, false, nil
}

type pagedMessage struct {
	msg chatMessage
	who map[string]chatProfile
}

// convoMessages walks a conversation back from its newest message, page by
// page, until stop says a message is old enough (that page is still
// returned whole).
func (c *Connector) convoMessages(ctx context.Context, acct network.Account, convoID string, stop func(chatMessage, map[string]chatProfile) bool) ([]pagedMessage, error) {
	var got []pagedMessage
	cursor := ""
	for page := 0; page < maxMessagePages; page++ {
		q := url.Values{"convoId": {convoID}, "limit": {fmt.Sprint(chatPage)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var out struct {
			Cursor          string        `json:"cursor"`
			Messages        []chatMessage `json:"messages"`
			RelatedProfiles []chatProfile `json:"relatedProfiles"`
		}
		if _, err := c.chat(ctx, acct, call{method: http.MethodGet, nsid: "chat.bsky.convo.getMessages", query: q}, &out); err != nil {
			return nil, err
		}
		who := map[string]chatProfile{}
		for _, p := range out.RelatedProfiles {
			who[p.DID] = p
		}
		done := false
		for _, m := range out.Messages {
			got = append(got, pagedMessage{m, who})
			done = done || stop(m, who)
		}
		if done || out.Cursor == "" || out.Cursor == cursor || len(out.Messages) == 0 {
			break
		}
		cursor = out.Cursor
	}
	return got, nil
}

// sendMessage answers a direct message: a new message in its conversation.
func (c *Connector) sendMessage(ctx context.Context, acct network.Account, convoID string, req network.PostRequest) (network.Ref, error) {
	text := Text(req)
	msg := map[string]any{"text": text}
	if facets := Facets(ctx, text, func(ctx context.Context, h string) (string, error) { return c.ResolveHandle(ctx, acct, h) }); len(facets) > 0 {
		msg["facets"] = facets
	}
	var out chatMessage
	if _, err := c.chat(ctx, acct, call{method: http.MethodPost, nsid: "chat.bsky.convo.sendMessage",
		body: map[string]any{"convoId": convoID, "message": msg}}, &out); err != nil {
		return network.Ref{}, err
	}
	if out.ID == "" {
		return network.Ref{}, network.Errorf("the chat service sent the message without an id")
	}
	return chatSent(convoID, out.ID), nil
}

func chatSent(convoID, messageID string) network.Ref {
	return network.Ref{ID: ChatRef(convoID, messageID), URL: "https://bsky.app/messages/" + convoID}
}

// recoverMessage looks for the message an interrupted send would have
// written: ours, with the same text, sent after the in-flight mark.
func (c *Connector) recoverMessage(ctx context.Context, acct network.Account, convoID string, req network.PostRequest) (network.Ref, error) {
	if req.CreatedAt.IsZero() {
		return network.Ref{}, network.ErrUnknownOutcome
	}
	from := req.CreatedAt.Add(-sendSlack)
	text := Text(req)
	got, err := c.convoMessages(ctx, acct, convoID, func(m chatMessage, _ map[string]chatProfile) bool {
		return parseTime(m.SentAt).Before(from)
	})
	if err != nil {
		return network.Ref{}, err
	}
	for _, g := range got {
		m := g.msg
		if m.Sender.DID == acct.ExternalID && !m.deleted() && m.Text == text && !parseTime(m.SentAt).Before(from) {
			return chatSent(convoID, m.ID), nil
		}
	}
	return network.Ref{}, fmt.Errorf("bluesky: no message of ours with that text in the conversation since %s: %w", stamp(from), network.ErrUnknownOutcome)
}

// markChatRead marks a conversation read up to the item's message.
func (c *Connector) markChatRead(ctx context.Context, acct network.Account, convoID, messageID string) error {
	body := map[string]string{"convoId": convoID}
	if messageID != "" {
		body["messageId"] = messageID
	}
	_, err := c.chat(ctx, acct, call{method: http.MethodPost, nsid: "chat.bsky.convo.updateRead", body: body}, nil)
	return err
}
