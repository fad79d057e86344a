package calendar_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/calendar"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

// A range holding more posts than one answer says so everywhere it is
// shown, and the export and the iCal feed still carry every post: five of
// the seven posts share one instant, so the pages must split inside it.
func TestRangeLargerThanAPageIsNeverCutInSilence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.Start(t, apptest.Options{})
	owner, ws := e.Owner(t)
	ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acct")
	if err != nil {
		t.Fatal(err)
	}
	ws, role, err := e.App.Auth.Authorize(ctx, owner, ws.ID, auth.Schedule)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	instants := []time.Time{base, base, base, base, base, base.Add(time.Hour), base.Add(2 * time.Hour)}
	if err := e.Store.InTx(ctx, func(tx store.Tx) error {
		for i, when := range instants {
			local, _ := schedule.Wall(when, ws.Timezone)
			in := posts.Input{ScheduledLocal: local, ConfirmDuplicate: true, Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: fmt.Sprintf("post %d", i)}}}
			if _, err := e.App.Posts.SaveTx(ctx, tx, owner, role, ws, 0, in, posts.DoSchedule, &when, ws.Timezone); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	e.App.Calendar.PageSize = 2
	from, to := base.Add(-24*time.Hour), base.Add(24*time.Hour)

	page, _, err := e.App.Calendar.Range(ctx, owner, ws.ID, from, to, calendar.Filter{}, calendar.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 2 || !page.Truncated {
		t.Errorf("Range: %d entries, truncated %v; want 2, true", len(page.Entries), page.Truncated)
	}
	heads, _, err := e.App.Calendar.Heads(ctx, owner, ws.ID, from, to, calendar.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(heads.Entries) != 2 || !heads.Truncated || heads.Entries[0].Title() != "post 0" {
		t.Errorf("Heads: %d entries, truncated %v; want 2, true", len(heads.Entries), heads.Truncated)
	}
	// Export: every post exactly once, across pages split inside one instant.
	var buf bytes.Buffer
	if err := e.App.Calendar.Export(ctx, owner, ws.ID, from, to, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range rows[1:] {
		for _, cell := range r {
			for i := range instants {
				if cell == fmt.Sprintf("post %d", i) {
					seen[cell]++
				}
			}
		}
	}
	if len(rows)-1 != len(instants) || len(seen) != len(instants) {
		t.Errorf("export: %d rows, %d distinct posts; want %d: %v", len(rows)-1, len(seen), len(instants), seen)
	}

	// iCal: every post once.
	buf.Reset()
	feed, err := e.App.Calendar.RotateICal(ctx, owner, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	icalToken := strings.TrimSuffix(feed[strings.LastIndex(feed, "/")+1:], ".ics")
	if err := e.App.Calendar.ICal(ctx, icalToken, &buf); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(buf.Bytes(), []byte("BEGIN:VEVENT")); n != len(instants) {
		t.Errorf("iCal: %d events, want %d", n, len(instants))
	}

	// The API says so in a header.
	tok := e.Token(t, owner)
	q := url.Values{"from": {from.UTC().Format(time.RFC3339)}, "to": {to.UTC().Format(time.RFC3339)}}
	resp := e.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/calendar?%s", ws.ID, q.Encode()), nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Tribune-Truncated") != "true" {
		t.Errorf("API calendar: %d, Tribune-Truncated %q: %.200s", resp.StatusCode, resp.Header.Get("Tribune-Truncated"), body)
	}
	// Following Tribune-Next-Cursor reads every post once, in order.
	var ids []string
	for page := 0; ; page++ {
		var got []struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("page %d: %v: %.200s", page, err, body)
		}
		for _, g := range got {
			ids = append(ids, fmt.Sprint(g.ID))
		}
		next := resp.Header.Get("Tribune-Next-Cursor")
		if next == "" || page > 10 {
			break
		}
		q.Set("after", next)
		resp = e.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/calendar?%s", ws.ID, q.Encode()), nil)
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("page %d: %d %.200s", page+1, resp.StatusCode, body)
		}
	}
	seenIDs := map[string]bool{}
	for _, id := range ids {
		seenIDs[id] = true
	}
	if len(ids) != len(instants) || len(seenIDs) != len(instants) {
		t.Errorf("paging through the API: %d posts (%d distinct), want %d: %v", len(ids), len(seenIDs), len(instants), ids)
	}
	for _, bad := range []string{"nonsense", "12.0", "1.2"} {
		q.Set("after", bad)
		resp = e.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/calendar?%s", ws.ID, q.Encode()), nil)
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("cursor %q: %d, want a client error", bad, resp.StatusCode)
		}
	}
	q.Del("after")
	q.Set("to", base.Add(90*time.Minute).UTC().Format(time.RFC3339))
	q.Set("from", base.Add(30*time.Minute).UTC().Format(time.RFC3339))
	resp = e.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/calendar?%s", ws.ID, q.Encode()), nil)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Tribune-Truncated") == "true" {
		t.Errorf("API calendar of one post: %d, Tribune-Truncated %q", resp.StatusCode, resp.Header.Get("Tribune-Truncated"))
	}
}

// The iCal feed shows a failed post as a cancelled event and every other
// post as confirmed.
func TestICalMarksFailedPostsCancelled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.Start(t, apptest.Options{})
	owner, ws := e.Owner(t)
	ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "acct")
	if err != nil {
		t.Fatal(err)
	}
	ws, role, err := e.App.Auth.Authorize(ctx, owner, ws.ID, auth.Schedule)
	if err != nil {
		t.Fatal(err)
	}
	when := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	local, _ := schedule.Wall(when, ws.Timezone)
	var ids []int64
	if err := e.Store.InTx(ctx, func(tx store.Tx) error {
		for _, text := range []string{"goes out", "fails"} {
			in := posts.Input{ScheduledLocal: local, ConfirmDuplicate: true, Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: text}}}
			id, err := e.App.Posts.SaveTx(ctx, tx, owner, role, ws, 0, in, posts.DoSchedule, &when, ws.Timezone)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.SetPostStatus(ctx, store.SetPostStatusParams{Status: string(posts.Failed), UpdatedAt: time.Now().UTC(), ID: ids[1]}); err != nil {
		t.Fatal(err)
	}
	feed, err := e.App.Calendar.RotateICal(ctx, owner, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.App.Calendar.ICal(ctx, strings.TrimSuffix(feed[strings.LastIndex(feed, "/")+1:], ".ics"), &buf); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"STATUS:CONFIRMED", "STATUS:CANCELLED"} {
		uid := fmt.Sprintf("UID:post-%d@tribune", ids[i])
		event, _, _ := strings.Cut(buf.String()[strings.Index(buf.String(), uid):], "END:VEVENT")
		if !strings.Contains(event, want+"\r\n") {
			t.Errorf("post %d: want %s in\n%s", i, want, event)
		}
	}
}
