package browser

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// At 390 px a rule's condition and action rows wrap over two lines each,
// so a line between rows says which "not" and value go with which choice;
// "Try this rule" answers on the same page, the rule kept as typed.
func TestModerationRuleFormOnAPhone(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	page := s.url(fmt.Sprintf("/w/%d/moderation", s.ws.ID))
	if err := chromedp.Do(ctx, s.signIn(), switchLang("fr"), chromedp.EmulateViewport(390, 844), chromedp.Navigate(page),
		chromedp.WaitVisible(css(`[data-testid=cond-kind-0]`))); err != nil {
		t.Fatal(err)
	}
	// Bottom borders of the condition rows, first to last.
	borders := `[...document.querySelectorAll('[data-testid=rule-form] fieldset')[0].querySelectorAll('.rule-row')].map(r => parseFloat(getComputedStyle(r).borderBottomWidth))`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](borders))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 || got[0] < 1 || got[len(got)-1] != 0 {
		t.Errorf("at 390 px the condition rows' bottom borders are %v: want a line between rows, none after the last", got)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(css(`[data-testid=rule-name]`), "Colère"),
		chromedp.SetValue(css(`[data-testid=cond-kind-0]`), "keywords"), chromedp.SendKeys(css(`[data-testid=cond-value-0]`), "arnaque"),
		chromedp.SetValue(css(`[data-testid=act-kind-0]`), "tag"), chromedp.SendKeys(css(`[data-testid=act-value-0]`), "colere"),
		chromedp.Click(css(`[data-testid=rule-try]`)), chromedp.WaitVisible(css(`[data-testid=try-result]`))); err != nil {
		t.Fatalf("trying the rule at 390 px: %v", err)
	}
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid=cond-value-0]').value`))
	if err != nil || kept != "arnaque" {
		t.Errorf("after the try the condition reads %q (%v), want arnaque", kept, err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](borders)); err != nil || len(got) == 0 || got[0] != 0 {
		t.Errorf("at 1280 px, where each row is one line, the rows have borders %v (%v)", got, err)
	}
}
