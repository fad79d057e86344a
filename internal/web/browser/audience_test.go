package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A person sets a Sandbox channel's audience and starts a storm from the
// channels page: the page says it is saved, shows until when the storm
// lasts, and the Sandbox's audience writes at the chosen rate.
func TestSandboxAudienceFormInTheBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	ch := s.chs[0]
	form := fmt.Sprintf(`[data-testid=audience-%d]`, ch.ID)
	if err := chromedp.Do(ctx, s.signIn(), chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/channels", s.ws.ID))), chromedp.WaitVisible(chromedp.CSS(form))); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(form+` input[name=rate]`), "30"),
		chromedp.SetValue(chromedp.CSS(form+` input[name=storm_minutes]`), "2"),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash], [data-testid=error]`)))
	if err != nil {
		shot(t, ctx, "audience")
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=flash], [data-testid=error]`)))
	if err != nil || !strings.Contains(msg, "Audience saved") {
		shot(t, ctx, "audience")
		t.Fatalf("after saving: %q %v", msg, err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid=storm-%d]`, ch.ID)))); err != nil {
		t.Errorf("no storm shown: %v", err)
	}
	aud, err := s.env.App.Channels.SandboxAudience(context.Background(), s.owner, ch.ID)
	if err != nil || aud.Rate != 30 || aud.StormUntil.IsZero() {
		t.Errorf("the Sandbox holds %+v %v", aud, err)
	}
}
