package browser

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/store"
)

// connect adds a channel of a network as its connector leaves it (the
// OAuth dances are tested in their packages); its token is never used.
func (s site) connect(t *testing.T, network, name string) store.Channel {
	t.Helper()
	p := store.CreateChannelParams{WorkspaceID: s.ws.ID, Network: network, Name: name, Handle: "@" + network + "_tribune",
		ExternalID: network + "-1", BaseURL: "https://" + network + ".example", TokenCiphertext: []byte("x"), TokenKeyID: "k",
		Status: "active", CreatedAt: time.Now().UTC()}
	if network == "mastodon" {
		p.MaxChars, p.URLLength, p.TextCounting, p.DefaultVisibility = 500, 23, "mastodon", "public"
	}
	ch, err := s.env.Store.CreateChannel(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// waitFor polls a JavaScript predicate until it holds.
func waitFor(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(15*time.Second))
}

func TestPreviewsOfThreeNetworksFollowTheText(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	masto := s.connect(t, "mastodon", "Mastodon · @tribune")
	x := s.connect(t, "x", "X · @tribune")
	li := s.connect(t, "linkedin", "LinkedIn · Tribune")
	q := func(sel string) string { return fmt.Sprintf("document.querySelector(%q)", sel) }
	text := "Soldes d’hiver #soldes https://www.example.com/collection/hiver/manteaux-et-echarpes"
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/compose", s.ws.ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=channel-%d]`, masto.ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=channel-%d]`, x.ID))),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=text]`), text),
		// Two networks ticked: two previews, LinkedIn's not yet.
		waitFor(q(`[data-testid=preview-text-x]`)+` && `+q(`[data-testid=preview-text-x]`)+`.textContent.includes("#soldes")`),
		waitFor(`!`+q(`[data-testid=preview-linkedin]`)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=channel-%d]`, li.ID))),
		waitFor(q(`[data-testid=preview-text-linkedin]`)+` !== null`),
	)
	if err != nil {
		shot(t, ctx, "previews")
		html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("flash")||{}).innerHTML + document.getElementById("previews").innerHTML`))
		t.Fatal(err, html)
	}
	// Each network shows the link its own way: Mastodon cuts it after 30
	// characters without the scheme, LinkedIn shows it whole; the hashtag
	// is marked, and Mastodon's preview shows the chosen visibility.
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`({
		masto: document.querySelector("[data-testid=preview-text-mastodon] .pv-link").textContent,
		li: document.querySelector("[data-testid=preview-text-linkedin] .pv-link").textContent,
		tag: document.querySelector("[data-testid=preview-text-x] .pv-tag").textContent,
		card: document.querySelector("[data-testid=preview-card-mastodon]").textContent,
		vis: document.querySelector("[data-testid=preview-visibility-`+fmt.Sprint(masto.ID)+`]").textContent,
	})`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"masto": "example.com/collection/hiver/m…", "li": "https://www.example.com/collection/hiver/manteaux-et-echarpes", "tag": "#soldes"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if !strings.Contains(got["card"], "example.com") {
		t.Errorf("Mastodon's link card shows %q, want the host", got["card"])
	}
	if got["vis"] == "" {
		t.Error("Mastodon's preview does not show the visibility")
	}

	// Choosing another visibility changes Mastodon's preview.
	visSel := fmt.Sprintf(`[data-testid=visibility-%d]`, masto.ID)
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(visSel), "unlisted"),
		chromedp.Evaluate[chromedp.Void](q(visSel)+`.dispatchEvent(new Event("change", {bubbles: true}))`),
		waitFor(fmt.Sprintf(`%s.textContent !== %q`, q(fmt.Sprintf(`[data-testid=preview-visibility-%d]`, masto.ID)), got["vis"])),
	)
	if err != nil {
		t.Fatalf("Mastodon's preview kept the visibility %q: %v", got["vis"], err)
	}

	// Past 150 characters LinkedIn cuts at "…see more"; Mastodon and X,
	// which document no cut, show everything. Past 280, X's counter turns
	// red and the buttons that publish say why they are disabled.
	long := strings.Repeat("Une phrase de plus. ", 15) // 300 characters
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`[data-testid=text]`), long),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=text]`), "!"),
		waitFor(q(`[data-testid=preview-text-linkedin-more]`)+` !== null`),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid=counter-%d].over`, x.ID))),
		waitFor(q(`[data-testid=schedule]`)+`.disabled && `+q(`[data-testid=why-disabled]`)+`.textContent.includes("X · @tribune")`),
	)
	if err != nil {
		shot(t, ctx, "previews-long")
		t.Fatal(err)
	}
	cut, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](`[
		document.querySelector("[data-testid=preview-text-mastodon-more]") === null,
		document.querySelector("[data-testid=preview-text-x]").textContent.includes("`+long+`"),
		document.querySelector("[data-testid=save-draft]").disabled,
	]`))
	if err != nil {
		t.Fatal(err)
	}
	if !cut[0] || !cut[1] || cut[2] {
		xt, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("[data-testid=preview-text-x]").textContent`))
		t.Errorf("Mastodon uncut %v, X whole %v (%q), draft disabled %v; want true, true, false", cut[0], cut[1], xt, cut[2])
	}
	// Back under the limits, the buttons come back.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`[data-testid=text]`), "Court"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=text]`), "."),
		waitFor(`!`+q(`[data-testid=schedule]`)+`.disabled && `+q(`[data-testid=preview-text-linkedin-more]`)+` === null`),
	)
	if err != nil {
		t.Fatal(err)
	}
}

func TestUploadFromTheComposerByDragAndDrop(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	// A drop as the browser makes it: a DataTransfer holding a File.
	drop := fmt.Sprintf(`(() => {
		const bytes = Uint8Array.from(atob(%q), c => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], "lampe.png", { type: "image/png" }));
		const zone = document.querySelector("[data-testid=dropzone]");
		zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
		zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
		return true;
	})()`, base64.StdEncoding.EncodeToString(pngBytes))
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/compose", s.ws.ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=channel-%d]`, s.chs[0].ID))),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=text]`), "Notre nouvelle lampe"),
		chromedp.Evaluate[chromedp.Void](drop),
		// The drop asks for the alt text before anything is sent.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=upload-alt-1]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=upload-alt-1]`), "Une lampe en laiton sur une table"),
		chromedp.Click(chromedp.CSS(`[data-testid=upload-go-1]`)),
		// The new media is in the grid, ticked, and in the preview.
		waitFor(`document.querySelector("[data-testid^=media-]:checked") !== null`),
		waitFor(`document.querySelector("[data-testid=preview-media-sandbox] img") !== null`),
	)
	if err != nil {
		shot(t, ctx, "compose-drop")
		t.Fatal(err)
	}
	ms, err := s.env.App.Media.List(context.Background(), s.owner, s.ws.ID)
	if err != nil || len(ms) != 1 {
		t.Fatalf("media after the drop: %d, %v; want 1", len(ms), err)
	}
	if ms[0].Alt != "Une lampe en laiton sur une table" || ms[0].Filename != "lampe.png" {
		t.Errorf("uploaded %q with alt %q", ms[0].Filename, ms[0].Alt)
	}
	alt, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("[data-testid=preview-media-sandbox] img").alt`))
	if err != nil || alt != ms[0].Alt {
		t.Errorf("preview image alt %q (%v), want %q", alt, err, ms[0].Alt)
	}
}
