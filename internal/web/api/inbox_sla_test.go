package api_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
)

// slaRoundTheClock is an SLA open round the clock with a 1-minute target,
// so a test does not depend on the hour it runs at.
const slaRoundTheClock = `{"enabled":true,"target_minutes":1,"days":[0,1,2,3,4,5,6],"open":"00:00","close":"24:00","french_holidays":false}`

// The SLA through the API: settings (an analyst reads, cannot set), the
// items past the target, a "responded" mark, and the report as JSON and CSV.
func TestInboxSLAThroughTheAPI(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{})
	env, owner, ws, tok, ch := in.env, in.owner, in.ws, in.tok, in.ch
	analyst := env.Token(t, env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst))
	path := fmt.Sprintf("/api/v1/workspaces/%d/inbox/", ws.ID)
	set := slaRoundTheClock
	if r := env.Do(t, analyst, http.MethodPut, path+"sla", strings.NewReader(set)); r.StatusCode != 403 {
		t.Errorf("analyst sets the SLA: %d", r.StatusCode)
	}
	if r := env.Do(t, tok, http.MethodPut, path+"sla", strings.NewReader(`{"enabled":true,"target_minutes":60,"days":[],"open":"09:00","close":"18:00"}`)); r.StatusCode != 422 {
		t.Errorf("no open day: %d", r.StatusCode)
	}
	if r := env.Do(t, tok, http.MethodPut, path+"sla", strings.NewReader(set)); r.StatusCode != 200 {
		t.Fatalf("set the SLA: %d", r.StatusCode)
	}
	got := decode[struct {
		Enabled       bool   `json:"enabled"`
		TargetMinutes int64  `json:"target_minutes"`
		Days          []int  `json:"days"`
		Open          string `json:"open"`
		Close         string `json:"close"`
	}](t, env.Do(t, analyst, http.MethodGet, path+"sla", nil))
	if !got.Enabled || got.TargetMinutes != 1 || len(got.Days) != 7 || got.Open != "00:00" || got.Close != "24:00" {
		t.Errorf("read back %+v", got)
	}

	now := time.Now()
	var items []network.Item
	for i, ago := range []time.Duration{3 * time.Hour, 2 * time.Hour} {
		id := fmt.Sprintf("s%d", i)
		items = append(items, network.Item{ExternalID: id, Kind: network.KindComment, Ref: network.Ref{ID: id}, ConversationID: "root",
			Root: &network.Ref{ID: "root"}, Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "where is it", CreatedAt: now.Add(-ago)})
	}
	in.ingest(t, items...)
	type overdueJSON struct {
		Count int     `json:"count"`
		IDs   []int64 `json:"ids"`
	}
	o := decode[overdueJSON](t, env.Do(t, analyst, http.MethodGet, path+"overdue", nil))
	if o.Count != 2 {
		t.Fatalf("overdue: %+v", o)
	}
	answered := o.IDs[0] // the last stored, 2 h old
	responded := fmt.Sprintf("/api/v1/inbox/items/%d/responded", answered)
	if r := env.Do(t, analyst, http.MethodPost, responded, nil); r.StatusCode != 403 {
		t.Errorf("analyst marks responded: %d", r.StatusCode)
	}
	if r := env.Do(t, tok, http.MethodPost, responded, nil); r.StatusCode != 204 {
		t.Fatalf("mark responded: %d", r.StatusCode)
	}
	if o := decode[overdueJSON](t, env.Do(t, analyst, http.MethodGet, path+"overdue", nil)); o.Count != 1 || o.IDs[0] == answered {
		t.Errorf("overdue after the answer: %+v", o)
	}

	type row struct {
		Name          string  `json:"name"`
		Handled       int     `json:"handled"`
		MedianMinutes float64 `json:"median_minutes"`
		P90Minutes    float64 `json:"p90_minutes"`
		Late          int     `json:"late"`
	}
	rep := decode[struct {
		Days       int   `json:"days"`
		Members    []row `json:"members"`
		Channels   []row `json:"channels"`
		Total      row   `json:"total"`
		Unanswered int   `json:"unanswered"`
	}](t, env.Do(t, analyst, http.MethodGet, path+"response-report", nil))
	if rep.Days != 30 || len(rep.Members) != 1 || rep.Members[0].Name != owner.Name || rep.Members[0].Handled != 1 ||
		rep.Members[0].MedianMinutes < 119 || rep.Members[0].MedianMinutes > 125 || rep.Total.Late != 1 || rep.Unanswered != 1 ||
		len(rep.Channels) != 1 || rep.Channels[0].Name != ch.Name {
		t.Errorf("report %+v", rep)
	}
	if r := env.Do(t, analyst, http.MethodGet, path+"response-report?from=2026-01-10&to=2026-01-01", nil); r.StatusCode != 422 {
		t.Errorf("reversed range: %d", r.StatusCode)
	}
	r := env.Do(t, analyst, http.MethodGet, path+"response-report.csv", nil)
	raw, _ := io.ReadAll(r.Body)
	r.Body.Close()
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || len(lines) != 4 ||
		!strings.HasPrefix(lines[0], "scope,id,name,handled") || !strings.HasPrefix(lines[1], fmt.Sprintf("member,%d,", owner.ID)) {
		t.Errorf("CSV %d %s:\n%s", r.StatusCode, r.Header.Get("Content-Type"), raw)
	}
}
