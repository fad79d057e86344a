package api_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
)

// The workspace settings of the API refuse the zone "Local" and set the
// schedule horizon, which the composer's route then enforces with a 422
// in English and French.
func TestWorkspaceSettingsZoneAndHorizon(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(t.Context(), owner, ws.ID, "acct")
	if err != nil {
		t.Fatal(err)
	}
	tok := env.Token(t, owner)
	wsPath := fmt.Sprintf("/api/v1/workspaces/%d", ws.ID)
	send := func(method, path, body string) (int, string) {
		t.Helper()
		resp := env.Do(t, tok, method, path, strings.NewReader(body))
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct {
		name, body string
		want       int
		contains   string
	}{
		{"zone Local", `{"timezone":"Local"}`, 422, "bad_timezone"},
		{"zone empty", `{"timezone":""}`, 422, "bad_timezone"},
		{"zone Paris", `{"timezone":"Europe/Paris"}`, 200, `"timezone":"Europe/Paris"`},
		{"horizon 0", `{"schedule_horizon_days":0}`, 422, "schedule_horizon_days"},
		{"horizon 30", `{"schedule_horizon_days":30}`, 200, `"schedule_horizon_days":30`},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := send(http.MethodPatch, wsPath, c.body)
			if status != c.want || !strings.Contains(body, c.contains) {
				t.Errorf("PATCH %s: %d %s; want %d with %s", c.body, status, body, c.want, c.contains)
			}
		})
	}
	if _, body := send(http.MethodGet, wsPath, ""); !strings.Contains(body, `"schedule_horizon_days":30`) {
		t.Errorf("the workspace reads back %s, want a 30-day horizon", body)
	}
	far := time.Now().AddDate(0, 0, 40).Format("2006-01-02") + "T09:00"
	status, body := send(http.MethodPost, wsPath+"/posts", fmt.Sprintf(`{"action":"schedule","scheduled_local":%q,"variants":[{"channel_id":%d,"text":"far"}]}`, far, ch.ID))
	if status != 422 || !strings.Contains(body, "beyond_horizon") || !strings.Contains(body, "30 days") || !strings.Contains(body, "30 jours") {
		t.Errorf("scheduling 40 days ahead with a 30-day horizon: %d %s; want 422 beyond_horizon naming the limit in both languages", status, body)
	}
}
