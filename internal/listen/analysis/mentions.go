package analysis

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/bulk"
	"github.com/tribune-social/tribune/internal/store"
)

// Page sizes of the list and of the export's reads.
const (
	PageSize    = 50
	MaxPageSize = 200
	exportChunk = 500
)

// Sentiments of a mention.
var Sentiments = []string{"positive", "neutral", "negative"}

// Filter narrows the mention list; zero fields do not filter.
type Filter struct {
	TopicID   int64
	Network   string
	Sentiment string
	Lang      string
	// Author is the author's handle, exactly.
	Author string
	// Query is found in the text, whatever the case.
	Query string
	// From and To are days in the workspace's time zone, To included.
	From, To time.Time
	// Cursor continues a list where its previous page stopped.
	Cursor string
	// Limit is the page size (PageSize when 0, at most MaxPageSize).
	Limit int
}

// Mention is one mention as the list shows it.
type Mention struct {
	ID             int64
	Network        string
	ExternalID     string
	URL            string
	Author         string
	AuthorName     string
	Followers      int64
	Text           string
	Lang           string
	Sentiment      string
	SentimentScore float64
	PostedAt       time.Time
}

// MentionPage is one page of the list, newest first; Next continues it
// (empty on the last page).
type MentionPage struct {
	Topics   []Topic
	Mentions []Mention
	Next     string
}

// cursor is the keyset of the last mention of a page: its time and id.
func cursor(m Mention) string {
	return strconv.FormatInt(m.PostedAt.UnixNano(), 36) + "." + strconv.FormatInt(m.ID, 36)
}

func parseCursor(c string) (time.Time, int64, error) {
	at, id, ok := strings.Cut(c, ".")
	ns, err1 := strconv.ParseInt(at, 36, 64)
	n, err2 := strconv.ParseInt(id, 36, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return time.Time{}, 0, errBadCursor
	}
	return time.Unix(0, ns).UTC(), n, nil
}

// params checks a filter and turns it into the query's arguments.
func (s *Service) params(ctx context.Context, ws store.Workspace, f Filter) (store.ListAnalysisMentionsParams, error) {
	p := store.ListAnalysisMentionsParams{WorkspaceID: ws.ID, BeforeAt: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), BeforeID: 1<<62 - 1}
	if f.TopicID != 0 {
		if _, _, err := s.topics(ctx, ws.ID, f.TopicID); err != nil {
			return p, err
		}
		p.TopicID = &f.TopicID
	}
	if f.Sentiment != "" {
		ok := false
		for _, v := range Sentiments {
			ok = ok || v == f.Sentiment
		}
		if !ok {
			return p, errBadSentiment
		}
	}
	opt := func(v string) *string {
		if v = strings.TrimSpace(v); v == "" {
			return nil
		}
		return &v
	}
	p.Network, p.Sentiment, p.Lang, p.Author = opt(f.Network), opt(f.Sentiment), opt(f.Lang), opt(f.Author)
	p.Query = opt(f.Query)
	loc := location(ws)
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).UTC()
	}
	if !f.From.IsZero() {
		since := day(f.From)
		p.Since = &since
	}
	if !f.To.IsZero() {
		until := day(f.To).AddDate(0, 0, 1)
		p.Until = &until
	}
	if p.Since != nil && p.Until != nil && !p.Until.After(*p.Since) {
		return p, errBadRange
	}
	if f.Cursor != "" {
		at, id, err := parseCursor(f.Cursor)
		if err != nil {
			return p, err
		}
		p.BeforeAt, p.BeforeID = at, id
	}
	return p, nil
}

func toMention(r store.ListAnalysisMentionsRow) Mention {
	return Mention{ID: r.ID, Network: r.Network, ExternalID: r.ExternalID, URL: r.URL, Author: r.Author, AuthorName: r.AuthorName,
		Followers: r.AuthorFollowers, Text: r.Text, Lang: r.Lang, Sentiment: r.Sentiment, SentimentScore: r.SentimentScore, PostedAt: r.PostedAt.UTC()}
}

// Mentions returns one page of the workspace's mentions.
func (s *Service) Mentions(ctx context.Context, user store.User, workspaceID int64, f Filter) (MentionPage, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return MentionPage{}, err
	}
	p, err := s.params(ctx, ws, f)
	if err != nil {
		return MentionPage{}, err
	}
	var page MentionPage
	if page.Topics, _, err = s.topics(ctx, ws.ID, 0); err != nil {
		return page, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = PageSize
	}
	limit = min(limit, MaxPageSize)
	p.MaxRows = int64(limit + 1)
	rows, err := s.Store.ListAnalysisMentions(ctx, p)
	if err != nil {
		return page, err
	}
	for i, r := range rows {
		if i == limit {
			page.Next = cursor(page.Mentions[limit-1])
			break
		}
		page.Mentions = append(page.Mentions, toMention(r))
	}
	return page, nil
}

// CSVHeader are the columns of the mention export.
var CSVHeader = []string{"posted_at", "network", "author", "author_name", "followers", "sentiment", "sentiment_score", "lang", "url", "text"}

// ExportCSV writes every mention the filter keeps as CSV, newest first,
// reading them a chunk at a time by keyset so the export streams whatever
// its size. Mentions are written by strangers: every text cell goes through
// bulk.Neutralise, so "=HYPERLINK(…)" stays text in a spreadsheet. The
// filter's Cursor and Limit are ignored. Bad filters fail before anything
// is written.
func (s *Service) ExportCSV(ctx context.Context, user store.User, workspaceID int64, f Filter, w io.Writer) error {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead)
	if err != nil {
		return err
	}
	f.Cursor = ""
	p, err := s.params(ctx, ws, f)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	p.MaxRows = exportChunk
	for {
		rows, err := s.Store.ListAnalysisMentions(ctx, p)
		if err != nil {
			return err
		}
		for _, r := range rows {
			m := toMention(r)
			followers := ""
			if m.Followers >= 0 {
				followers = strconv.FormatInt(m.Followers, 10)
			}
			rec := []string{m.PostedAt.Format(time.RFC3339), bulk.Neutralise(m.Network), bulk.Neutralise(m.Author), bulk.Neutralise(m.AuthorName),
				followers, bulk.Neutralise(m.Sentiment), fmt.Sprintf("%.3f", m.SentimentScore), bulk.Neutralise(m.Lang), bulk.Neutralise(m.URL), bulk.Neutralise(m.Text)}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(rows) < exportChunk {
			return nil
		}
		last := rows[len(rows)-1]
		p.BeforeAt, p.BeforeID = last.PostedAt.UTC(), last.ID
	}
}
