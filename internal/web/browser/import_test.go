package browser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Each layout's file, imported through the import page with the layout
// recognised from the file, creates its posts; the same file imported a
// second time creates nothing and lists the rows as duplicates.
func TestImportEachLayoutTwice(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	alpha := s.chs[0]
	base := time.Now().AddDate(0, 0, 3)
	day := func(i int) time.Time { return base.AddDate(0, 0, i) }
	files := []struct{ name, body string }{
		{"hootsuite.csv", fmt.Sprintf("%s 09:00,Opening hours for the holidays are on the site.,https://shop.example/hours\n%s 12:30,Gift wrapping is free this week.\n",
			day(0).Format("02/01/2006"), day(0).Format("02/01/2006"))},
		{"sprout.csv", fmt.Sprintf("date,time_24hr,message_text\n%s,09:30,A new guide on reusing long articles.\n%s,14:00,Which network brings you the most replies?\n",
			day(1).Format("02/01/2006"), day(1).Format("02/01/2006"))},
		{"agorapulse.csv", fmt.Sprintf("post_content,post_link,image_url,video_url,publishing_date\nThe winter collection lands on Friday.,https://shop.example/winter,,,%s 10:00\n",
			day(2).Format("2006-01-02"))},
		{"socialbee.csv", fmt.Sprintf("text,link,imageUrls,postAtSpecificTime\nThree podcast episodes you missed.,https://pod.example/dec,,%s 07:30:00\n",
			day(3).Format("2006-01-02"))},
		{"buffer.csv", fmt.Sprintf("Text,Link,Image URL,Scheduled At,Profile,Tags\nClosed on the 25th. See you on the 26th!,,,%s 16:00,%s,hours\n",
			day(4).Format("2006-01-02"), alpha.Name)},
		{"tribune.csv", fmt.Sprintf("scheduled_at,channel,text\n%s 09:00,%d,Monday menu: soup and quiche.\n", day(5).Format("2006-01-02"), alpha.ID)},
	}
	dir := t.TempDir()
	if err := chromedp.Do(ctx, s.signIn()); err != nil {
		t.Fatal(err)
	}
	imp := func(path string) (string, bool) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/import", s.ws.ID))),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=import]`)),
			chromedp.SetUploadFiles(chromedp.CSS(`input[name=file]`), []string{path}),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=channel][value="%d"]`, alpha.ID))),
			chromedp.Click(chromedp.CSS(`[data-testid=import] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=import-report]`)),
		)
		var created string
		if err == nil {
			created, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=import-created]`)))
		}
		if err != nil {
			shot(t, ctx, "import")
			t.Fatalf("%s: %v", filepath.Base(path), err)
		}
		dups, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid=import-duplicates]') !== null`))
		if err != nil {
			t.Fatal(err)
		}
		return created, dups
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, []byte(f.body), 0o644); err != nil {
			t.Fatal(err)
		}
		rows := strings.Count(strings.TrimSpace(f.body), "\n")
		if f.name == "hootsuite.csv" {
			rows++ // no header
		}
		want := fmt.Sprintf("%d posts created", rows)
		if rows == 1 {
			want = "1 post created"
		}
		if got, _ := imp(path); got != want {
			t.Errorf("%s, first import: %q, want %q", f.name, got, want)
		}
		if got, dups := imp(path); got != "0 posts created" || !dups {
			t.Errorf("%s, second import: %q, duplicates listed %v; want 0 posts created and the duplicates listed", f.name, got, dups)
		}
	}
}
