package browser

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A success message shows on the page the action leads to, and only there:
// not on the next page, and not above a later error.
func TestFlashShownOnce(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	settings := s.url("/w/" + strconv.FormatInt(s.ws.ID, 10) + "/settings")
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(settings),
		chromedp.Click(chromedp.CSS(`[data-testid=workspace-settings] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
	)
	if err != nil {
		shot(t, ctx, "flash-once")
		t.Fatalf("saving the settings showed no message: %v", err)
	}
	flashes := func(path string) int {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url(path)), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatal(err)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=flash]').length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := flashes("/w/" + strconv.FormatInt(s.ws.ID, 10) + "/posts"); n != 0 {
		t.Errorf("the next page repeats the success message (%d shown), want none", n)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(settings),
		chromedp.Click(chromedp.CSS(`[data-testid=workspace-settings] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`))); err != nil {
		t.Fatal(err)
	}
	// An unknown post is an error page: the earlier success must not sit above it.
	if n := flashes("/w/" + strconv.FormatInt(s.ws.ID, 10) + "/posts/999999"); n != 0 {
		t.Errorf("an error page shows the earlier success message (%d shown), want none", n)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "Settings saved") {
		t.Errorf("the error page says %q", text)
	}
}

// While a workspace is paused the status page says so and names it.
func TestStatusPageDuringAPause(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url("/status")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=status]`)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=status-paused]').length`))
	if err != nil || n != 0 {
		t.Fatalf("before the pause the status page says paused (%d, %v)", n, err)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(s.url("/w/"+strconv.FormatInt(s.ws.ID, 10)+"/crisis")),
		chromedp.Click(chromedp.CSS(`[data-testid=pause]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=resume]`)),
		chromedp.Navigate(s.url("/status")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=status-paused]`)))
	if err != nil {
		shot(t, ctx, "status-paused")
		t.Fatalf("during a pause the status page does not say so: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=status-paused]`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, s.ws.Name) || !strings.Contains(text, "paused since") {
		t.Errorf("the pause notice reads %q, want the workspace %q and since when", text, s.ws.Name)
	}
}
