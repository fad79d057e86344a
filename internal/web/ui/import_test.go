package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
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
		status, body := b.do(fmt.Sprintf("/w/%d/import", ws.ID), mw.FormDataContentType(), &buf)
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
