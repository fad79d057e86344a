package browser

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/listen/analysis/analysistest"
)

// The listening dashboard in a real browser: ECharts (vendored, served by
// Tribune under the CSP) draws every chart from the page's JSON, again in
// the dark colours when the system switches, and at phone width the page
// does not scroll sideways.
func TestListenDashboardChartsDraw(t *testing.T) {
	t.Parallel()
	ctx := browserFor(t, 3*time.Minute)
	s := newSite(t)
	bg := context.Background()
	var topics []int64
	for i, name := range []string{"Maison Lumière", "Éclat & Co", "Lueur"} {
		kind := "competitor"
		if i == 0 {
			kind = "brand"
		}
		id, err := analysistest.Topic(bg, s.env.Store, s.ws.ID, name, kind)
		if err != nil {
			t.Fatal(err)
		}
		topics = append(topics, id)
	}
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -27)
	words := []string{"livraison", "lampe", "prix", "#soldes", "qualité", "#noel", "retard", "#maisonlumiere"}
	sentiments := []string{"positive", "neutral", "negative", "positive", "neutral"}
	n := 0
	for d := 0; d < 28; d++ {
		for k := 0; k < 3+d%5+d/7*2; k++ {
			n++
			topic := topics[0]
			if n%4 == 0 {
				topic = topics[1+n%2]
			}
			m := analysistest.Mention{Topics: []int64{topic}, Author: fmt.Sprintf("fan%d", n%9), Followers: int64(100 * (n%9 + 1)),
				Sentiment: sentiments[(d+k)%5], At: start.AddDate(0, 0, d).Add(time.Duration(k) * time.Hour),
				Text: "Avis sur la lampe", Terms: []string{words[n%8], words[(n+3)%8]}}
			if _, err := analysistest.Add(bg, s.env.Store, s.ws.ID, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	charts := func() (int, error) {
		// Wait for the script to have drawn (it marks the page), then count
		// the SVG each chart holds.
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.getAttribute('data-listen-charts') === null ? -1 :
				document.querySelectorAll('.listen-chart svg').length`))
			if err == nil && got >= 0 {
				return got, nil
			}
			time.Sleep(100 * time.Millisecond)
		}
		return 0, fmt.Errorf("the charts were never drawn")
	}
	url := s.url(fmt.Sprintf("/w/%d/listen/dashboard?granularity=day", s.ws.ID))
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), colorScheme(false), s.signIn(), switchLang("fr"), chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=listen-dashboard]`))); err != nil {
		t.Fatal(err)
	}
	// Volume, sentiment, share of voice, terms, hashtags.
	if got, err := charts(); err != nil || got != 5 {
		t.Fatalf("%d charts drawn (%v), want 5", got, err)
	}
	shot(t, ctx, "listen-dashboard-light")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.removeAttribute('data-listen-charts'), true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, colorScheme(true)); err != nil {
		t.Fatal(err)
	}
	if got, err := charts(); err != nil || got != 5 {
		t.Fatalf("after switching to dark: %d charts (%v), want 5", got, err)
	}
	shot(t, ctx, "listen-dashboard-dark")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`[data-testid=listen-dashboard]`))); err != nil {
		t.Fatal(err)
	}
	if got, err := charts(); err != nil || got != 5 {
		t.Fatalf("at 390 px: %d charts (%v), want 5", got, err)
	}
	fit, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if err != nil || len(fit) != 2 || fit[0] > fit[1] {
		t.Errorf("at 390 px the page is %v wide (scroll, client): it scrolls sideways", fit)
	}
	shot(t, ctx, "listen-dashboard-phone")

	// From the dashboard to its mentions, at desktop width in light.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), colorScheme(false), chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=listen-to-mentions]`)), chromedp.Click(chromedp.CSS(`[data-testid=listen-to-mentions]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=listen-mention]`))); err != nil {
		t.Fatal(err)
	}
	count, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=listen-mention]').length`))
	if err != nil || count != 50 {
		t.Errorf("the mention list shows %d mentions (%v), want a page of 50", count, err)
	}
	shot(t, ctx, "listen-mentions")
}
