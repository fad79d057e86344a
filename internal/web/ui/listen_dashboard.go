package ui

import (
	"fmt"
	"github.com/tribune-social/tribune/internal/store"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/analysis"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/web/i18n"
	"github.com/tribune-social/tribune/internal/web/static"
)

// The listening dashboard of a topic and the mention list with its CSV
// export (issue 15 §3). Reading takes View, checked by the analysis
// service. The charts are drawn by ECharts (vendored) from JSON the page
// carries; each has a sentence and a table that say the same without it.

var errListenDay = problem.New(http.StatusUnprocessableEntity, "invalid_date", "Dates are written YYYY-MM-DD.")

// formDay reads an optional YYYY-MM-DD field.
func listenDay(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return t, errListenDay
	}
	return t, nil
}

type listenDashboardData struct {
	WS        store.Workspace
	D         analysis.Dashboard
	From, To  string // the form's values: the period's first and last day
	Chart     listenChart
	Scripts   []string
	CSVURL    string
	Mentions  string // the mention list with the same topic and period
	CanExport bool
}

// listenChart is what listen_dashboard.js draws: the figures and the
// words around them in the reader's language.
type listenChart struct {
	Lang        string            `json:"lang"`
	Granularity string            `json:"granularity"`
	Labels      map[string]string `json:"labels"`
	Times       []string          `json:"times"`
	Mentions    []int64           `json:"mentions"`
	Positive    []int64           `json:"positive"`
	Neutral     []int64           `json:"neutral"`
	Negative    []int64           `json:"negative"`
	Net         []float64         `json:"net"`
	Share       []listenChartPart `json:"share"`
	Terms       []listenChartPart `json:"terms"`
	Hashtags    []listenChartPart `json:"hashtags"`
}

type listenChartPart struct {
	Name  string `json:"name"`
	Value int64  `json:"value"`
}

func (u *ui) listenDashboard(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	q := analysis.Query{Granularity: analysis.Granularity(r.FormValue("granularity"))}
	if v := r.FormValue("topic"); v != "" {
		if q.TopicID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return problem.NotFound
		}
	}
	if q.From, err = listenDay(r.FormValue("from")); err != nil {
		return err
	}
	if q.To, err = listenDay(r.FormValue("to")); err != nil {
		return err
	}
	d, err := u.ListenAnalysis.Dashboard(r.Context(), currentUser(r), ws.ID, q)
	if err != nil {
		return err
	}
	l := u.loc(r)
	last := d.Period.Until.In(d.Period.Location).AddDate(0, 0, -1)
	data := listenDashboardData{WS: ws, D: d, From: d.Period.Since.In(d.Period.Location).Format(time.DateOnly), To: last.Format(time.DateOnly),
		Chart: listenChartOf(l, d), Scripts: []string{u.assets.URL(static.ECharts)}}
	if l.Lang() == "fr" {
		data.Scripts = append(data.Scripts, u.assets.URL(static.EChartsFrench))
	}
	data.Scripts = append(data.Scripts, u.assets.URL("listen_dashboard.js"))
	v := url.Values{"from": {data.From}, "to": {data.To}}
	if d.Topic.ID != 0 {
		v.Set("topic", itoa(d.Topic.ID))
	}
	data.Mentions = "/w/" + itoa(ws.ID) + "/listen/mentions?" + v.Encode()
	return u.render(w, r, u.pageData(r, &ws, l.T("Listening dashboard"), listenNav), listenDashboardPage(l, data))
}

func listenChartOf(l *i18n.Localizer, d analysis.Dashboard) listenChart {
	c := listenChart{Lang: l.Lang(), Granularity: string(d.Period.Granularity), Labels: map[string]string{
		"mentions": l.T("Mentions"), "positive": l.T("Positive"), "neutral": l.T("Neutral"), "negative": l.T("Negative"),
		"net": l.T("Net sentiment"), "share": l.T("Share of voice"), "terms": l.T("Top terms"), "hashtags": l.T("Top hashtags"),
	}}
	for _, p := range d.Series {
		c.Times = append(c.Times, listenBucket(l, d.Period, p.Start))
		c.Mentions = append(c.Mentions, p.Mentions)
		c.Positive = append(c.Positive, p.Positive)
		c.Neutral = append(c.Neutral, p.Neutral)
		c.Negative = append(c.Negative, p.Negative)
		c.Net = append(c.Net, math.Round(p.Net()*10)/10)
	}
	for _, s := range d.ShareOfVoice {
		c.Share = append(c.Share, listenChartPart{s.Name, s.Mentions})
	}
	for _, t := range d.TopTerms {
		c.Terms = append(c.Terms, listenChartPart{t.Term, t.Mentions})
	}
	for _, t := range d.TopHashtags {
		c.Hashtags = append(c.Hashtags, listenChartPart{t.Term, t.Mentions})
	}
	return c
}

// bucketLabel names a bucket as the axis and the tables show it.
func listenBucket(l *i18n.Localizer, p analysis.Period, t time.Time) string {
	t = t.In(p.Location)
	fr := l.Lang() == "fr"
	switch {
	case p.Granularity == analysis.Hour && fr:
		return t.Format("02/01 15h")
	case p.Granularity == analysis.Hour:
		return t.Format("Jan 2 15:04")
	case p.Granularity == analysis.Week && fr:
		return l.T("week of %s", t.Format("02/01/2006"))
	case p.Granularity == analysis.Week:
		return l.T("week of %s", t.Format("2006-01-02"))
	case fr:
		return t.Format("02/01/2006")
	}
	return t.Format("2006-01-02")
}

// number writes n as the language groups digits: 10 000 000 or 10,000,000.
func listenNumber(l *i18n.Localizer, n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	if l.Lang() == "fr" {
		sep = "\u202f" // narrow no-break space, as French typography groups digits
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// percent writes a share (0 to 1) as a percentage with one decimal.
func listenPercent(l *i18n.Localizer, v float64) string {
	s := strconv.FormatFloat(v*100, 'f', 1, 64)
	if l.Lang() == "fr" {
		return strings.Replace(s, ".", ",", 1) + "\u202f%"
	}
	return s + "%"
}

// change writes a change against the previous period: "+25.0%", or for
// points "+5.0 pts"; "—" with nothing to compare.
func listenChange(l *i18n.Localizer, v float64, ok, points bool) string {
	if !ok {
		return "—"
	}
	sign := "+"
	if v < 0 {
		sign = "−"
		v = -v
	}
	if points {
		s := strconv.FormatFloat(v*100, 'f', 1, 64)
		if l.Lang() == "fr" {
			s = strings.Replace(s, ".", ",", 1)
		}
		return sign + l.T("%s pts", s)
	}
	return sign + listenPercent(l, v)
}

// netLabel writes a net sentiment (−100 to 100) with its sign.
func listenNet(p analysis.Point) string {
	n := math.Round(p.Net())
	if n > 0 {
		return fmt.Sprintf("+%.0f", n)
	}
	return fmt.Sprintf("%.0f", n)
}

// peak is the bucket with the most mentions (the first of equals).
func listenPeak(ps []analysis.Point) analysis.Point {
	var best analysis.Point
	for _, p := range ps {
		if p.Mentions > best.Mentions {
			best = p
		}
	}
	return best
}

func listenGranularityLabel(g analysis.Granularity) string {
	switch g {
	case analysis.Hour:
		return "By hour"
	case analysis.Week:
		return "By week"
	}
	return "By day"
}

func listenKindLabel(k string) string {
	switch k {
	case "brand":
		return "Brand"
	case "competitor":
		return "Competitor"
	case "product":
		return "Product"
	case "industry":
		return "Industry"
	}
	return "Other"
}

// ---- mentions

type listenMentionsData struct {
	WS       store.Workspace
	WSID     int64
	Page     analysis.MentionPage
	Values   url.Values // the filters as the form shows them
	Location *time.Location
	NextURL  string
	CSVURL   string
}

func (u *ui) listenFilter(r *http.Request) (analysis.Filter, url.Values, error) {
	f := analysis.Filter{Network: r.FormValue("network"), Sentiment: r.FormValue("sentiment"), Lang: r.FormValue("lang"),
		Author: r.FormValue("author"), Query: r.FormValue("q")}
	var err error
	if v := r.FormValue("topic"); v != "" {
		if f.TopicID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return f, nil, problem.NotFound
		}
	}
	if f.From, err = listenDay(r.FormValue("from")); err != nil {
		return f, nil, err
	}
	if f.To, err = listenDay(r.FormValue("to")); err != nil {
		return f, nil, err
	}
	vals := url.Values{}
	for _, k := range []string{"topic", "network", "sentiment", "lang", "author", "q", "from", "to"} {
		if v := strings.TrimSpace(r.FormValue(k)); v != "" {
			vals.Set(k, v)
		}
	}
	return f, vals, nil
}

func (u *ui) listenMentions(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	f, vals, err := u.listenFilter(r)
	if err != nil {
		return err
	}
	f.Cursor = r.FormValue("cursor")
	p, err := u.ListenAnalysis.Mentions(r.Context(), currentUser(r), ws.ID, f)
	if err != nil {
		return err
	}
	base := "/w/" + itoa(ws.ID) + "/listen/mentions"
	d := listenMentionsData{WS: ws, WSID: ws.ID, Page: p, Values: vals, Location: listenLocation(ws.Timezone), CSVURL: base + ".csv?" + vals.Encode()}
	if p.Next != "" {
		next := url.Values{}
		for k, v := range vals {
			next[k] = v
		}
		next.Set("cursor", p.Next)
		d.NextURL = base + "?" + next.Encode()
	}
	l := u.loc(r)
	return u.render(w, r, u.pageData(r, &ws, l.T("Mentions"), listenNav), listenMentionsPage(l, d))
}

func (u *ui) listenMentionsCSV(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	f, _, err := u.listenFilter(r)
	if err != nil {
		return err
	}
	// Access and filters are checked before the first byte: once the
	// stream has begun an error can only cut it short.
	if _, err := u.ListenAnalysis.Mentions(r.Context(), currentUser(r), ws.ID, analysis.Filter{TopicID: f.TopicID, Sentiment: f.Sentiment, From: f.From, To: f.To, Limit: 1}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tribune-mentions.csv"`)
	if err := u.ListenAnalysis.ExportCSV(r.Context(), currentUser(r), ws.ID, f, w); err != nil {
		u.Log.Error("ui: mention export cut short", "err", err)
	}
	return nil
}

func listenLocation(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}
