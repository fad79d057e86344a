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

// A refused form keeps its page and what was typed, with the message once
// and in the user's language.
func TestRefusedFormKeepsThePage(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	zone := `[data-testid=workspace-settings] input[name=timezone]`
	err := chromedp.Do(ctx, s.signIn(),
		chromedp.Navigate(s.url("/w/"+strconv.FormatInt(s.ws.ID, 10)+"/settings")),
		chromedp.WaitVisible(chromedp.CSS(zone)),
		chromedp.SetValue(chromedp.CSS(zone), "Mars/Olympus"),
		chromedp.Click(chromedp.CSS(`[data-testid=workspace-settings] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash [data-testid=error]`)),
	)
	if err != nil {
		shot(t, ctx, "refused-form")
		t.Fatalf("a refused setting showed no message on the page: %v", err)
	}
	typed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid=workspace-settings] input[name=timezone]').value`))
	if err != nil || typed != "Mars/Olympus" {
		t.Errorf("the form lost what was typed: %q (%v)", typed, err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=error], [data-testid=flash]').length`))
	if err != nil || n != 1 {
		t.Errorf("%d messages shown, want one (%v)", n, err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#flash`)))
	if !strings.Contains(text, "Time zone") {
		t.Errorf("the message does not name the field by its label: %q", text)
	}
}
