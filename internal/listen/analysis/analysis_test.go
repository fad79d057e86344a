package analysis_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/analysis"
	"github.com/tribune-social/tribune/internal/listen/analysis/analysistest"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fixture is the known data set every figure is checked against: a
// workspace in UTC with a brand, two competitors and an industry topic;
// the period is 1–10 November 2026, the previous one 22–31 October.
//
// Brand, current period (6): alice ×3 (100 followers, positive), bob
// (unknown followers, neutral), carol (50, negative), dave (200, negative).
// Brand, previous period (4, one negative). Brand outside both: one on
// 11 November at midnight, one on 21 October at 23:59.
// Rival 3, Rival2 1, Industry 10 in the current period.
type fixture struct {
	st                      store.Store
	s                       *analysis.Service
	owner, stranger         store.User
	ws, other               store.Workspace
	brand, rival, rival2    int64
	industry, strangerTopic int64
}

func newFixture(t *testing.T, st store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: st}
	f.s = &analysis.Service{Store: st, Auth: &auth.Service{Store: st}, Now: func() time.Time { return at("2026-11-10T15:00:00Z") }}
	mk := func(name string) (store.User, store.Workspace) {
		o, err := st.CreateOrganization(ctx, store.CreateOrganizationParams{Name: name, CreatedAt: time.Now()})
		must(t, err)
		u, err := st.CreateUser(ctx, store.CreateUserParams{OrganizationID: o.ID, Email: name + "@example.test", Name: name, PasswordHash: "x", OrgRole: "owner", Locale: "en", CreatedAt: time.Now()})
		must(t, err)
		ws, err := st.CreateWorkspace(ctx, store.CreateWorkspaceParams{OrganizationID: o.ID, Name: name, Timezone: "UTC", DuplicateWindowHours: 24, IcalTokenHash: "ical-" + name + t.Name(), CreatedAt: time.Now()})
		must(t, err)
		return u, ws
	}
	f.owner, f.ws = mk("owner")
	f.stranger, f.other = mk("stranger")
	topic := func(ws int64, name, kind string) int64 {
		id, err := analysistest.Topic(ctx, st, ws, name, kind)
		must(t, err)
		return id
	}
	f.brand = topic(f.ws.ID, "Brand", "brand")
	f.rival = topic(f.ws.ID, "Rival", "competitor")
	f.rival2 = topic(f.ws.ID, "Rival2", "competitor")
	f.industry = topic(f.ws.ID, "Industry", "industry")
	f.strangerTopic = topic(f.other.ID, "Theirs", "brand")
	add := func(m analysistest.Mention) {
		_, err := analysistest.Add(ctx, st, f.ws.ID, m)
		must(t, err)
	}
	b := []int64{f.brand}
	add(analysistest.Mention{Topics: b, Author: "alice", Followers: 100, Sentiment: "positive", At: at("2026-11-01T00:00:00Z"), Text: "Le prix est juste", Terms: []string{"prix", "#soldes"}})
	add(analysistest.Mention{Topics: b, Author: "alice", Followers: 100, Sentiment: "positive", At: at("2026-11-01T10:30:00Z"), Text: "Encore le prix", Terms: []string{"prix"}})
	add(analysistest.Mention{Topics: b, Author: "alice", Followers: 100, Sentiment: "positive", At: at("2026-11-03T08:00:00Z"), Text: "=HYPERLINK(\"http://evil.test\",\"prix\")", Terms: []string{"prix", "#soldes"}})
	add(analysistest.Mention{Topics: b, Author: "bob", Sentiment: "neutral", At: at("2026-11-05T12:00:00Z"), Text: "Une livraison", Terms: []string{"livraison", "#noel"}, Lang: "en"})
	add(analysistest.Mention{Topics: b, Author: "carol", Followers: 50, Sentiment: "negative", At: at("2026-11-07T09:00:00Z"), Text: "Livraison en retard", Terms: []string{"livraison"}, Network: "mastodon"})
	add(analysistest.Mention{Topics: append(b, f.rival), Author: "dave", Followers: 200, Sentiment: "negative", At: at("2026-11-10T23:59:00Z"), Text: "Pire que Rival", Terms: []string{"pire"}})
	// Outside the period, on both sides.
	add(analysistest.Mention{Topics: b, Author: "zoe", Followers: 9999, Sentiment: "negative", At: at("2026-11-11T00:00:00Z"), Text: "demain", Terms: []string{"demain"}})
	add(analysistest.Mention{Topics: b, Author: "zoe", Followers: 9999, Sentiment: "negative", At: at("2026-10-21T23:59:00Z"), Text: "avant", Terms: []string{"avant"}})
	// The previous period: four mentions, one negative.
	for i, s := range []string{"positive", "neutral", "neutral", "negative"} {
		add(analysistest.Mention{Topics: b, Author: "eve", Followers: 10, Sentiment: s, At: at("2026-10-22T00:00:00Z").Add(time.Duration(i) * 49 * time.Hour), Text: "avant"})
	}
	for i := 0; i < 2; i++ {
		add(analysistest.Mention{Topics: []int64{f.rival}, Author: "rivalfan", At: at("2026-11-02T00:00:00Z").Add(time.Duration(i) * time.Hour), Text: "rival"})
	}
	add(analysistest.Mention{Topics: []int64{f.rival2}, At: at("2026-11-04T00:00:00Z"), Text: "rival2"})
	for i := 0; i < 10; i++ {
		add(analysistest.Mention{Topics: []int64{f.industry}, At: at("2026-11-04T00:00:00Z").Add(time.Duration(i) * time.Minute), Text: "secteur"})
	}
	// The stranger's workspace says a lot, and none of it may leak.
	for i := 0; i < 5; i++ {
		_, err := analysistest.Add(ctx, st, f.other.ID, analysistest.Mention{Topics: []int64{f.strangerTopic}, Author: "alice", Followers: 5, At: at("2026-11-02T00:00:00Z"), Text: "le prix ailleurs", Terms: []string{"prix"}})
		must(t, err)
	}
	return f
}

var period = analysis.Query{From: day("2026-11-01"), To: day("2026-11-10"), Granularity: analysis.Day}

func TestDashboardFigures(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		ctx := context.Background()
		q := period
		q.TopicID = f.brand
		d, err := f.s.Dashboard(ctx, f.owner, f.ws.ID, q)
		must(t, err)

		t.Run("kpis", func(t *testing.T) {
			want := analysis.Totals{Mentions: 6, Reach: 550, Positive: 3, Neutral: 1, Negative: 2}
			if d.KPIs.Current != want {
				t.Errorf("current = %+v, want %+v", d.KPIs.Current, want)
			}
			wantPrev := analysis.Totals{Mentions: 4, Reach: 40, Positive: 1, Neutral: 2, Negative: 1}
			if d.KPIs.Previous != wantPrev {
				t.Errorf("previous = %+v, want %+v", d.KPIs.Previous, wantPrev)
			}
			if c, ok := d.KPIs.MentionsChange(); !ok || math.Abs(c-0.5) > 1e-9 {
				t.Errorf("mentions change = %v %v, want +50%%", c, ok)
			}
			if c, ok := d.KPIs.NegativeShareChange(); !ok || math.Abs(c-(2.0/6-1.0/4)) > 1e-9 {
				t.Errorf("negative share change = %v %v, want %v", c, ok, 2.0/6-1.0/4)
			}
		})

		t.Run("series", func(t *testing.T) {
			if len(d.Series) != 10 {
				t.Fatalf("%d buckets, want 10 days", len(d.Series))
			}
			want := map[string]int64{"2026-11-01": 2, "2026-11-03": 1, "2026-11-05": 1, "2026-11-07": 1, "2026-11-10": 1}
			var sum int64
			for _, p := range d.Series {
				if got := p.Mentions; got != want[p.Start.Format(time.DateOnly)] {
					t.Errorf("%s: %d mentions, want %d", p.Start.Format(time.DateOnly), got, want[p.Start.Format(time.DateOnly)])
				}
				sum += p.Mentions
			}
			if sum != d.KPIs.Current.Mentions {
				t.Errorf("series sums to %d, KPIs say %d", sum, d.KPIs.Current.Mentions)
			}
			if got := d.Series[9].Net(); got != -100 {
				t.Errorf("net sentiment of 10 November = %v, want -100", got)
			}
		})

		t.Run("share of voice", func(t *testing.T) {
			type sv struct {
				name string
				n    int64
				s    float64
			}
			var got []sv
			for _, s := range d.ShareOfVoice {
				got = append(got, sv{s.Name, s.Mentions, math.Round(s.Share*1000) / 1000})
			}
			want := []sv{{"Brand", 6, 0.6}, {"Rival", 3, 0.3}, {"Rival2", 1, 0.1}}
			if len(got) != len(want) {
				t.Fatalf("share of voice = %+v, want %+v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("share of voice = %+v, want %+v", got, want)
				}
			}
		})

		t.Run("top terms and hashtags", func(t *testing.T) {
			wantTerms := []analysis.Term{{Term: "prix", Mentions: 3}, {Term: "livraison", Mentions: 2}, {Term: "pire", Mentions: 1}}
			if !equalTerms(d.TopTerms, wantTerms) {
				t.Errorf("terms = %+v, want %+v", d.TopTerms, wantTerms)
			}
			wantTags := []analysis.Term{{Term: "#soldes", Mentions: 2}, {Term: "#noel", Mentions: 1}}
			if !equalTerms(d.TopHashtags, wantTags) {
				t.Errorf("hashtags = %+v, want %+v", d.TopHashtags, wantTags)
			}
		})

		t.Run("top authors", func(t *testing.T) {
			if len(d.TopAuthors) != 4 || d.TopAuthors[0].Author != "alice" || d.TopAuthors[0].Mentions != 3 || d.TopAuthors[0].Reach != 300 {
				t.Errorf("top authors = %+v, want alice first with 3 mentions and a reach of 300, four authors", d.TopAuthors)
			}
			var names []string
			for _, a := range d.TopAuthorsByReach {
				names = append(names, a.Author)
			}
			if got, want := strings.Join(names, ","), "alice,dave,carol"; got != want {
				t.Errorf("by reach = %s, want %s (bob's followers are unknown)", got, want)
			}
		})

		t.Run("week and hour granularity", func(t *testing.T) {
			q := period
			q.TopicID, q.Granularity = f.brand, analysis.Week
			w, err := f.s.Dashboard(ctx, f.owner, f.ws.ID, q)
			must(t, err)
			// 1 November 2026 is a Sunday: its week starts on Monday 26 October.
			if len(w.Series) != 3 || w.Series[0].Start.Format(time.DateOnly) != "2026-10-26" || w.Series[0].Mentions != 2 || w.Series[1].Mentions != 3 || w.Series[2].Mentions != 1 {
				t.Errorf("weeks = %+v", w.Series)
			}
			q.Granularity = analysis.Hour
			h, err := f.s.Dashboard(ctx, f.owner, f.ws.ID, q)
			must(t, err)
			if len(h.Series) != 240 || h.Series[10].Mentions != 1 {
				t.Errorf("%d hours, 10:00 on 1 November has %d", len(h.Series), h.Series[10].Mentions)
			}
		})

		t.Run("bad input", func(t *testing.T) {
			for name, q := range map[string]analysis.Query{
				"granularity": {Granularity: "month"},
				"range":       {From: day("2026-11-10"), To: day("2026-11-01")},
				"hours":       {From: day("2026-01-01"), To: day("2026-11-01"), Granularity: analysis.Hour},
				"topic":       {TopicID: f.strangerTopic},
			} {
				_, err := f.s.Dashboard(ctx, f.owner, f.ws.ID, q)
				var pe *problem.Error
				if !errors.As(err, &pe) || pe.Status < 400 || pe.Status >= 500 {
					t.Errorf("%s: err = %v, want a client problem", name, err)
				}
			}
		})

		t.Run("another workspace", func(t *testing.T) {
			if _, err := f.s.Dashboard(ctx, f.stranger, f.ws.ID, period); !errors.Is(err, problem.Forbidden) {
				t.Errorf("stranger's dashboard: %v, want forbidden", err)
			}
			if _, err := f.s.Mentions(ctx, f.stranger, f.ws.ID, analysis.Filter{}); !errors.Is(err, problem.Forbidden) {
				t.Errorf("stranger's list: %v, want forbidden", err)
			}
			if err := f.s.ExportCSV(ctx, f.stranger, f.ws.ID, analysis.Filter{}, &bytes.Buffer{}); !errors.Is(err, problem.Forbidden) {
				t.Errorf("stranger's export: %v, want forbidden", err)
			}
		})
	})
}

// The dashboard counts from the rollups alone: mentions the retention has
// removed (their rollups stay) are still in every figure, and the mention
// list, which reads mentions, no longer shows them.
func TestDashboardCountsFromRollupsOnly(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		ctx := context.Background()
		for i := 0; i < 4; i++ {
			_, err := analysistest.Add(ctx, st, f.ws.ID, analysistest.Mention{Topics: []int64{f.rival2}, Author: "ghost", Followers: 10, Sentiment: "negative",
				At: at("2026-11-08T12:00:00Z"), Terms: []string{"#fantome"}, RollupsOnly: true})
			must(t, err)
		}
		q := period
		q.TopicID = f.rival2
		d, err := f.s.Dashboard(ctx, f.owner, f.ws.ID, q)
		must(t, err)
		if got := d.KPIs.Current; got.Mentions != 5 || got.Negative != 4 || got.Reach != 40 {
			t.Errorf("KPIs %+v, want 5 mentions (4 only in the rollups), 4 negative, reach 40", got)
		}
		if len(d.TopHashtags) != 1 || d.TopHashtags[0] != (analysis.Term{Term: "#fantome", Mentions: 4}) {
			t.Errorf("hashtags %+v", d.TopHashtags)
		}
		if len(d.TopAuthors) == 0 || d.TopAuthors[0].Author != "ghost" || d.TopAuthors[0].Mentions != 4 {
			t.Errorf("top authors %+v, want ghost first with 4", d.TopAuthors)
		}
		p, err := f.s.Mentions(ctx, f.owner, f.ws.ID, analysis.Filter{TopicID: f.rival2})
		must(t, err)
		if len(p.Mentions) != 1 {
			t.Errorf("the list shows %d mentions of Rival2, want the 1 stored", len(p.Mentions))
		}
	})
}

func equalTerms(a, b []analysis.Term) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMentionList(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		ctx := context.Background()
		list := func(fl analysis.Filter) []analysis.Mention {
			t.Helper()
			p, err := f.s.Mentions(ctx, f.owner, f.ws.ID, fl)
			must(t, err)
			return p.Mentions
		}
		texts := func(ms []analysis.Mention) string {
			var s []string
			for _, m := range ms {
				s = append(s, m.Text)
			}
			return strings.Join(s, "|")
		}
		brand := analysis.Filter{TopicID: f.brand, From: day("2026-11-01"), To: day("2026-11-10")}

		t.Run("keyset pages", func(t *testing.T) {
			fl := brand
			fl.Limit = 4
			var all []analysis.Mention
			for i := 0; ; i++ {
				p, err := f.s.Mentions(ctx, f.owner, f.ws.ID, fl)
				must(t, err)
				all = append(all, p.Mentions...)
				if p.Next == "" {
					break
				}
				if i > 5 {
					t.Fatal("the pages never end")
				}
				fl.Cursor = p.Next
			}
			if len(all) != 6 {
				t.Fatalf("%d mentions over the pages, want 6: %s", len(all), texts(all))
			}
			for i := 1; i < len(all); i++ {
				if !all[i].PostedAt.Before(all[i-1].PostedAt) {
					t.Errorf("not newest first at %d: %s", i, texts(all))
				}
			}
		})

		cases := []struct {
			name string
			f    func(*analysis.Filter)
			want string
		}{
			{"sentiment", func(fl *analysis.Filter) { fl.Sentiment = "negative" }, "Pire que Rival|Livraison en retard"},
			{"network", func(fl *analysis.Filter) { fl.Network = "mastodon" }, "Livraison en retard"},
			{"language", func(fl *analysis.Filter) { fl.Lang = "en" }, "Une livraison"},
			{"author", func(fl *analysis.Filter) { fl.Author = "carol" }, "Livraison en retard"},
			{"text, any case", func(fl *analysis.Filter) { fl.Query = "LIVRAISON" }, "Livraison en retard|Une livraison"},
			{"competitor topic", func(fl *analysis.Filter) { fl.TopicID = f.rival }, "Pire que Rival|rival|rival"},
			{"one day", func(fl *analysis.Filter) { fl.From, fl.To = day("2026-11-01"), day("2026-11-01") }, "Encore le prix|Le prix est juste"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				fl := brand
				c.f(&fl)
				if got := texts(list(fl)); got != c.want {
					t.Errorf("got %q, want %q", got, c.want)
				}
			})
		}
		t.Run("no other workspace's mentions", func(t *testing.T) {
			if got := texts(list(analysis.Filter{Query: "ailleurs"})); got != "" {
				t.Errorf("got %q from another workspace", got)
			}
			if _, err := f.s.Mentions(ctx, f.owner, f.ws.ID, analysis.Filter{TopicID: f.strangerTopic}); err == nil {
				t.Error("another workspace's topic was accepted as a filter")
			}
		})
		t.Run("bad filters", func(t *testing.T) {
			for name, fl := range map[string]analysis.Filter{"sentiment": {Sentiment: "angry"}, "cursor": {Cursor: "nope"}, "range": {From: day("2026-11-05"), To: day("2026-11-01")}} {
				var pe *problem.Error
				if _, err := f.s.Mentions(ctx, f.owner, f.ws.ID, fl); !errors.As(err, &pe) || pe.Status != 422 {
					t.Errorf("%s: %v, want 422", name, err)
				}
			}
		})
	})
}

func TestExportCSV(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		ctx := context.Background()
		// More mentions than one chunk of the export's reads, all at the
		// same instant: the keyset must still visit each exactly once.
		for i := 0; i < 1203; i++ {
			_, err := analysistest.Add(ctx, st, f.ws.ID, analysistest.Mention{Topics: []int64{f.rival2}, Author: "bulk", At: at("2026-11-06T06:00:00Z"), Text: "bulk"})
			must(t, err)
		}
		var buf bytes.Buffer
		must(t, f.s.ExportCSV(ctx, f.owner, f.ws.ID, analysis.Filter{From: day("2026-11-01"), To: day("2026-11-10")}, &buf))
		recs, err := csv.NewReader(&buf).ReadAll()
		must(t, err)
		if got, want := strings.Join(recs[0], ","), strings.Join(analysis.CSVHeader, ","); got != want {
			t.Errorf("header %s, want %s", got, want)
		}
		// 6 brand (one also Rival), 2 rival, 1 + 1203 rival2, 10 industry.
		if got := len(recs) - 1; got != 6+2+1+1203+10 {
			t.Errorf("%d rows, want %d", got, 6+2+1+1203+10)
		}
		seen := map[string]bool{}
		for _, r := range recs[1:] {
			if strings.HasPrefix(r[9], "=") {
				t.Errorf("a formula reached the export: %q", r[9])
			}
			if strings.HasPrefix(r[9], "'=HYPERLINK") {
				seen["neutralised"] = true
			}
		}
		if !seen["neutralised"] {
			t.Error("the =HYPERLINK mention is missing from the export")
		}
		var bad bytes.Buffer
		if err := f.s.ExportCSV(ctx, f.owner, f.ws.ID, analysis.Filter{Sentiment: "angry"}, &bad); err == nil || bad.Len() != 0 {
			t.Errorf("a bad filter: err %v and %d bytes written, want an error before any byte", err, bad.Len())
		}
	})
}
