package ui_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/analysis/analysistest"
)

// The listening dashboard and mention list as a French analyst reads them
// without JavaScript: the KPIs, the tables that stand for the charts, the
// chart data the script draws from and the vendored ECharts; the list's
// filters and pages; the CSV export; a clear error for a bad period.
func TestListenDashboardPages(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst)
	b := signInAs(t, env, "analyst@example.test")
	if status, body := b.post("/settings/language", url.Values{"lang": {"fr"}}); status != http.StatusOK {
		t.Fatalf("choose French: %d %.200s", status, body)
	}
	brand, err := analysistest.Topic(ctx, env.Store, ws.ID, "Marque", "brand")
	if err != nil {
		t.Fatal(err)
	}
	rival, err := analysistest.Topic(ctx, env.Store, ws.ID, "Rival", "competitor")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3).Add(9 * time.Hour)
	for i := 0; i < 55; i++ {
		s := []string{"positive", "neutral", "negative"}[i%3]
		text := fmt.Sprintf("Mention %d sur la livraison", i)
		if i == 54 {
			text = "=HYPERLINK(\"http://evil.test\")"
		}
		if _, err := analysistest.Add(ctx, env.Store, ws.ID, analysistest.Mention{Topics: []int64{brand}, Author: fmt.Sprintf("fan%d", i%4), Followers: 1000,
			Sentiment: s, At: at.Add(time.Duration(i) * time.Minute), Text: text, URL: "https://bsky.app/profile/fan/post/" + fmt.Sprint(i),
			Terms: []string{"livraison", "#soldes"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := analysistest.Add(ctx, env.Store, ws.ID, analysistest.Mention{Topics: []int64{rival}, At: at, Text: "rival", URL: "javascript:alert(1)"}); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/w/%d/listen/", ws.ID)

	resp, body := b.get(base+"dashboard?granularity=day", "Accept-Language", "fr")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d %.300s", resp.StatusCode, body)
	}
	for _, want := range []string{
		"Tableau de bord de la veille", `data-testid="kpi-mentions"`, "<strong>55</strong>", "Part de voix", "Tonalité dans le temps",
		"<strong>55\u202f000</strong>", // reach: 55 mentions of authors with 1,000 followers
		"32,7\u202f%",                  // negative share: 18 of 55
		"livraison", "#soldes", "fan0", "Auteurs à plus forte portée",
		"vendor/echarts-6.1.0.min.js", "vendor/echarts-6.1.0.langFR.js", "listen_dashboard.js",
		`data-chart="volume"`, `role="img"`, "Afficher les chiffres",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	m := regexp.MustCompile(`(?s)<script id="listen-chart-data" type="application/json">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no chart data in the page")
	}
	var chart struct {
		Lang     string   `json:"lang"`
		Times    []string `json:"times"`
		Mentions []int64  `json:"mentions"`
		Share    []struct {
			Name  string `json:"name"`
			Value int64  `json:"value"`
		} `json:"share"`
		Labels map[string]string `json:"labels"`
	}
	if err := json.Unmarshal([]byte(m[1]), &chart); err != nil {
		t.Fatalf("chart data: %v %.200s", err, m[1])
	}
	var sum int64
	for _, n := range chart.Mentions {
		sum += n
	}
	if chart.Lang != "fr" || len(chart.Times) != 30 || sum != 55 || len(chart.Share) != 2 || chart.Share[0].Value != 55 || chart.Labels["share"] != "Part de voix" {
		t.Errorf("chart data %+v", chart)
	}

	// The list: 50 a page, then the rest; filters kept in the next link.
	resp, body = b.get(fmt.Sprintf("%smentions?topic=%d&sentiment=", base, brand), "Accept-Language", "fr")
	if resp.StatusCode != 200 || strings.Count(body, `data-testid="listen-mention"`) != 50 {
		t.Fatalf("first page: %d, %d mentions", resp.StatusCode, strings.Count(body, `data-testid="listen-mention"`))
	}
	next := regexp.MustCompile(`href="([^"]+)" data-testid="listen-next"`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("no link to the next page")
	}
	_, body = b.get(html.UnescapeString(next[1]), "Accept-Language", "fr")
	if got := strings.Count(body, `data-testid="listen-mention"`); got != 5 || strings.Contains(body, `data-testid="listen-next"`) {
		t.Errorf("second page: %d mentions, want the last 5 and no next link", got)
	}
	if !strings.Contains(body, "1\u202f000 abonnés") || !strings.Contains(body, "https://bsky.app/profile/fan/post/0") {
		t.Error("a mention lacks its followers or its link")
	}
	_, body = b.get(base + "mentions?q=rival")
	if strings.Contains(body, "javascript:") {
		t.Error("a mention's javascript: link reached the page")
	}
	_, body = b.get(base + "mentions?sentiment=negative&q=livraison")
	if got := strings.Count(body, `data-testid="listen-mention"`); got != 18 {
		t.Errorf("negative mentions about livraison: %d, want 18", got)
	}

	resp, body = b.get(base + "mentions.csv?q=hyperlink")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 2 || !strings.HasPrefix(recs[1][9], "'=") {
		t.Errorf("export %q %v, want the one mention with its formula neutralised", recs, err)
	}

	for path, want := range map[string]string{
		"dashboard?from=2026-11-10&to=2026-11-01": "La fin de la période doit suivre son début",
		"dashboard?from=demain":                   "Les dates s'écrivent AAAA-MM-JJ.",
		"mentions.csv?sentiment=furieux":          "Le sentiment est positif, neutre ou négatif.",
	} {
		resp, body := b.get(base+path, "Accept-Language", "fr")
		if resp.StatusCode != 422 || !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("%s: %d, want 422 saying %q: %.300s", path, resp.StatusCode, want, body)
		}
	}
}
