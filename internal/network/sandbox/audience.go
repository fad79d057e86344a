package sandbox

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// The Sandbox's audience: simulated people who comment on, reply to,
// mention, quote, message and review an account about the posts it
// receives, so that Tribune's inbox has something to collect without a real
// network.
//
// Generation is lazy: nothing runs in the background. Whenever an account's
// inbox is read (or its settings change), the audience writes everything it
// would have written between the last item and now, each item's time and
// content drawn from a random source seeded per account and item number. So
// a test drives it with a fake clock, and a restarted sandbox, which reads
// the items and the seed back from its data file, goes on where it stopped.

// Audience is the setting of one account's audience.
type Audience struct {
	// Account is the account (its id) the audience writes to.
	Account string `json:"account,omitempty"`
	// Rate is how many items per minute the audience writes; 0 silences it.
	Rate float64 `json:"rate"`
	// Positive, Neutral and Negative are the sentiment mix, in percent; they
	// add up to 100 (all three 0 means the default mix).
	Positive int `json:"positive"`
	Neutral  int `json:"neutral"`
	Negative int `json:"negative"`
	// Languages the audience writes in: "fr", "en" or both (nil: both).
	Languages []string `json:"languages,omitempty"`
	// StormMinutes, when set, starts a storm now: a burst of angry comments
	// and replies lasting that many minutes.
	StormMinutes int `json:"storm_minutes,omitempty"`
	// EndStorm ends the current storm now.
	EndStorm bool `json:"end_storm,omitempty"`
	// StormUntil is when the current storm ends (read only).
	StormUntil time.Time `json:"storm_until,omitzero"`
}

// Limits of the audience settings.
const (
	MaxAudienceRate  = 60
	MaxStormMinutes  = 60
	stormMinRate     = 20 // items per minute during a storm, at least
	catchUpLimit     = 15 * time.Minute
	editProbability  = 0.07
	audienceLanguage = "fr"
)

// AudienceLanguages are the languages the audience writes in.
var AudienceLanguages = []string{"fr", "en"}

// Problem messages of Validate (translated by Tribune's catalogue).
const (
	msgRate      = "The rate is between 0 and 60 items per minute."
	msgMix       = "The sentiment shares are between 0 and 100 and add up to 100."
	msgLanguages = "Choose French, English or both."
	msgStorm     = "A storm lasts from 0 to 60 minutes."
)

// Validate returns the field at fault and the English message, or "" "".
func (a Audience) Validate() (field, msg string) {
	if a.Rate < 0 || a.Rate > MaxAudienceRate || a.Rate != a.Rate {
		return "rate", msgRate
	}
	sum := a.Positive + a.Neutral + a.Negative
	if a.Positive < 0 || a.Neutral < 0 || a.Negative < 0 || (sum != 100 && sum != 0) {
		return "mix", msgMix
	}
	// No languages means both; an empty list (nothing ticked) means none.
	if a.Languages != nil && len(a.Languages) == 0 {
		return "languages", msgLanguages
	}
	for _, l := range a.Languages {
		if !slices.Contains(AudienceLanguages, l) {
			return "languages", msgLanguages
		}
	}
	if a.StormMinutes < 0 || a.StormMinutes > MaxStormMinutes {
		return "storm_minutes", msgStorm
	}
	return "", ""
}

// normalized fills the defaults: the default mix, both languages.
func (a Audience) normalized() Audience {
	if a.Positive+a.Neutral+a.Negative == 0 {
		a.Positive, a.Neutral, a.Negative = 50, 30, 20
	}
	if len(a.Languages) == 0 {
		a.Languages = slices.Clone(AudienceLanguages)
	}
	slices.Sort(a.Languages)
	a.Languages = slices.Compact(a.Languages)
	return a
}

// InboxAuthor is a member of the audience.
type InboxAuthor struct {
	ID     string `json:"id"`
	Handle string `json:"handle"`
	Name   string `json:"name"`
	// Blocked is set in a listing when the account blocked this author.
	Blocked bool `json:"blocked,omitempty"`
}

// InboxItem is something the audience wrote to an account.
type InboxItem struct {
	// Seq is the sequence number of the item's last change: a listing after
	// a cursor returns what is new or changed since.
	Seq     int64  `json:"seq"`
	ID      string `json:"id"`
	Account string `json:"account"`
	// Kind is comment, mention, quote, message or review (network.ItemKind).
	Kind string `json:"kind"`
	// RootID is the post of ours at the top of the thread (comments and
	// replies), ParentID what the item answers (a post of ours, another
	// item) or, for a quote, the post quoted.
	RootID         string      `json:"root_id,omitempty"`
	ParentID       string      `json:"parent_id,omitempty"`
	ConversationID string      `json:"conversation_id"`
	Author         InboxAuthor `json:"author"`
	Text           string      `json:"text"`
	Lang           string      `json:"lang"`
	// Sentiment is what the audience meant (positive, neutral, negative):
	// the truth a test compares Tribune's analysis with.
	Sentiment string    `json:"sentiment"`
	Rating    int       `json:"rating,omitempty"`
	Storm     bool      `json:"storm,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	EditedAt  time.Time `json:"edited_at,omitzero"`
	Deleted   bool      `json:"deleted,omitempty"`
	Hidden    bool      `json:"hidden,omitempty"`
	Liked     bool      `json:"liked,omitempty"`
	Read      bool      `json:"read,omitempty"`
	URL       string    `json:"url,omitempty"`
	// N is the item's number in its account's stream; NextAt when the
	// audience writes the next one; EditAt when the author will edit it.
	// Together with the seed they let a restarted sandbox go on alike.
	N      int64     `json:"n"`
	NextAt time.Time `json:"next_at"`
	EditAt time.Time `json:"edit_at,omitzero"`
}

// audienceState is an account's audience: its setting and where its
// generation stands.
type audienceState struct {
	Audience
	Seed uint64 `json:"seed"`
	// NextAt is when the next item is due; N how many were written.
	NextAt time.Time `json:"next_at"`
	N      int64     `json:"-"`
	// Blocked authors write no more.
	Blocked map[string]bool `json:"-"`
	items   []*InboxItem
	edits   []*InboxItem // items whose author will edit them
}

// blockRecord is a block or unblock in the data file.
type blockRecord struct {
	Account string `json:"account"`
	Author  string `json:"author"`
	Blocked bool   `json:"blocked"`
}

func (s *Server) now() time.Time {
	if s.opt.Now != nil {
		return s.opt.Now().UTC()
	}
	return time.Now().UTC()
}

// audienceOf returns the account's audience state, creating a silent one.
// The caller holds mu.
func (s *Server) audienceOf(account string) *audienceState {
	st := s.audiences[account]
	if st == nil {
		st = &audienceState{Audience: Audience{Account: account}, Blocked: map[string]bool{}}
		s.audiences[account] = st
	}
	return st
}

// applyAudience, applyItem and applyBlock replay the data file (and the
// live changes); the caller holds mu.
func (s *Server) applyAudience(a *audienceState) {
	st := s.audienceOf(a.Account)
	st.Audience, st.Seed, st.NextAt = a.Audience, a.Seed, a.NextAt
}

func (s *Server) applyItem(it *InboxItem) {
	if it.Seq > s.itemSeq {
		s.itemSeq = it.Seq
	}
	if old := s.items[it.ID]; old != nil {
		*old = *it
		return
	}
	cp := *it
	s.items[it.ID] = &cp
	st := s.audienceOf(it.Account)
	st.items = append(st.items, &cp)
	st.N = max(st.N, it.N+1)
	st.NextAt = it.NextAt
	if !it.EditAt.IsZero() && it.EditedAt.IsZero() {
		st.edits = append(st.edits, &cp)
	}
}

func (s *Server) applyBlock(b *blockRecord) {
	st := s.audienceOf(b.Account)
	if b.Blocked {
		st.Blocked[b.Author] = true
	} else {
		delete(st.Blocked, b.Author)
	}
}

// setAudience changes an account's audience; the caller holds mu. The
// generation first catches up to now with the old setting, then the new one
// applies from now.
func (s *Server) setAudience(a Audience) Audience {
	now := s.now()
	st := s.audienceOf(a.Account)
	s.generate(st, now)
	storm := st.StormUntil
	switch {
	case a.StormMinutes > 0:
		storm = now.Add(time.Duration(a.StormMinutes) * time.Minute)
	case a.EndStorm && storm.After(now):
		storm = now
	}
	seed := st.Seed
	if seed == 0 {
		seed = s.opt.Seed
		for seed == 0 {
			seed = rand.Uint64()
		}
	}
	a = a.normalized()
	a.StormMinutes, a.EndStorm, a.StormUntil = 0, false, storm
	next := st.NextAt
	if next.IsZero() || next.After(now) {
		next = now
	}
	s.persist(record{Type: "audience", Audience: &audienceState{Audience: a, Seed: seed, NextAt: next}})
	return st.Audience
}

// rng is the random source of the account's item number n.
func (st *audienceState) rng(n int64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(st.Account))
	return rand.New(rand.NewPCG(st.Seed, h.Sum64()+uint64(n)*0x9E3779B97F4A7C15))
}

// rateAt is the items per minute at t and whether a storm is on.
func (st *audienceState) rateAt(t time.Time) (float64, bool) {
	if t.Before(st.StormUntil) {
		return max(stormMinRate, min(3*st.Rate, MaxAudienceRate)), true
	}
	return st.Rate, false
}

// generate writes what the audience wrote up to now; the caller holds mu.
func (s *Server) generate(st *audienceState, now time.Time) {
	if st.Seed == 0 || st.NextAt.IsZero() {
		return // never set: a silent audience
	}
	// A sandbox stopped for a day does not write a day of comments at once.
	if st.NextAt.Before(now.Add(-catchUpLimit)) {
		st.NextAt = now.Add(-catchUpLimit)
	}
	for !st.NextAt.After(now) {
		at := st.NextAt
		rate, storm := st.rateAt(at)
		if rate <= 0 {
			// Silent: the next item is due when the rate is set again.
			st.NextAt = now
			break
		}
		r := st.rng(st.N)
		it := s.compose(st, r, at, storm)
		gap := time.Duration(float64(time.Minute) / rate * (0.5 + r.Float64()))
		it.NextAt = at.Add(max(gap, time.Millisecond))
		s.itemSeq++
		it.Seq = s.itemSeq
		s.persist(record{Type: "item", Item: it})
	}
	s.applyEdits(st, now)
}

// applyEdits lets authors edit the items they meant to edit by now.
func (s *Server) applyEdits(st *audienceState, now time.Time) {
	kept := st.edits[:0]
	for _, it := range st.edits {
		switch {
		case it.Deleted || !it.EditedAt.IsZero():
		case it.EditAt.After(now):
			kept = append(kept, it)
		default:
			cp := *it
			cp.Text = strings.TrimSpace(cp.Text) + " " + editNote(cp.Lang, cp.N)
			cp.EditedAt = cp.EditAt
			s.itemSeq++
			cp.Seq = s.itemSeq
			s.persist(record{Type: "item", Item: &cp})
		}
	}
	st.edits = kept
}

// target is something of ours the audience can answer.
type target struct {
	post *Post
	root string
}

// targets are the account's recent posts that show at t, newest first, with
// the root of their thread; posts answering a direct message are left out
// (the audience answers those by message).
func (s *Server) targets(account string, t time.Time) []target {
	var out []target
	// Only the recent past is looked at, so a sandbox holding a benchmark's
	// hundred thousand posts still writes quickly.
	for i := len(s.posts) - 1; i >= max(0, len(s.posts)-5000) && len(out) < 8; i-- {
		p := s.posts[i]
		if p.Account != account || p.Deleted || p.CreatedAt.After(t) || t.Before(p.VisibleAt) {
			continue
		}
		root, ok := s.rootOf(p)
		if ok {
			out = append(out, target{post: p, root: root})
		}
	}
	return out
}

// answeredMessages are the account's recent posts that answer a direct
// message, that show at t and were not answered back yet.
func (s *Server) answeredMessages(st *audienceState, t time.Time) []*Post {
	var out []*Post
	for i := len(s.posts) - 1; i >= max(0, len(s.posts)-5000) && len(out) < 8; i-- {
		p := s.posts[i]
		if p.Account != st.Account || p.Deleted || p.ReplyTo == "" || p.CreatedAt.After(t) || t.Before(p.VisibleAt) {
			continue
		}
		if m := s.items[p.ReplyTo]; m != nil && m.Kind == "message" && !slices.ContainsFunc(st.items[max(0, len(st.items)-500):], func(x *InboxItem) bool { return x.ParentID == p.ID }) {
			out = append(out, p)
		}
	}
	return out
}

// rootOf is the first post of p's thread; false when p answers a message.
func (s *Server) rootOf(p *Post) (string, bool) {
	for range 100 {
		if p.ReplyTo == "" {
			return p.ID, true
		}
		if parent := s.byID[p.ReplyTo]; parent != nil {
			p = parent
			continue
		}
		if it := s.items[p.ReplyTo]; it != nil && it.RootID != "" {
			return it.RootID, true
		}
		return "", false
	}
	return p.ID, true
}

// compose draws the item number st.N at time at.
func (s *Server) compose(st *audienceState, r *rand.Rand, at time.Time, storm bool) *InboxItem {
	lang := st.Languages[r.IntN(len(st.Languages))]
	label := "negative"
	if !storm {
		switch x := r.IntN(100); {
		case x < st.Positive:
			label = "positive"
		case x < st.Positive+st.Neutral:
			label = "neutral"
		}
	}
	author := pickAuthor(r, lang, st.Blocked)
	ts := s.targets(st.Account, at)
	kind := pickKind(r, storm, len(ts) > 0)
	h := fnv.New32a()
	h.Write([]byte(st.Account))
	it := &InboxItem{ID: fmt.Sprintf("it%08x-%d", h.Sum32(), st.N), Account: st.Account, N: st.N, Author: author, Lang: lang,
		Sentiment: label, CreatedAt: at, Storm: storm}
	it.ConversationID = it.ID
	var about *Post
	switch kind {
	case "reply":
		// An answer to someone else's comment under one of our posts.
		var parents []*InboxItem
		for i := len(st.items) - 1; i >= max(0, len(st.items)-500) && len(parents) < 12; i-- {
			c := st.items[i]
			if c.Kind == "comment" && !c.Deleted && c.Author.ID != author.ID && slices.ContainsFunc(ts, func(t target) bool { return t.root == c.RootID }) {
				parents = append(parents, c)
			}
		}
		if len(parents) > 0 {
			p := parents[r.IntN(len(parents))]
			it.Kind, it.RootID, it.ParentID, it.ConversationID = "comment", p.RootID, p.ID, p.RootID
			it.Text = "@" + p.Author.Handle + " " + phrase(r, lang, label, "reply")
			about = s.byID[p.RootID]
			break
		}
		kind = "comment"
		fallthrough
	case "comment":
		t := ts[r.IntN(len(ts))]
		it.Kind, it.RootID, it.ParentID, it.ConversationID = "comment", t.root, t.post.ID, t.root
		it.Text = phrase(r, lang, label, "comment")
		about = t.post
	case "quote":
		t := ts[r.IntN(len(ts))]
		it.Kind, it.ParentID = "quote", t.post.ID
		it.Text = phrase(r, lang, label, "quote")
		about = t.post
	case "mention":
		it.Kind = "mention"
		it.Text = phrase(r, lang, label, "mention")
		it.Text = strings.ReplaceAll(it.Text, "@@", "@"+s.accountName(st.Account))
	case "message":
		// Someone we answered by message often writes back, in the same
		// conversation and language.
		if ans := s.answeredMessages(st, at); len(ans) > 0 && r.IntN(2) == 0 {
			p := ans[r.IntN(len(ans))]
			if m := s.items[p.ReplyTo]; m != nil && !st.Blocked[m.Author.ID] {
				author, lang, it.Author, it.Lang, it.ParentID = m.Author, m.Lang, m.Author, m.Lang, p.ID
			}
		}
		it.Kind, it.ConversationID = "message", "dm-"+author.ID
		it.Text = phrase(r, lang, label, "message")
	case "review":
		it.Kind = "review"
		it.Text = phrase(r, lang, label, "review")
		it.Rating = map[string]int{"positive": 4 + r.IntN(2), "neutral": 3, "negative": 1 + r.IntN(2)}[label]
	}
	if about != nil && r.IntN(3) == 0 {
		if tag := hashtag(about.Text, r); tag != "" {
			it.Text += " " + tag
		}
	}
	if it.Kind != "review" && r.Float64() < editProbability {
		it.EditAt = at.Add(time.Minute + time.Duration(r.IntN(300))*time.Second)
	}
	return it
}

func (s *Server) accountName(id string) string {
	if a := s.accounts[id]; a != nil {
		return a.Name
	}
	return id
}

// pickKind draws what the audience writes; comments need a post to answer.
func pickKind(r *rand.Rand, storm, posts bool) string {
	type w struct {
		kind   string
		weight int
	}
	var ws []w
	switch {
	case storm && posts:
		ws = []w{{"comment", 70}, {"reply", 30}}
	case storm:
		ws = []w{{"mention", 80}, {"review", 20}}
	case posts:
		ws = []w{{"comment", 40}, {"reply", 15}, {"mention", 12}, {"quote", 8}, {"message", 15}, {"review", 10}}
	default:
		ws = []w{{"mention", 40}, {"message", 40}, {"review", 20}}
	}
	total := 0
	for _, x := range ws {
		total += x.weight
	}
	n := r.IntN(total)
	for _, x := range ws {
		if n < x.weight {
			return x.kind
		}
		n -= x.weight
	}
	return ws[0].kind
}

// hashtag picks one of the post's hashtags, so a comment is about the post.
func hashtag(text string, r *rand.Rand) string {
	var tags []string
	for _, f := range strings.Fields(text) {
		if strings.HasPrefix(f, "#") && len(f) > 2 && !strings.EqualFold(f, RejectTag) {
			tags = append(tags, strings.TrimRight(f, ".,;:!?"))
		}
	}
	if len(tags) == 0 {
		return ""
	}
	return tags[r.IntN(len(tags))]
}
