package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/calendar"
)

// The settings page sets the schedule horizon and refuses the zone "Local"
// for the workspace and for the member.
func TestSettingsPageHorizonAndZone(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	_, ws := env.Owner(t)
	b := signIn(t, env)
	path := fmt.Sprintf("/w/%d/settings", ws.ID)
	workspace := func(tz, horizon string) url.Values {
		return url.Values{"name": {ws.Name}, "timezone": {tz}, "duplicate_window_hours": {"24"}, "schedule_horizon_days": {horizon}}
	}
	for _, c := range []struct {
		name string
		form url.Values
		want int
	}{
		{"workspace zone Local", workspace("Local", "730"), http.StatusUnprocessableEntity},
		{"member zone Local", url.Values{"form": {"me"}, "timezone": {"Local"}}, http.StatusUnprocessableEntity},
		{"horizon 0 days", workspace("Europe/Paris", "0"), http.StatusUnprocessableEntity},
		{"horizon 45 days", workspace("Europe/Paris", "45"), http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			if status, body := b.post(path, c.form); status != c.want {
				t.Errorf("%d, want %d: %.300s", status, c.want, body)
			}
		})
	}
	got, err := env.Store.GetWorkspace(context.Background(), ws.ID)
	if err != nil || got.ScheduleHorizonDays != 45 || got.Timezone != "Europe/Paris" {
		t.Errorf("workspace after the forms: horizon %d, zone %q (%v); want 45, Europe/Paris", got.ScheduleHorizonDays, got.Timezone, err)
	}
}

// The import form reports the rows of a file imported twice as duplicates
// and imports nothing, unless "import duplicates anyway" is ticked.
func TestImportFormSkipsDuplicates(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(context.Background(), owner, ws.ID, "acct")
	if err != nil {
		t.Fatal(err)
	}
	b := signIn(t, env)
	day := time.Now().AddDate(0, 0, 3).Format("2006-01-02")
	file := fmt.Sprintf("scheduled_at,channel,text\n%s 09:00,%s,one\n%s 10:00,%s,two\n", day, ch.Name, day, ch.Name)
	upload := func(extra map[string]string) string {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "posts.csv")
		_, _ = fw.Write([]byte(file))
		_ = mw.WriteField("format", "tribune")
		for k, v := range extra {
			_ = mw.WriteField(k, v)
		}
		_ = mw.Close()
		status, body := b.send(fmt.Sprintf("/w/%d/import", ws.ID), mw.FormDataContentType(), &buf)
		if status != http.StatusOK {
			t.Fatalf("import: %d %.300s", status, body)
		}
		return body
	}
	count := func() int {
		page, _, err := env.App.Calendar.Range(context.Background(), owner, ws.ID, time.Now(), time.Now().AddDate(0, 0, 5), calendar.Filter{}, calendar.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Entries)
	}
	upload(nil)
	if n := count(); n != 2 {
		t.Fatalf("first import: %d posts, want 2", n)
	}
	if body := upload(nil); !strings.Contains(body, `data-testid="import-duplicates"`) || count() != 2 {
		t.Errorf("second import: %d posts, duplicates shown %v; want 2 posts and the duplicates listed", count(), strings.Contains(body, "import-duplicates"))
	}
	upload(map[string]string{"import_duplicates": "1"})
	if n := count(); n != 4 {
		t.Errorf("import duplicates anyway: %d posts, want 4", n)
	}
}
