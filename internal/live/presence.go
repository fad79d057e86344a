package live

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/problem"
)

// State is what a member is doing on a conversation.
type State string

// The presence states a page reports.
const (
	Viewing  State = "viewing"
	Replying State = "replying"
	// Left is sent when the page closes or moves on; the member is then gone
	// at once instead of after the TTL.
	Left State = "left"
)

// Valid reports whether s is one of the states.
func (s State) Valid() bool { return s == Viewing || s == Replying || s == Left }

// Viewer is one member on a conversation.
type Viewer struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	State  State  `json:"state"`
	// Seen is when this node last heard the member's heartbeat (by its own
	// clock: nodes' clocks need not agree).
	Seen time.Time `json:"-"`
}

type presenceKey struct {
	ws      int64
	subject string
}

// maxName bounds the name carried in a heartbeat, so a heartbeat always fits
// in a notification whatever a member calls themself.
const maxName = 80

// Heartbeat says that v is on conversation subject of workspace ws, as the
// page does every ~10 s; every node learns it, and subscribers receive it
// as a TypePresence event. A member counts until PresenceTTL after their
// last heartbeat, or until one with State Left.
func (b *Broker) Heartbeat(ctx context.Context, ws int64, subject string, v Viewer) error {
	if utf8.RuneCountInString(v.Name) > maxName {
		v.Name = string([]rune(v.Name)[:maxName])
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Publish(ctx, ws, Event{Type: TypePresence, Subject: subject, Data: data})
}

// notePresence records a heartbeat heard from any node.
func (b *Broker) notePresence(ws int64, e Event) {
	var v Viewer
	if err := json.Unmarshal(e.Data, &v); err != nil || !v.State.Valid() {
		return
	}
	v.Seen = b.opt.Now()
	k := presenceKey{ws, e.Subject}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prune(k)
	if v.State == Left {
		delete(b.presence[k], v.UserID)
		if len(b.presence[k]) == 0 {
			delete(b.presence, k)
		}
		return
	}
	if b.presence[k] == nil {
		b.presence[k] = map[int64]Viewer{}
	}
	b.presence[k][v.UserID] = v
}

// prune forgets the expired viewers of k; called with the lock held.
func (b *Broker) prune(k presenceKey) {
	cutoff := b.opt.Now().Add(-b.opt.PresenceTTL)
	for id, v := range b.presence[k] {
		if !v.Seen.After(cutoff) {
			delete(b.presence[k], id)
		}
	}
	if len(b.presence[k]) == 0 {
		delete(b.presence, k)
	}
}

// Presence lists who is on conversation subject of ws now, by name.
func (b *Broker) Presence(ws int64, subject string) []Viewer {
	k := presenceKey{ws, subject}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prune(k)
	out := make([]Viewer, 0, len(b.presence[k]))
	for _, v := range b.presence[k] {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b Viewer) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Snapshot is every live presence of ws, by subject: what a page that just
// connected is sent first, before it hears the next heartbeats.
func (b *Broker) Snapshot(ws int64) map[string][]Viewer {
	b.mu.Lock()
	var subjects []string
	for k := range b.presence {
		if k.ws == ws {
			subjects = append(subjects, k.subject)
		}
	}
	b.mu.Unlock()
	out := map[string][]Viewer{}
	for _, s := range subjects {
		if vs := b.Presence(ws, s); len(vs) > 0 {
			out[s] = vs
		}
	}
	return out
}

// ErrSomeoneReplying is CheckReply's refusal: another member is writing an
// answer to the same conversation.
var ErrSomeoneReplying = problem.New(http.StatusConflict, "someone_replying", "%s is replying to this conversation. Send anyway?")

// CheckReply is what the inbox calls before it sends a reply by member
// userID on conversation subject: an ErrSomeoneReplying naming the others
// who are replying there now, unless anyway (the member saw the warning and
// confirmed). It never locks anyone out: a confirmed reply always goes.
func (b *Broker) CheckReply(ws int64, subject string, userID int64, anyway bool) error {
	if anyway {
		return nil
	}
	var names []string
	for _, v := range b.Presence(ws, subject) {
		if v.State == Replying && v.UserID != userID {
			names = append(names, v.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return ErrSomeoneReplying.Format(strings.Join(names, ", "))
}
