package listen

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/tribune-social/tribune/internal/listen/query"
	"github.com/tribune-social/tribune/internal/store"
)

// Validation is what the editor shows while a query is typed.
type Validation struct {
	Valid bool `json:"valid"`
	// Offset (runes before the error, 0-based) and Column (Offset+1) locate
	// a syntax error; Message says what was expected there.
	Offset    int    `json:"offset,omitempty"`
	Column    int    `json:"column,omitempty"`
	Message   string `json:"message,omitempty"`
	MessageFR string `json:"message_fr,omitempty"`
}

// Validate parses text without saving anything.
func Validate(text string) Validation {
	_, err := query.Parse(text)
	if err == nil {
		return Validation{Valid: true}
	}
	var se *query.SyntaxError
	if errors.As(err, &se) {
		return Validation{Offset: se.Offset, Column: se.Column, Message: se.Message("en"), MessageFR: se.Message("fr")}
	}
	return Validation{Message: err.Error(), MessageFR: err.Error()}
}

// PreviewMatch is a post a query would have found.
type PreviewMatch struct {
	Network  string    `json:"network"`
	URL      string    `json:"url,omitempty"`
	Author   string    `json:"author"`
	Text     string    `json:"text"`
	Lang     string    `json:"lang"`
	PostedAt time.Time `json:"posted_at"`
	// Stored says the post is a stored mention (else it was only seen).
	Stored bool `json:"stored"`
}

// Preview is a query's matches over the last 7 days.
type Preview struct {
	Validation
	// Scanned is how many posts the preview looked at; Count how many
	// matched; Matches the newest of them (at most PreviewMatches).
	Scanned int            `json:"scanned"`
	Count   int            `json:"count"`
	Matches []PreviewMatch `json:"matches"`
}

// Preview bounds: the stored mentions read, the matches listed.
const (
	PreviewMentions = 5000
	PreviewMatches  = 20
)

// Preview matches text over the workspace's stored mentions of the last 7
// days and the posts its sources saw recently (recent.go says how far that
// goes), each post once.
func (s *Service) Preview(ctx context.Context, user store.User, workspaceID int64, text string, includeOwn bool) (Preview, error) {
	if err := s.authorize(ctx, user, workspaceID, permRead); err != nil {
		return Preview{}, err
	}
	out := Preview{Validation: Validate(text), Matches: []PreviewMatch{}}
	if !out.Valid {
		return out, nil
	}
	q, err := query.Parse(text)
	if err != nil {
		return out, err
	}
	var own query.Own
	if !includeOwn {
		chans, err := s.Store.ListChannels(ctx, workspaceID)
		if err != nil {
			return out, err
		}
		hs := make([]string, len(chans))
		for i, c := range chans {
			hs[i] = c.Handle
		}
		own = query.NewOwn(hs...)
	}
	since := s.now().Add(-PreviewWindow)
	rows, err := s.Store.ListRecentMentions(ctx, store.ListRecentMentionsParams{WorkspaceID: workspaceID, Since: since, Lim: PreviewMentions})
	if err != nil {
		return out, err
	}
	seen := map[[2]string]bool{}
	var all []PreviewMatch
	var d query.Doc
	try := func(m PreviewMatch) {
		k := [2]string{m.Network, m.URL + "\x00" + m.Text}
		if seen[k] {
			return
		}
		seen[k] = true
		out.Scanned++
		d.Reset(query.Post{Text: m.Text, Lang: m.Lang, Network: m.Network, Author: m.Author})
		if q.MatchDoc(&d, own) {
			all = append(all, m)
		}
	}
	for _, r := range rows {
		try(PreviewMatch{Network: r.Network, URL: r.URL, Author: r.Author, Text: r.Text, Lang: r.Lang, PostedAt: r.PostedAt, Stored: true})
	}
	for _, r := range s.recent.snapshot(workspaceID, time.Now().Add(-PreviewWindow)) {
		at := r.post.CreatedAt
		if at.IsZero() {
			at = r.at
		}
		try(PreviewMatch{Network: r.post.Network, URL: r.post.URL, Author: r.post.Author, Text: r.post.Text, Lang: r.lang, PostedAt: at.UTC()})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].PostedAt.After(all[j].PostedAt) })
	out.Count = len(all)
	if len(all) > PreviewMatches {
		all = all[:PreviewMatches]
	}
	out.Matches = append(out.Matches, all...)
	return out, nil
}

// ValidateFor is Validate for a member of the workspace (the editor's
// check as you type, through the workspace's routes).
func (s *Service) ValidateFor(ctx context.Context, user store.User, workspaceID int64, text string) (Validation, error) {
	if err := s.authorize(ctx, user, workspaceID, permRead); err != nil {
		return Validation{}, err
	}
	return Validate(text), nil
}
