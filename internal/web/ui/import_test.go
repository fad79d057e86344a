package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
)

// The import page recognises a Sprout Social file, says what it created
// with the right plural in English and in French, lists the posts created
// (no empty error table), and comes back with the choices just made.
func TestImportFormReportsAndKeepsChoices(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(context.Background(), owner, ws.ID, "acct")
	if err != nil {
		t.Fatal(err)
	}
	b := signIn(t, env)
	d := time.Now().AddDate(0, 0, 6)
	upload := func(file string) string {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "sprout.csv")
		_, _ = fw.Write([]byte(file))
		for k, v := range map[string]string{"format": "auto", "date_order": "mdy", "channel": fmt.Sprint(ch.ID), "import_valid": "1"} {
			_ = mw.WriteField(k, v)
		}
		_ = mw.Close()
		status, body := b.send(fmt.Sprintf("/w/%d/import", ws.ID), mw.FormDataContentType(), &buf)
		if status != http.StatusOK {
			t.Fatalf("import: %d %.300s", status, body)
		}
		return body
	}
	row := func(hour int, text string) string {
		return fmt.Sprintf("%s,%02d:00,%s\n", d.Format("01/02/2006"), hour, text)
	}
	body := upload("date,time_24hr,message_text\n" + row(9, "first") + row(10, "second"))
	for _, want := range []string{"Sprout Social", "2 posts created", `data-testid="import-created-rows"`} {
		if !strings.Contains(body, want) {
			t.Errorf("English report lacks %q", want)
		}
	}
	if strings.Contains(body, "<th scope=\"col\">Field</th>") {
		t.Error("a successful import shows an error table")
	}
	kept := map[string]*regexp.Regexp{
		"date order mdy":   regexp.MustCompile(`<option value="mdy" selected`),
		"channel ticked":   regexp.MustCompile(`name="channel" value="` + fmt.Sprint(ch.ID) + `" checked`),
		"import_valid":     regexp.MustCompile(`name="import_valid" value="1" checked`),
		"layout auto kept": regexp.MustCompile(`<option value="auto" selected`),
	}
	for name, re := range kept {
		if !re.MatchString(body) {
			t.Errorf("the form lost its choice: %s", name)
		}
	}
	if status, _ := b.post("/settings/language", url.Values{"lang": {"fr"}}); status >= 400 {
		t.Fatalf("language: %d", status)
	}
	body = upload("date,time_24hr,message_text\n" + row(11, "third"))
	if !strings.Contains(body, "1 publication créée") {
		t.Errorf("French report lacks %q", "1 publication créée")
	}
	body = upload("date,time_24hr,message_text\n" + row(12, "fourth") + row(13, "fifth"))
	if !strings.Contains(body, "2 publications créées") {
		t.Errorf("French report lacks %q", "2 publications créées")
	}
}

// While an import runs, the page's poll reads its progress in the user's
// language. The first row's media URL is held by the test, so the import
// is caught mid-way.
func TestImportProgressIsPolled(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(context.Background(), owner, ws.ID, "acct")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	img := tinyPNG(t)
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(img)
	}))
	t.Cleanup(media.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	b := signIn(t, env)
	day := time.Now().AddDate(0, 0, 6).Format("2006-01-02")
	file := "text,link,imageUrls,postAtSpecificTime\n" +
		"with a photo,," + media.URL + "/p.png," + day + " 09:00:00\n" +
		"plain,,," + day + " 10:00:00\n"
	const key = "k0123456789abcdef"
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "socialbee.csv")
	_, _ = fw.Write([]byte(file))
	_ = mw.WriteField("channel", fmt.Sprint(ch.ID))
	_ = mw.WriteField("progress_key", key)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+fmt.Sprintf("/w/%d/import", ws.ID), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	done := make(chan string, 1)
	go func() {
		resp, err := b.c.Do(req)
		if err != nil {
			done <- err.Error()
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		done <- string(raw)
	}()
	poll := func(c *http.Client) string {
		t.Helper()
		resp, err := c.Get(b.base + fmt.Sprintf("/w/%d/import/progress?key=%s", ws.ID, key))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return string(raw)
	}
	deadline := time.Now().Add(10 * time.Second)
	got := ""
	for got == "" && time.Now().Before(deadline) {
		got = poll(b.c)
	}
	if got != "Checking row 1 of 2…" {
		t.Errorf("progress = %q, want %q", got, "Checking row 1 of 2…")
	}
	close(release)
	if body := <-done; !strings.Contains(body, "2 posts created") {
		t.Errorf("the import did not finish with 2 posts: %.300s", body)
	}
	if got := poll(b.c); got != "" {
		t.Errorf("progress after the import = %q, want nothing", got)
	}
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
