package browser

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The calendar opens on the list at 390 px and on the month at 1280 px,
// unless the member chose a view: one the address names (?view=) wins at
// either width, and so does the one last chosen with the view buttons,
// kept across visits.
func TestCalendarOpensOnAPhoneFriendlyView(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	cal := s.url(fmt.Sprintf("/w/%d/calendar", s.ws.ID))
	if err := chromedp.Do(ctx, s.signIn()); err != nil {
		t.Fatal(err)
	}
	// open shows the calendar at a width and returns the view it drew.
	open := func(t *testing.T, width, height int64, url string) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		err := chromedp.Do(sctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(url),
			chromedp.WaitVisible(chromedp.CSS(`.fc-view`)))
		if err != nil {
			t.Fatalf("%s at %d px: %v", url, width, err)
		}
		view, err := chromedp.Run(sctx, chromedp.Evaluate[string](`[...document.querySelector('.fc-view').classList].find(c => c.endsWith('-view') && c !== 'fc-view').slice(3, -5)`))
		if err != nil {
			t.Fatal(err)
		}
		return view
	}
	steps := []struct {
		what          string
		width, height int64
		url           string
		click         string // a view button pressed after the check, or ""
		want          string
	}{
		{"a laptop, no choice made", 1280, 800, cal, "", "dayGridMonth"},
		{"a phone, no choice made", 390, 844, cal, "", "listMonth"},
		{"a phone, the address names the day", 390, 844, cal + "?view=timeGridDay", "", "timeGridDay"},
		{"a laptop, the address names the list", 1280, 800, cal + "?view=listMonth", "", "listMonth"},
		{"a laptop still opens on the month (an address is no saved choice)", 1280, 800, cal, "", "dayGridMonth"},
		{"a phone, before choosing the month with its button", 390, 844, cal, "dayGridMonth", "listMonth"},
		{"a phone after the month was chosen", 390, 844, cal, "listDay", "dayGridMonth"},
		{"a laptop after the day list was chosen on the phone", 1280, 800, cal, "", "listDay"},
		{"the address still wins over the saved choice", 390, 844, cal + "?view=listMonth", "", "listMonth"},
	}
	for _, st := range steps {
		if got := open(t, st.width, st.height, st.url); got != st.want {
			shot(t, ctx, "calendar-view")
			t.Fatalf("%s: the calendar opens on %q, want %q", st.what, got, st.want)
		}
		if st.click != "" {
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := chromedp.Do(sctx, chromedp.Click(chromedp.CSS(`.fc-`+st.click+`-button`)), chromedp.WaitVisible(chromedp.CSS(`.fc-`+st.click+`-view`)))
			cancel()
			if err != nil {
				t.Fatalf("%s: pressing %s: %v", st.what, st.click, err)
			}
		}
	}
}
