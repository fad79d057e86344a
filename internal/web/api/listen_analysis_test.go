package api_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/analysis/analysistest"
)

// The listening dashboard, the mention list and its CSV export through the
// API, read by an analyst: figures on a small fixture (the service's own
// tests check them in depth on both databases), pages by cursor, a
// streamed export with formulas neutralised, and clear errors.
func TestListenAnalysisThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	analyst := env.Token(t, env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst))
	brand, err := analysistest.Topic(ctx, env.Store, ws.ID, "Marque", "brand")
	if err != nil {
		t.Fatal(err)
	}
	rival, err := analysistest.Topic(ctx, env.Store, ws.ID, "Rival", "competitor")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2).Add(10 * time.Hour)
	for i := 0; i < 3; i++ {
		text := fmt.Sprintf("Livraison %d #colis", i)
		if i == 2 {
			text = "=HYPERLINK(\"http://evil.test\")"
		}
		if _, err := analysistest.Add(ctx, env.Store, ws.ID, analysistest.Mention{Topics: []int64{brand}, Author: "alice", Followers: 10, Sentiment: "negative",
			At: day.Add(time.Duration(i) * time.Minute), Text: text, Terms: []string{"livraison", "#colis"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := analysistest.Add(ctx, env.Store, ws.ID, analysistest.Mention{Topics: []int64{rival}, At: day, Text: "rival"}); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/api/v1/workspaces/%d/listen/", ws.ID)

	d := decode[struct {
		Topic struct {
			Name string `json:"name"`
		} `json:"topic"`
		Granularity string `json:"granularity"`
		Series      []struct {
			Mentions int64   `json:"mentions"`
			Net      float64 `json:"net_sentiment"`
		} `json:"series"`
		KPIs struct {
			Current struct {
				Mentions      int64   `json:"mentions"`
				Reach         int64   `json:"reach"`
				NegativeShare float64 `json:"negative_share"`
			} `json:"current"`
			MentionsChange *float64 `json:"mentions_change"`
		} `json:"kpis"`
		Share []struct {
			Name  string  `json:"name"`
			Share float64 `json:"share"`
		} `json:"share_of_voice"`
		Hashtags []struct {
			Term     string `json:"term"`
			Mentions int64  `json:"mentions"`
		} `json:"top_hashtags"`
	}](t, env.Do(t, analyst, http.MethodGet, base+"dashboard?granularity=day", nil))
	if d.Topic.Name != "Marque" || d.Granularity != "day" || len(d.Series) != 30 {
		t.Errorf("topic %q, %s, %d points; want Marque by day over 30 days", d.Topic.Name, d.Granularity, len(d.Series))
	}
	if d.KPIs.Current.Mentions != 3 || d.KPIs.Current.Reach != 30 || d.KPIs.Current.NegativeShare != 1 || d.KPIs.MentionsChange != nil {
		t.Errorf("KPIs %+v, want 3 mentions, reach 30, all negative, no change without a previous period", d.KPIs)
	}
	if len(d.Share) != 2 || d.Share[0].Name != "Marque" || math.Abs(d.Share[0].Share-0.75) > 1e-9 {
		t.Errorf("share of voice %+v, want Marque 75 %%", d.Share)
	}
	if len(d.Hashtags) != 1 || d.Hashtags[0].Term != "#colis" || d.Hashtags[0].Mentions != 3 {
		t.Errorf("hashtags %+v", d.Hashtags)
	}

	type page struct {
		Mentions []struct {
			Text string `json:"text"`
		} `json:"mentions"`
		Next string `json:"next_cursor"`
	}
	p1 := decode[page](t, env.Do(t, analyst, http.MethodGet, fmt.Sprintf("%smentions?topic=%d&limit=2", base, brand), nil))
	if len(p1.Mentions) != 2 || p1.Next == "" {
		t.Fatalf("first page %+v", p1)
	}
	p2 := decode[page](t, env.Do(t, analyst, http.MethodGet, fmt.Sprintf("%smentions?topic=%d&limit=2&cursor=%s", base, brand, p1.Next), nil))
	if len(p2.Mentions) != 1 || p2.Next != "" || p2.Mentions[0].Text != "Livraison 0 #colis" {
		t.Errorf("second page %+v", p2)
	}

	r := env.Do(t, analyst, http.MethodGet, base+"mentions.csv?q=hyperlink", nil)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(r.Body).ReadAll()
	r.Body.Close()
	if err != nil || len(recs) != 2 || !strings.HasPrefix(recs[1][9], "'=HYPERLINK") {
		t.Errorf("export %q %v, want one row whose formula is neutralised", recs, err)
	}

	for _, c := range []struct{ path, code string }{
		{"dashboard?granularity=hour&from=2026-01-01&to=2026-06-01", "hour_range_too_long"},
		{"dashboard?from=tuesday", "invalid_range"},
		{"mentions?cursor=garbage", "invalid_cursor"},
		{"mentions.csv?to=2026-13-45", "invalid_range"},
		{"mentions.csv?topic=999999", "topic_not_found"},
	} {
		r := env.Do(t, analyst, http.MethodGet, base+c.path, nil)
		raw, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode < 400 || r.StatusCode >= 500 || !strings.Contains(string(raw), c.code) {
			t.Errorf("%s: %d %s, want %s", c.path, r.StatusCode, raw, c.code)
		}
	}
}
