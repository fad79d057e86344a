// Package calendar is the editorial calendar: posts in a time range with
// filters (month, week and list views), the secret iCal feed, and bulk CSV
// import and export.
package calendar

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/bulk"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
)

// MaxRange bounds one query (a list view of a quarter is plenty).
const MaxRange = 190 * 24 * time.Hour

// MaxEntries bounds one answer of the calendar's views and of the API; a
// range holding more says so (Truncated) rather than dropping posts in
// silence. Export and the iCal feed read every post, page by page.
const MaxEntries = 5000

// Service reads the calendar.
type Service struct {
	Store     store.Store
	Auth      *auth.Service
	PublicURL string
	Now       func() time.Time
	// PageSize is how many posts one answer holds (0: MaxEntries); tests
	// make it small.
	PageSize int
}

// Filter narrows a range; nil fields do not filter.
type Filter struct {
	ChannelID *int64
	Status    *string
	AuthorID  *int64
	Tag       *string
}

// Entry is one post with its whole variants.
type Entry struct {
	Post     store.Post
	Variants []store.PostVariant
	Channels []store.Channel
}

// Title is the first line of the first variant, shortened.
func (e Entry) Title() string {
	if len(e.Variants) == 0 {
		return ""
	}
	return title(e.Variants[0].Text)
}

// Head is what the calendar's views show of a post: the state, channel and
// first 200 characters of each variant, far less to read than Entry.
type Head struct {
	Post     store.ListPostHeadsInRangeRow
	Variants []store.ListVariantHeadsByPostsRow
	Channels []store.Channel
}

// Title is the first line of the first variant, shortened.
func (h Head) Title() string {
	if len(h.Variants) == 0 {
		return ""
	}
	return title(h.Variants[0].TextHead)
}

func title(t string) string {
	if i := strings.IndexByte(t, '\n'); i >= 0 {
		t = t[:i]
	}
	if r := []rune(t); len(r) > 80 {
		t = string(r[:79]) + "…"
	}
	return t
}

// Page is one answer: at most MaxEntries posts, Truncated when the range
// holds more; Next then says where the following page starts.
type Page[E Entry | Head] struct {
	Entries   []E
	Truncated bool
	Next      Cursor
}

// Cursor marks the last post of a page: the next page starts after post ID
// at instant At. The zero Cursor starts at the beginning of the range.
type Cursor struct {
	At time.Time
	ID int64
}

// String is the cursor as clients pass it back: "unix-nanoseconds.id".
func (c Cursor) String() string {
	if c.ID == 0 {
		return ""
	}
	return strconv.FormatInt(c.At.UnixNano(), 10) + "." + strconv.FormatInt(c.ID, 10)
}

// ParseCursor reads a Cursor's String; "" is the zero Cursor.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	at, id, ok := strings.Cut(s, ".")
	ns, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return Cursor{}, problem.Invalidf("after", "bad_cursor", "This cursor is not one Tribune gave: pass the Tribune-Next-Cursor header of the previous page.")
	}
	return Cursor{At: time.Unix(0, ns).UTC(), ID: n}, nil
}

// Range returns the posts of a workspace between from and to, whole, from
// the post after the cursor on.
func (s *Service) Range(ctx context.Context, user store.User, workspaceID int64, from, to time.Time, f Filter, after Cursor) (Page[Entry], store.Workspace, error) {
	ws, err := s.authorize(ctx, user, workspaceID, from, to)
	if err != nil {
		return Page[Entry]{}, ws, err
	}
	if after.ID != 0 {
		if after.At.Before(from) || !after.At.Before(to) {
			return Page[Entry]{}, ws, problem.Invalidf("after", "bad_cursor", "This cursor belongs to another range: ask again with the same from and to.")
		}
		from = after.At
	}
	ps, next, err := s.posts(ctx, ws.ID, from, to, after.ID, f)
	if err != nil {
		return Page[Entry]{}, ws, err
	}
	entries, err := s.entries(ctx, ws.ID, ps)
	return Page[Entry]{Entries: entries, Truncated: next.ID != 0, Next: next}, ws, err
}

// Heads returns what the calendar's views show of the posts between from
// and to.
func (s *Service) Heads(ctx context.Context, user store.User, workspaceID int64, from, to time.Time, f Filter) (Page[Head], store.Workspace, error) {
	ws, err := s.authorize(ctx, user, workspaceID, from, to)
	if err != nil {
		return Page[Head]{}, ws, err
	}
	ps, next, err := s.heads(ctx, ws.ID, from, to, f)
	if err != nil || len(ps) == 0 {
		return Page[Head]{}, ws, err
	}
	vs, err := s.Store.ListVariantHeadsByPosts(ctx, idsOf(ps, func(p store.ListPostHeadsInRangeRow) int64 { return p.ID }))
	if err != nil {
		return Page[Head]{}, ws, err
	}
	chs, err := s.channels(ctx, ws.ID)
	if err != nil {
		return Page[Head]{}, ws, err
	}
	byPost := map[int64][]store.ListVariantHeadsByPostsRow{}
	for _, v := range vs {
		byPost[v.PostID] = append(byPost[v.PostID], v)
	}
	out := make([]Head, len(ps))
	for i, p := range ps {
		h := Head{Post: p, Variants: byPost[p.ID]}
		for _, v := range h.Variants {
			h.Channels = append(h.Channels, chs[v.ChannelID])
		}
		out[i] = h
	}
	return Page[Head]{Entries: out, Truncated: next.ID != 0, Next: next}, ws, nil
}

// MaxDrafts bounds the posts without a time that one list shows.
const MaxDrafts = 100

// Drafts lists the workspace's posts that have no time yet (the list view's
// second part), to anyone who may view the workspace.
func (s *Service) Drafts(ctx context.Context, user store.User, workspaceID int64) ([]store.Post, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View); err != nil {
		return nil, err
	}
	return s.Store.ListUnscheduledPosts(ctx, store.ListUnscheduledPostsParams{WorkspaceID: workspaceID, MaxRows: MaxDrafts})
}

func (s *Service) authorize(ctx context.Context, user store.User, workspaceID int64, from, to time.Time) (store.Workspace, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.View)
	if err != nil {
		return ws, err
	}
	if !to.After(from) || to.Sub(from) > MaxRange {
		return ws, problem.Invalidf("range", "bad_range", "Choose a range of at most six months.")
	}
	return ws, nil
}

// posts reads at most PageSize posts in [from, to) after the keyset
// cursor (from, afterID), and where the next page starts if more follow.
func (s *Service) posts(ctx context.Context, workspaceID int64, from, to time.Time, afterID int64, f Filter) ([]store.Post, Cursor, error) {
	q := s.rangeParams(workspaceID, from, to, afterID, f)
	ps, err := s.Store.ListPostsInRange(ctx, q)
	return cut(ps, q, err, func(p store.Post) Cursor { return Cursor{At: *p.ScheduledAt, ID: p.ID} })
}

// heads is posts for the views: the first page, with only what they show.
func (s *Service) heads(ctx context.Context, workspaceID int64, from, to time.Time, f Filter) ([]store.ListPostHeadsInRangeRow, Cursor, error) {
	q := s.rangeParams(workspaceID, from, to, 0, f)
	ps, err := s.Store.ListPostHeadsInRange(ctx, store.ListPostHeadsInRangeParams(q))
	return cut(ps, q, err, func(p store.ListPostHeadsInRangeRow) Cursor { return Cursor{At: *p.ScheduledAt, ID: p.ID} })
}

// rangeParams asks for one row more than a page holds: the extra row tells
// that another page follows.
func (s *Service) rangeParams(workspaceID int64, from, to time.Time, afterID int64, f Filter) store.ListPostsInRangeParams {
	size := s.PageSize
	if size <= 0 {
		size = MaxEntries
	}
	from, to = from.UTC(), to.UTC()
	return store.ListPostsInRangeParams{WorkspaceID: workspaceID, RangeFrom: &from, RangeTo: &to, AfterID: afterID,
		Status: f.Status, AuthorID: f.AuthorID, Tag: f.Tag, ChannelID: f.ChannelID, MaxRows: int64(size) + 1}
}

// cut keeps a page of the rows read with q and returns where the next page
// starts, if one follows.
func cut[T any](rows []T, q store.ListPostsInRangeParams, err error, cursor func(T) Cursor) ([]T, Cursor, error) {
	if err != nil {
		return nil, Cursor{}, err
	}
	if size := int(q.MaxRows) - 1; len(rows) > size {
		return rows[:size], cursor(rows[size-1]), nil
	}
	return rows, Cursor{}, nil
}

// each calls fn with every post in [from, to), a page at a time.
func (s *Service) each(ctx context.Context, workspaceID int64, from, to time.Time, fn func([]Entry) error) error {
	var afterID int64
	for {
		ps, next, err := s.posts(ctx, workspaceID, from, to, afterID, Filter{})
		if err != nil {
			return err
		}
		entries, err := s.entries(ctx, workspaceID, ps)
		if err != nil {
			return err
		}
		if err := fn(entries); err != nil {
			return err
		}
		if next.ID == 0 {
			return nil
		}
		from, afterID = next.At, next.ID
	}
}

func (s *Service) entries(ctx context.Context, workspaceID int64, ps []store.Post) ([]Entry, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	vs, err := s.Store.ListVariantsByPosts(ctx, idsOf(ps, func(p store.Post) int64 { return p.ID }))
	if err != nil {
		return nil, err
	}
	chs, err := s.channels(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	byPost := map[int64][]store.PostVariant{}
	for _, v := range vs {
		byPost[v.PostID] = append(byPost[v.PostID], v)
	}
	out := make([]Entry, len(ps))
	for i, p := range ps {
		e := Entry{Post: p, Variants: byPost[p.ID]}
		for _, v := range e.Variants {
			e.Channels = append(e.Channels, chs[v.ChannelID])
		}
		out[i] = e
	}
	return out, nil
}

func idsOf[T any](rows []T, id func(T) int64) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = id(r)
	}
	return ids
}

func (s *Service) channels(ctx context.Context, workspaceID int64) (map[int64]store.Channel, error) {
	chs, err := s.Store.ListChannels(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]store.Channel, len(chs))
	for _, c := range chs {
		byID[c.ID] = c
	}
	return byID, nil
}

// ICal writes the read-only feed of the workspace whose secret token is given:
// 30 days back to 180 days ahead. Only the token's SHA-256 is stored.
func (s *Service) ICal(ctx context.Context, token string, w io.Writer) error {
	ws, err := s.Store.GetWorkspaceByICalTokenHash(ctx, secret.HashToken(token))
	if err != nil || token == "" {
		return problem.NotFound
	}
	now := s.Now().UTC()
	var events []bulk.Event
	err = s.each(ctx, ws.ID, now.Add(-30*24*time.Hour), now.Add(180*24*time.Hour), func(entries []Entry) error {
		for _, e := range entries {
			var names []string
			for _, c := range e.Channels {
				names = append(names, c.Name)
			}
			desc := ""
			if len(e.Variants) > 0 {
				desc = e.Variants[0].Text
			}
			events = append(events, bulk.Event{UID: fmt.Sprintf("post-%d@tribune", e.Post.ID), Start: *e.Post.ScheduledAt,
				Summary: "[" + e.Post.Status + "] " + e.Title() + " (" + strings.Join(names, ", ") + ")", Description: desc,
				URL: fmt.Sprintf("%s/w/%d/posts/%d", s.PublicURL, ws.ID, e.Post.ID), Cancelled: posts.Status(e.Post.Status) == posts.Failed})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bulk.ICal(w, "Tribune · "+ws.Name, events)
}

// RotateICal gives a workspace a new iCal secret and returns the feed's URL,
// shown this once: only its hash is kept, and the previous URL stops
// working. Changing it breaks every subscriber's feed, so it takes the
// workspace-settings permission.
func (s *Service) RotateICal(ctx context.Context, user store.User, workspaceID int64) (string, error) {
	ws, _, err := s.Auth.Authorize(ctx, user, workspaceID, auth.ManageTeam)
	if err != nil {
		return "", err
	}
	tok := secret.NewToken("")
	if err := s.Store.SetWorkspaceICalTokenHash(ctx, store.SetWorkspaceICalTokenHashParams{IcalTokenHash: secret.HashToken(tok), ID: ws.ID}); err != nil {
		return "", err
	}
	return s.PublicURL + "/ical/" + tok + ".ics", nil
}

// Export writes every post of a workspace in [from, to) as CSV.
func (s *Service) Export(ctx context.Context, user store.User, workspaceID int64, from, to time.Time, w io.Writer) error {
	ws, err := s.authorize(ctx, user, workspaceID, from, to)
	if err != nil {
		return err
	}
	var rows []bulk.ExportPost
	err = s.each(ctx, ws.ID, from, to, func(entries []Entry) error {
		for _, e := range entries {
			for i, v := range e.Variants {
				local := e.Post.ScheduledLocal
				tz := e.Post.Timezone
				if local == "" && e.Post.ScheduledAt != nil {
					tz = ws.Timezone
					local, _ = schedule.Wall(*e.Post.ScheduledAt, tz)
				}
				var tags []string
				_ = jsonUnmarshal(e.Post.Tags, &tags)
				rows = append(rows, bulk.ExportPost{Local: local, TZ: tz, Status: v.State, Channel: e.Channels[i].Name, Network: e.Channels[i].Network,
					Text: v.Text, Link: v.Link, FirstComment: v.FirstComment, Tags: tags, URL: v.ExternalURL})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bulk.Export(w, rows)
}
