package browser

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

// A link typed in the composer fills each network's card from the page:
// the title and the image (served by Tribune, within the page's Content
// Security Policy) on Mastodon and LinkedIn, the description on Mastodon
// only.
func TestLinkCardFillsInFromThePage(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	masto := s.connect(t, "mastodon", "Mastodon · @tribune")
	li := s.connect(t, "linkedin", "LinkedIn · Tribune")
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 191, 100))); err != nil {
		t.Fatal(err)
	}
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sale":
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, `<html><head><meta property="og:title" content="Spring sale"><meta property="og:description" content="Three days only."><meta property="og:image" content="/sale.png"></head></html>`)
		case "/sale.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(img.Bytes())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(page.Close)
	q := func(sel string) string { return fmt.Sprintf("document.querySelector(%q)", sel) }
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/compose", s.ws.ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=channel-%d]`, masto.ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=channel-%d]`, li.ID))),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=text]`), "Our spring sale"),
		chromedp.SendKeys(chromedp.CSS(`input[name=link]`), page.URL+"/sale"),
		waitFor(q(`[data-testid=preview-card-title-mastodon]`)+` && `+q(`[data-testid=preview-card-title-linkedin]`)),
		waitFor(q(`[data-testid=preview-card-image-mastodon]`)+`.naturalWidth === 191`),
	)
	if err != nil {
		shot(t, ctx, "linkcard")
		html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("previews").innerHTML`))
		t.Fatal(err, html)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]bool](`({
		mastoDesc: !!document.querySelector("[data-testid=preview-card-desc-mastodon]"),
		liDesc: !!document.querySelector("[data-testid=preview-card-desc-linkedin]"),
		liTitle: document.querySelector("[data-testid=preview-card-title-linkedin]").textContent === "Spring sale",
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]bool{"mastoDesc": true, "liDesc": false, "liTitle": true}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cards = %v, want %v", got, want)
	}
}
