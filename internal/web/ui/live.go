package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/problem"
)

// liveWriteTimeout bounds one write to an event stream: a browser that
// stopped reading is dropped instead of holding a goroutine for ever.
const liveWriteTimeout = 10 * time.Second

var errNoLive = problem.New(http.StatusNotFound, "live_off", "Live updates are not available on this server.")

// liveEvents streams workspace ws's events to the page (server-sent events,
// read by static/live.js). Every event is a default "message" whose data is
// the live.Event as JSON; pages refetch what it names. There is no replay:
// a page that reconnects, or was told to resync, refetches instead, so
// Last-Event-ID is not used. The session and the membership are checked
// again at every heartbeat, so a stream ends soon after logout or removal
// from the workspace.
func (u *ui) liveEvents(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	if u.Live == nil {
		return errNoLive
	}
	session := ""
	if c, err := r.Cookie(SessionCookie); err == nil {
		session = c.Value
	}
	events, cancel := u.Live.Subscribe(ws.ID)
	defer cancel()

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	// Proxies such as nginx would otherwise buffer the stream.
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(chunk string) bool {
		// Each write gets its own deadline, which also lifts the server's
		// WriteTimeout, if one is ever set, that would end the stream.
		if err := rc.SetWriteDeadline(time.Now().Add(liveWriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return false
		}
		if _, err := fmt.Fprint(w, chunk); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	// The browser reconnects 3 s after a drop (its default varies).
	if !send("retry: 3000\n\n") {
		return nil
	}
	for subject, viewers := range u.Live.Snapshot(ws.ID) {
		for _, v := range viewers {
			data, _ := json.Marshal(v)
			if !send(sseData(live.Event{Type: live.TypePresence, Subject: subject, Data: data})) {
				return nil
			}
		}
	}
	every := u.LiveHeartbeat
	if every <= 0 {
		every = 15 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case e, ok := <-events:
			if !ok { // the broker stopped: the node shuts down
				return nil
			}
			if !send(sseData(e)) {
				return nil
			}
		case <-tick.C:
			if !u.stillMember(r, session, ws.ID) {
				send(sseData(live.Event{Type: "signedout"}))
				return nil
			}
			if !send(": ping\n\n") {
				return nil
			}
		}
	}
}

// stillMember checks the stream's session and workspace again.
func (u *ui) stillMember(r *http.Request, session string, ws int64) bool {
	user, err := u.Auth.SessionUser(r.Context(), session)
	if err != nil {
		return false
	}
	_, _, err = u.Auth.Authorize(r.Context(), user, ws, auth.View)
	return err == nil
}

// sseData is one event of the stream. JSON holds no raw newline, so one
// data line carries it.
func sseData(e live.Event) string {
	b, _ := json.Marshal(e)
	return "data: " + string(b) + "\n\n"
}

var errBadPresence = problem.New(http.StatusUnprocessableEntity, "bad_presence", "Unknown conversation or state.")

// maxSubject bounds a conversation's name in a heartbeat.
const maxSubject = 200

// livePresence records the member's heartbeat on a conversation (form
// fields subject and state: viewing, replying or left), sent by the page
// every ~10 s and when it closes.
func (u *ui) livePresence(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	if u.Live == nil {
		return errNoLive
	}
	if err := parseForm(r); err != nil {
		return err
	}
	subject, state := strings.TrimSpace(r.PostForm.Get("subject")), live.State(r.PostForm.Get("state"))
	if subject == "" || utf8.RuneCountInString(subject) > maxSubject || !state.Valid() {
		return errBadPresence
	}
	// "Replying" holds back the others' answers (the inbox's collision
	// guard): only a member who may answer (Compose, as the reply box)
	// can claim it; a reader who cannot would block the conversation.
	if state == live.Replying && !role.Can(auth.Compose) {
		return problem.Forbidden
	}
	user := currentUser(r)
	if err := u.Live.Heartbeat(r.Context(), ws.ID, subject, live.Viewer{UserID: user.ID, Name: user.Name, State: state}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
