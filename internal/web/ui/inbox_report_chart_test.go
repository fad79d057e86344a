package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// The report page in French draws its charts (median and p90 per member
// and per channel, answered per day), each an image titled and pointing to
// the table that keeps the figures; bars are to scale; and it counts the
// sentiment corrections of the period, per label from → to.
func TestReportChartsAndCorrections(t *testing.T) {
	t.Parallel()
	f := newFrenchInbox(t, apptest.Start(t, apptest.Options{}))
	env, owner, ws, ctx := f.env, f.owner, f.ws, context.Background()
	now := time.Now()
	f.ingest(t, fanComment("q0", "une question q0", now.Add(-4*time.Hour)), fanComment("q1", "une question q1", now.Add(-time.Hour)))
	page, err := env.App.Inbox.List(ctx, owner, ws.ID, inbox.Filter{})
	if err != nil || len(page.Items) != 2 {
		t.Fatal(page, err)
	}
	for _, it := range page.Items {
		if err := env.App.Inbox.MarkResponded(ctx, owner, it.ID); err != nil {
			t.Fatal(err)
		}
	}
	it := page.Items[0]
	to := sentiment.Negative
	if it.Sentiment == string(to) {
		to = sentiment.Positive
	}
	if err := env.App.Inbox.CorrectSentiment(ctx, owner, it.ID, to); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, env, owner.Email)
	body := readBody(b.do(http.MethodGet, fmt.Sprintf("/w/%d/inbox/report", ws.ID), nil))
	for _, want := range []string{
		`data-testid="inbox-chart-members"`, `aria-describedby="inbox-report-members"`, `id="inbox-report-members"`,
		"Première réponse par membre : médiane et 90e centile", "Éléments traités par jour, par canal",
		`data-testid="inbox-chart-channels"`, `data-testid="inbox-chart-channels-per-day"`,
		"Tonalité corrigée à la main", "Corrections sur la période : 1",
		fmt.Sprintf(`data-testid="correction-%s-%s"`, it.Sentiment, to),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// One member answered both items: 1 h and 4 h, so the p90 bar (4 h) is
	// full width and the median's (1 h, nearest rank) a quarter of it.
	widths := regexp.MustCompile(`data-testid="inbox-chart-members-bar"><text[^>]*>[^<]*</text>\s*<rect x="\d+" y="\d+" width="([0-9.]+)"[^>]*><title>[^<]*</title></rect>\s*<rect x="\d+" y="\d+" width="([0-9.]+)"`).FindStringSubmatch(body)
	if len(widths) != 3 {
		i := strings.Index(body, `data-testid="inbox-chart-members"`)
		t.Fatalf("no member bars in the chart: %s", body[i:min(len(body), i+1200)])
	}
	var p90, median float64
	fmt.Sscan(widths[1], &p90)
	fmt.Sscan(widths[2], &median)
	if p90 < 300 || median < p90/4-2 || median > p90/4+2 {
		t.Errorf("bars p90 %v, median %v: want the median a quarter of the p90", p90, median)
	}
	// The figures stay in the table.
	if !strings.Contains(body, "1 h 00") || !strings.Contains(body, "4 h 00") {
		t.Errorf("the table lost the figures")
	}
}
