package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/listen/analysis"
)

// Listening analysis (issue 15 §3): a topic's dashboard, the mention list
// and its CSV export. Reading takes View; the analysis service checks.
func (s *server) listenAnalysisRoutes(a huma.API) {
	huma.Register(a, op("listen-dashboard", http.MethodGet, "/v1/workspaces/{ws}/listen/dashboard",
		"A listening topic's dashboard: volume and sentiment over time, KPIs against the previous period, share of voice against competitor topics, top authors, terms and hashtags (summed from the hourly and daily rollups)", "listening"), s.listenDashboard)
	huma.Register(a, op("listen-mentions", http.MethodGet, "/v1/workspaces/{ws}/listen/mentions",
		"Mentions, newest first, with filters; follow next_cursor for the next page", "listening"), s.listenMentions)
	csvOp := op("listen-mentions-csv", http.MethodGet, "/v1/workspaces/{ws}/listen/mentions.csv",
		"Every mention the filters keep, as CSV, streamed (cells a spreadsheet would run as formulas are prefixed with an apostrophe)", "listening")
	csvOp.Responses = map[string]*huma.Response{"200": {Description: "CSV: " + csvColumns(),
		Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: "string"}}}}}
	huma.Register(a, csvOp, s.listenMentionsCSV)
}

func csvColumns() string {
	out := ""
	for i, c := range analysis.CSVHeader {
		if i > 0 {
			out += ", "
		}
		out += c
	}
	return out
}

// parseDay reads an optional YYYY-MM-DD (zero when empty).
func parseDay(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return t, errBadDate
	}
	return t, nil
}

type listenDashboardIn struct {
	WS          int64  `path:"ws" doc:"Workspace id"`
	Topic       int64  `query:"topic" doc:"Topic id; default: the workspace's first brand topic"`
	From        string `query:"from" doc:"First day, YYYY-MM-DD in the workspace's time zone; default: 30 days before to"`
	To          string `query:"to" doc:"Last day included, YYYY-MM-DD; default: today"`
	Granularity string `query:"granularity" enum:"hour,day,week," doc:"Bucket width; default: hour up to 3 days, day up to 92, else week (weeks start on Monday)"`
}

// ListenTopicOut is a listening topic.
type ListenTopicOut struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind" doc:"brand, product, competitor, industry or other"`
}

// ListenPointOut is one bucket of the charts.
type ListenPointOut struct {
	Start    time.Time `json:"start"`
	Mentions int64     `json:"mentions"`
	Positive int64     `json:"positive"`
	Neutral  int64     `json:"neutral"`
	Negative int64     `json:"negative"`
	Reach    int64     `json:"reach"`
	Net      float64   `json:"net_sentiment" doc:"(positive − negative) per hundred mentions, −100 to 100"`
}

// ListenTotalsOut are a topic's sums over a period.
type ListenTotalsOut struct {
	Mentions      int64   `json:"mentions"`
	Reach         int64   `json:"reach" doc:"Sum of the known followers of each mention's author"`
	Positive      int64   `json:"positive"`
	Neutral       int64   `json:"neutral"`
	Negative      int64   `json:"negative"`
	NegativeShare float64 `json:"negative_share" doc:"0 to 1"`
}

// ListenKPIsOut are the headline figures against the previous period.
type ListenKPIsOut struct {
	Current  ListenTotalsOut `json:"current"`
	Previous ListenTotalsOut `json:"previous" doc:"The period of the same length just before"`
	// Changes are absent when the previous period had nothing to compare with.
	MentionsChange      *float64 `json:"mentions_change,omitempty" doc:"Relative change, 0.25 for +25 %"`
	ReachChange         *float64 `json:"reach_change,omitempty" doc:"Relative change"`
	NegativeShareChange *float64 `json:"negative_share_change,omitempty" doc:"Change in points of share, 0.05 for five points more"`
}

// ListenShareOut is one topic's share of voice.
type ListenShareOut struct {
	ListenTopicOut
	Mentions int64   `json:"mentions"`
	Share    float64 `json:"share" doc:"0 to 1"`
}

// ListenAuthorOut is one of the top authors.
type ListenAuthorOut struct {
	Network   string `json:"network"`
	Author    string `json:"author"`
	Mentions  int64  `json:"mentions"`
	Followers int64  `json:"followers" doc:"The most seen over the period; -1 unknown"`
	Reach     int64  `json:"reach"`
}

// ListenTermOut is a word or hashtag and the mentions that carry it.
type ListenTermOut struct {
	Term     string `json:"term"`
	Mentions int64  `json:"mentions"`
}

// ListenDashboardOut is a topic's dashboard.
type ListenDashboardOut struct {
	Topics            []ListenTopicOut  `json:"topics"`
	Topic             *ListenTopicOut   `json:"topic,omitempty" doc:"Absent when the workspace has no topic yet"`
	Since             time.Time         `json:"since"`
	Until             time.Time         `json:"until" doc:"Excluded"`
	Granularity       string            `json:"granularity"`
	Timezone          string            `json:"timezone"`
	Series            []ListenPointOut  `json:"series"`
	KPIs              ListenKPIsOut     `json:"kpis"`
	ShareOfVoice      []ListenShareOut  `json:"share_of_voice"`
	TopAuthors        []ListenAuthorOut `json:"top_authors"`
	TopAuthorsByReach []ListenAuthorOut `json:"top_authors_by_reach"`
	TopTerms          []ListenTermOut   `json:"top_terms"`
	TopHashtags       []ListenTermOut   `json:"top_hashtags"`
}

func toTotals(t analysis.Totals) ListenTotalsOut {
	return ListenTotalsOut{Mentions: t.Mentions, Reach: t.Reach, Positive: t.Positive, Neutral: t.Neutral, Negative: t.Negative, NegativeShare: t.NegativeShare()}
}

func optChange(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	return &v
}

func toTopic(t analysis.Topic) ListenTopicOut {
	return ListenTopicOut{ID: t.ID, Name: t.Name, Kind: t.Kind}
}

func toAuthors(as []analysis.Author) []ListenAuthorOut {
	out := []ListenAuthorOut{}
	for _, a := range as {
		out = append(out, ListenAuthorOut{Network: a.Network, Author: a.Author, Mentions: a.Mentions, Followers: a.Followers, Reach: a.Reach})
	}
	return out
}

func toTerms(ts []analysis.Term) []ListenTermOut {
	out := []ListenTermOut{}
	for _, t := range ts {
		out = append(out, ListenTermOut{Term: t.Term, Mentions: t.Mentions})
	}
	return out
}

// ToListenDashboard is the dashboard as the API writes it (the UI embeds the
// same JSON for its charts).
func ToListenDashboard(d analysis.Dashboard) ListenDashboardOut {
	out := ListenDashboardOut{Topics: []ListenTopicOut{}, Since: d.Period.Since, Until: d.Period.Until, Granularity: string(d.Period.Granularity),
		Timezone: d.Workspace.Timezone, Series: []ListenPointOut{}, ShareOfVoice: []ListenShareOut{},
		TopAuthors: toAuthors(d.TopAuthors), TopAuthorsByReach: toAuthors(d.TopAuthorsByReach), TopTerms: toTerms(d.TopTerms), TopHashtags: toTerms(d.TopHashtags)}
	for _, t := range d.Topics {
		out.Topics = append(out.Topics, toTopic(t))
	}
	if d.Topic.ID != 0 {
		t := toTopic(d.Topic)
		out.Topic = &t
	}
	for _, p := range d.Series {
		out.Series = append(out.Series, ListenPointOut{Start: p.Start, Mentions: p.Mentions, Positive: p.Positive, Neutral: p.Neutral, Negative: p.Negative, Reach: p.Reach, Net: p.Net()})
	}
	out.KPIs = ListenKPIsOut{Current: toTotals(d.KPIs.Current), Previous: toTotals(d.KPIs.Previous),
		MentionsChange: optChange(d.KPIs.MentionsChange()), ReachChange: optChange(d.KPIs.ReachChange()), NegativeShareChange: optChange(d.KPIs.NegativeShareChange())}
	for _, s := range d.ShareOfVoice {
		out.ShareOfVoice = append(out.ShareOfVoice, ListenShareOut{ListenTopicOut: toTopic(s.Topic), Mentions: s.Mentions, Share: s.Share})
	}
	return out
}

func (s *server) listenDashboard(ctx context.Context, in *listenDashboardIn) (*body[ListenDashboardOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	q := analysis.Query{TopicID: in.Topic, Granularity: analysis.Granularity(in.Granularity)}
	if q.From, err = parseDay(in.From); err != nil {
		return nil, s.fail(err)
	}
	if q.To, err = parseDay(in.To); err != nil {
		return nil, s.fail(err)
	}
	d, err := s.ListenAnalysis.Dashboard(ctx, u, in.WS, q)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[ListenDashboardOut]{ToListenDashboard(d)}, nil
}

type listenFilterIn struct {
	WS        int64  `path:"ws" doc:"Workspace id"`
	Topic     int64  `query:"topic" doc:"Topic id"`
	Network   string `query:"network" doc:"bluesky, mastodon, rss…"`
	Sentiment string `query:"sentiment" enum:"positive,neutral,negative,"`
	Lang      string `query:"lang" doc:"fr, en…"`
	Author    string `query:"author" doc:"The author's handle, exactly"`
	Q         string `query:"q" maxLength:"200" doc:"Words found in the text, whatever the case"`
	From      string `query:"from" doc:"First day, YYYY-MM-DD in the workspace's time zone"`
	To        string `query:"to" doc:"Last day included, YYYY-MM-DD"`
}

func (in listenFilterIn) filter() (analysis.Filter, error) {
	f := analysis.Filter{TopicID: in.Topic, Network: in.Network, Sentiment: in.Sentiment, Lang: in.Lang, Author: in.Author, Query: in.Q}
	var err error
	if f.From, err = parseDay(in.From); err != nil {
		return f, err
	}
	f.To, err = parseDay(in.To)
	return f, err
}

// listenMentionsIn repeats listenFilterIn's fields: huma reads the
// parameters of the input struct's own fields, not of an embedded one.
type listenMentionsIn struct {
	WS        int64  `path:"ws" doc:"Workspace id"`
	Topic     int64  `query:"topic" doc:"Topic id"`
	Network   string `query:"network" doc:"bluesky, mastodon, rss…"`
	Sentiment string `query:"sentiment" enum:"positive,neutral,negative,"`
	Lang      string `query:"lang" doc:"fr, en…"`
	Author    string `query:"author" doc:"The author's handle, exactly"`
	Q         string `query:"q" maxLength:"200" doc:"Words found in the text, whatever the case"`
	From      string `query:"from" doc:"First day, YYYY-MM-DD in the workspace's time zone"`
	To        string `query:"to" doc:"Last day included, YYYY-MM-DD"`
	Cursor    string `query:"cursor" doc:"next_cursor of the previous page"`
	Limit     int    `query:"limit" minimum:"0" maximum:"200" doc:"Page size, default 50"`
}

// ListenMentionOut is one mention.
type ListenMentionOut struct {
	ID             int64     `json:"id"`
	Network        string    `json:"network"`
	ExternalID     string    `json:"external_id"`
	URL            string    `json:"url,omitempty"`
	Author         string    `json:"author"`
	AuthorName     string    `json:"author_name,omitempty"`
	Followers      int64     `json:"followers" doc:"-1 unknown"`
	Text           string    `json:"text"`
	Lang           string    `json:"lang"`
	Sentiment      string    `json:"sentiment"`
	SentimentScore float64   `json:"sentiment_score"`
	PostedAt       time.Time `json:"posted_at"`
}

// ListenMentionsOut is one page of mentions.
type ListenMentionsOut struct {
	Mentions   []ListenMentionOut `json:"mentions"`
	NextCursor string             `json:"next_cursor,omitempty" doc:"Absent on the last page"`
}

func (s *server) listenMentions(ctx context.Context, in *listenMentionsIn) (*body[ListenMentionsOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	f, err := listenFilterIn{in.WS, in.Topic, in.Network, in.Sentiment, in.Lang, in.Author, in.Q, in.From, in.To}.filter()
	if err != nil {
		return nil, s.fail(err)
	}
	f.Cursor, f.Limit = in.Cursor, in.Limit
	p, err := s.ListenAnalysis.Mentions(ctx, u, in.WS, f)
	if err != nil {
		return nil, s.fail(err)
	}
	out := ListenMentionsOut{Mentions: []ListenMentionOut{}, NextCursor: p.Next}
	for _, m := range p.Mentions {
		out.Mentions = append(out.Mentions, ListenMentionOut{ID: m.ID, Network: m.Network, ExternalID: m.ExternalID, URL: m.URL, Author: m.Author,
			AuthorName: m.AuthorName, Followers: m.Followers, Text: m.Text, Lang: m.Lang, Sentiment: m.Sentiment, SentimentScore: m.SentimentScore, PostedAt: m.PostedAt})
	}
	return &body[ListenMentionsOut]{out}, nil
}

func (s *server) listenMentionsCSV(ctx context.Context, in *listenFilterIn) (*huma.StreamResponse, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	f, err := in.filter()
	if err != nil {
		return nil, s.fail(err)
	}
	// Check access and filters before the first byte: once the stream has
	// begun, an error can only cut it short.
	if _, err := s.ListenAnalysis.Mentions(ctx, u, in.WS, analysis.Filter{TopicID: f.TopicID, Sentiment: f.Sentiment, From: f.From, To: f.To, Limit: 1}); err != nil {
		return nil, s.fail(err)
	}
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		hc.SetHeader("Content-Type", "text/csv; charset=utf-8")
		hc.SetHeader("Content-Disposition", `attachment; filename="tribune-mentions.csv"`)
		if err := s.ListenAnalysis.ExportCSV(hc.Context(), u, in.WS, f, hc.BodyWriter()); err != nil {
			s.Log.Error("api: mention export cut short", "err", err)
		}
	}}, nil
}
