package listen

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/listen/query"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// TopicKind says what a topic watches.
type TopicKind string

// The topic kinds.
const (
	KindBrand      TopicKind = "brand"
	KindProduct    TopicKind = "product"
	KindCompetitor TopicKind = "competitor"
	KindIndustry   TopicKind = "industry"
	KindOther      TopicKind = "other"
)

// TopicKinds lists the kinds in the order the pages offer them.
var TopicKinds = []TopicKind{KindBrand, KindProduct, KindCompetitor, KindIndustry, KindOther}

// Valid reports whether k is a known kind.
func (k TopicKind) Valid() bool {
	for _, v := range TopicKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Label is the kind's English name (a catalogue key).
func (k TopicKind) Label() string {
	switch k {
	case KindBrand:
		return "Brand"
	case KindProduct:
		return "Product"
	case KindCompetitor:
		return "Competitor"
	case KindIndustry:
		return "Industry"
	}
	return "Other"
}

// Topic is a topic with its queries.
type Topic struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Name        string    `json:"name"`
	Kind        TopicKind `json:"kind"`
	Color       string    `json:"color"`
	CreatedAt   time.Time `json:"created_at"`
	Queries     []Query   `json:"queries"`
}

// Query is a saved query.
type Query struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	TopicID     int64     `json:"topic_id"`
	Name        string    `json:"name"`
	Query       string    `json:"query"`
	IncludeOwn  bool      `json:"include_own"`
	Enabled     bool      `json:"enabled"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// TopicInput is a topic as a form or the API gives it.
type TopicInput struct {
	Name  string    `json:"name" minLength:"1" maxLength:"100"`
	Kind  TopicKind `json:"kind,omitempty" enum:"brand,product,competitor,industry,other"`
	Color string    `json:"color,omitempty" maxLength:"20"`
}

// QueryInput is a query as a form or the API gives it.
type QueryInput struct {
	TopicID    int64  `json:"topic_id,omitempty" doc:"The topic (kept on an edit when 0)"`
	Name       string `json:"name,omitempty" maxLength:"100" doc:"Defaults to the query's beginning"`
	Query      string `json:"query" minLength:"1" maxLength:"4000"`
	IncludeOwn bool   `json:"include_own,omitempty"`
	// Enabled defaults to true on creation.
	Enabled *bool `json:"enabled,omitempty"`
}

// maxQuery bounds a query's length in characters.
const maxQuery = 4000

func topicOf(t store.ListenTopic) Topic {
	return Topic{ID: t.ID, WorkspaceID: t.WorkspaceID, Name: t.Name, Kind: TopicKind(t.Kind), Color: t.Color, CreatedAt: t.CreatedAt, Queries: []Query{}}
}

func queryOf(q store.ListenQuery) Query {
	return Query{ID: q.ID, WorkspaceID: q.WorkspaceID, TopicID: q.TopicID, Name: q.Name, Query: q.Query, IncludeOwn: q.IncludeOwn, Enabled: q.Enabled, UpdatedAt: q.UpdatedAt}
}

func (in *TopicInput) check() error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Kind == "" {
		in.Kind = KindBrand
	}
	var details []problem.Detail
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		details = append(details, problem.Detail{Location: "name", Code: "invalid_name", Message: "A topic has a name of 1 to 100 characters."})
	}
	if !in.Kind.Valid() {
		details = append(details, problem.Detail{Location: "kind", Code: "invalid_kind", Message: "Choose brand, product, competitor, industry or other."})
	}
	if len(in.Color) > 20 {
		details = append(details, problem.Detail{Location: "color", Code: "invalid_color", Message: "A colour is at most 20 characters."})
	}
	if details != nil {
		return problem.Invalid.With(details...)
	}
	return nil
}

// Topics lists the workspace's topics with their queries.
func (s *Service) Topics(ctx context.Context, user store.User, workspaceID int64) ([]Topic, error) {
	if err := s.authorize(ctx, user, workspaceID, permRead); err != nil {
		return nil, err
	}
	ts, err := s.Store.ListListenTopics(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	qs, err := s.Store.ListListenQueries(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]Topic, len(ts))
	at := map[int64]int{}
	for i, t := range ts {
		out[i] = topicOf(t)
		at[t.ID] = i
	}
	for _, q := range qs {
		if i, ok := at[q.TopicID]; ok {
			out[i].Queries = append(out[i].Queries, queryOf(q))
		}
	}
	return out, nil
}

// Topic returns one topic of the workspace with its queries.
func (s *Service) Topic(ctx context.Context, user store.User, workspaceID, topicID int64) (Topic, error) {
	ts, err := s.Topics(ctx, user, workspaceID)
	if err != nil {
		return Topic{}, err
	}
	for _, t := range ts {
		if t.ID == topicID {
			return t, nil
		}
	}
	return Topic{}, errTopicNotFound
}

// CreateTopic adds a topic.
func (s *Service) CreateTopic(ctx context.Context, user store.User, workspaceID int64, in TopicInput) (Topic, error) {
	if err := s.authorize(ctx, user, workspaceID, permQueries); err != nil {
		return Topic{}, err
	}
	if err := in.check(); err != nil {
		return Topic{}, err
	}
	id, err := s.Store.CreateListenTopic(ctx, store.CreateListenTopicParams{WorkspaceID: workspaceID, Name: in.Name, Kind: string(in.Kind), Color: in.Color, CreatedAt: s.now()})
	if errors.Is(err, store.ErrConflict) {
		return Topic{}, errTopicExists
	}
	if err != nil {
		return Topic{}, err
	}
	t, err := s.Store.GetListenTopic(ctx, id)
	return topicOf(t), err
}

// topicIn reads a topic and checks it is the workspace's.
func (s *Service) topicIn(ctx context.Context, q store.Queries, workspaceID, topicID int64) (store.ListenTopic, error) {
	t, err := q.GetListenTopic(ctx, topicID)
	if err != nil {
		return t, notFound(err, errTopicNotFound)
	}
	if t.WorkspaceID != workspaceID {
		return t, errTopicNotFound
	}
	return t, nil
}

// UpdateTopic renames a topic or changes its kind or colour.
func (s *Service) UpdateTopic(ctx context.Context, user store.User, workspaceID, topicID int64, in TopicInput) (Topic, error) {
	if err := s.authorize(ctx, user, workspaceID, permQueries); err != nil {
		return Topic{}, err
	}
	if _, err := s.topicIn(ctx, s.Store, workspaceID, topicID); err != nil {
		return Topic{}, err
	}
	if err := in.check(); err != nil {
		return Topic{}, err
	}
	err := s.Store.UpdateListenTopic(ctx, store.UpdateListenTopicParams{Name: in.Name, Kind: string(in.Kind), Color: in.Color, ID: topicID})
	if errors.Is(err, store.ErrConflict) {
		return Topic{}, errTopicExists
	}
	if err != nil {
		return Topic{}, err
	}
	return s.Topic(ctx, user, workspaceID, topicID)
}

// DeleteTopic deletes a topic, its queries and its mentions' links to it.
func (s *Service) DeleteTopic(ctx context.Context, user store.User, workspaceID, topicID int64) error {
	if err := s.authorize(ctx, user, workspaceID, permQueries); err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		if _, err := s.topicIn(ctx, tx, workspaceID, topicID); err != nil {
			return err
		}
		if err := tx.DeleteListenTopic(ctx, topicID); err != nil {
			return err
		}
		return tx.BumpListenQueriesVersion(ctx, workspaceID)
	})
}

// syntaxArg is a syntax error's expectation as a catalogue value, so that a
// problem's detail reads in the reader's language.
type syntaxArg struct{ e *query.SyntaxError }

func (a syntaxArg) Localized(lang string) string { return a.e.Expected(lang) }

// CheckQuery parses text: nil when it is a valid query, else a problem
// whose detail names the column and what was expected there.
func CheckQuery(text string) (*query.Query, error) {
	if strings.TrimSpace(text) == "" {
		return nil, problem.Invalidf("query", "empty_query", "Write a query.")
	}
	if utf8.RuneCountInString(text) > maxQuery {
		return nil, problem.Invalidf("query", "query_too_long", "A query is at most 4,000 characters.")
	}
	q, err := query.Parse(text)
	if err == nil {
		return q, nil
	}
	var se *query.SyntaxError
	if errors.As(err, &se) {
		return nil, problem.Invalid.With(problem.Detail{Location: "query", Code: "query_syntax",
			Message: "column %d: expected %s", Args: []any{se.Column, syntaxArg{se}}})
	}
	return nil, err
}

func (in *QueryInput) check() (*query.Query, error) {
	in.Name = strings.TrimSpace(in.Name)
	if utf8.RuneCountInString(in.Name) > 100 {
		return nil, problem.Invalidf("name", "invalid_name", "A query's name is at most 100 characters.")
	}
	q, err := CheckQuery(in.Query)
	if err != nil {
		return nil, err
	}
	if in.Name == "" {
		in.Name = in.Query
		if r := []rune(in.Name); len(r) > 60 {
			in.Name = string(r[:60]) + "…"
		}
	}
	return q, nil
}

// CreateQuery saves a query in one of the workspace's topics. A query with
// a syntax error is refused with the column and what was expected; nothing
// already saved changes.
func (s *Service) CreateQuery(ctx context.Context, user store.User, workspaceID int64, in QueryInput) (Query, error) {
	if err := s.authorize(ctx, user, workspaceID, permQueries); err != nil {
		return Query{}, err
	}
	if in.TopicID == 0 {
		return Query{}, problem.Invalidf("topic_id", "required", "Choose a topic.")
	}
	if _, err := in.check(); err != nil {
		return Query{}, err
	}
	enabled := in.Enabled == nil || *in.Enabled
	var id int64
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		if _, err := s.topicIn(ctx, tx, workspaceID, in.TopicID); err != nil {
			return err
		}
		var err error
		id, err = tx.CreateListenQuery(ctx, store.CreateListenQueryParams{WorkspaceID: workspaceID, TopicID: in.TopicID, Name: in.Name, Query: in.Query,
			IncludeOwn: in.IncludeOwn, Enabled: enabled, CreatedBy: &user.ID, CreatedAt: s.now()})
		if err != nil {
			return err
		}
		return tx.BumpListenQueriesVersion(ctx, workspaceID)
	})
	if err != nil {
		return Query{}, err
	}
	q, err := s.Store.GetListenQuery(ctx, id)
	return queryOf(q), err
}

func (s *Service) queryIn(ctx context.Context, q store.Queries, workspaceID, queryID int64) (store.ListenQuery, error) {
	r, err := q.GetListenQuery(ctx, queryID)
	if err != nil {
		return r, notFound(err, errQueryNotFound)
	}
	if r.WorkspaceID != workspaceID {
		return r, errQueryNotFound
	}
	return r, nil
}

// Query returns one of the workspace's queries.
func (s *Service) Query(ctx context.Context, user store.User, workspaceID, queryID int64) (Query, error) {
	if err := s.authorize(ctx, user, workspaceID, permRead); err != nil {
		return Query{}, err
	}
	q, err := s.queryIn(ctx, s.Store, workspaceID, queryID)
	return queryOf(q), err
}

// UpdateQuery saves an edit; the workspace's index is rebuilt at the next
// batch of every node.
func (s *Service) UpdateQuery(ctx context.Context, user store.User, workspaceID, queryID int64, in QueryInput) (Query, error) {
	if err := s.authorize(ctx, user, workspaceID, permQueries); err != nil {
		return Query{}, err
	}
	old, err := s.queryIn(ctx, s.Store, workspaceID, queryID)
	if err != nil {
		return Query{}, err
	}
	if in.TopicID == 0 {
		in.TopicID = old.TopicID
	}
	if _, err := in.check(); err != nil {
		return Query{}, err
	}
	enabled := old.Enabled
	if in.Enabled != nil {
		enabled = *in.Enabled
	}
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		if _, err := s.topicIn(ctx, tx, workspaceID, in.TopicID); err != nil {
			return err
		}
		if err := tx.UpdateListenQuery(ctx, store.UpdateListenQueryParams{TopicID: in.TopicID, Name: in.Name, Query: in.Query, IncludeOwn: in.IncludeOwn,
			Enabled: enabled, UpdatedAt: s.now(), ID: queryID}); err != nil {
			return err
		}
		return tx.BumpListenQueriesVersion(ctx, workspaceID)
	})
	if err != nil {
		return Query{}, err
	}
	q, err := s.Store.GetListenQuery(ctx, queryID)
	return queryOf(q), err
}

// DeleteQuery deletes a query; the mentions it found stay.
func (s *Service) DeleteQuery(ctx context.Context, user store.User, workspaceID, queryID int64) error {
	if err := s.authorize(ctx, user, workspaceID, permQueries); err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		if _, err := s.queryIn(ctx, tx, workspaceID, queryID); err != nil {
			return err
		}
		if err := tx.DeleteListenQuery(ctx, queryID); err != nil {
			return err
		}
		return tx.BumpListenQueriesVersion(ctx, workspaceID)
	})
}
