package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// A backlog is what a busy account finds waiting when Tribune first reads
// its inbox, or after an outage: thousands of items written in the past
// that a poll has to page through. The audience writes at most
// MaxAudienceRate items a minute, so a test that needs 5,000 items at once
// asks the control endpoint for them.

// MaxBacklog is the most items one backlog request writes.
const MaxBacklog = 50_000

// Backlog is the body of POST /_sandbox/backlog.
type Backlog struct {
	// Account is the account (its id) the items are written to.
	Account string `json:"account"`
	// Count is how many items are written, dated one millisecond apart in
	// the past up to now.
	Count int `json:"count"`
	// ReadDelayMS slows every inbox listing of the account by that many
	// milliseconds (0: no delay), so that a reader paging through the
	// backlog is caught mid-way by a crash.
	ReadDelayMS int `json:"read_delay_ms,omitempty"`
}

// postBacklog writes a backlog of items to an account and answers with the
// ids written, oldest first.
func (s *Server) postBacklog(w http.ResponseWriter, r *http.Request) {
	var in Backlog
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "Send a JSON object")
		return
	}
	if in.Count < 0 || in.Count > MaxBacklog || in.ReadDelayMS < 0 || in.ReadDelayMS > 60_000 {
		fail(w, http.StatusUnprocessableEntity, "count is between 0 and 50000, read_delay_ms between 0 and 60000")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts[in.Account] == nil {
		fail(w, http.StatusNotFound, "No such account")
		return
	}
	now := s.now()
	st := s.audienceOf(in.Account)
	if st.Seed == 0 {
		// A never-set audience gets a silent one, which gives it the seed
		// the items are drawn from.
		s.setAudience(Audience{Account: in.Account})
	}
	s.generate(st, now)
	ids := make([]string, 0, in.Count)
	for i := range in.Count {
		at := now.Add(-time.Duration(in.Count-i) * time.Millisecond)
		r := st.rng(st.N)
		it := s.compose(st, r, at, false)
		// A backlog is a fixed set: no author edits an item later, which
		// would list it again.
		it.EditAt = time.Time{}
		it.NextAt = st.NextAt
		s.itemSeq++
		it.Seq = s.itemSeq
		s.persist(record{Type: "item", Item: it})
		ids = append(ids, it.ID)
	}
	if in.ReadDelayMS > 0 {
		s.readDelay[in.Account] = time.Duration(in.ReadDelayMS) * time.Millisecond
	} else {
		delete(s.readDelay, in.Account)
	}
	writeJSON(w, http.StatusOK, map[string]any{"ids": ids})
}

// inboxDelay is how long a listing of the account waits (see Backlog).
func (s *Server) inboxDelay(account string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readDelay[account]
}
