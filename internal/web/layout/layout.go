// Package layout is the frame of every page: head, navigation, workspace
// switcher, language switch, notices and the crisis banner.
package layout

import (
	"strconv"

	"github.com/tribune-social/tribune/internal/web/i18n"
	"github.com/tribune-social/tribune/internal/web/static"
)

// User is the signed-in person as the frame shows them.
type User struct {
	Name string
}

// WorkspaceLink is an entry of the workspace switcher.
type WorkspaceLink struct {
	ID   int64
	Name string
}

// PageData is what the frame needs.
type PageData struct {
	Title            string
	Localizer        *i18n.Localizer
	Assets           *static.Assets
	User             User
	Workspaces       []WorkspaceLink
	CurrentWorkspace WorkspaceLink
	// Paused shows the crisis banner: publishing is on hold.
	Paused     bool
	Unread     int
	Flash      string
	FlashError bool
	// Nav names the current section ("calendar", "compose", …).
	Nav string
}

type navItem struct{ key, label, path string }

func (d PageData) wsNav() []navItem {
	if d.CurrentWorkspace.ID == 0 {
		return nil
	}
	base := "/w/" + strconv.FormatInt(d.CurrentWorkspace.ID, 10)
	return []navItem{
		{"calendar", "Calendar", base + "/calendar"},
		{"posts", "Posts", base + "/posts"},
		{"inbox", "Inbox", base + "/inbox"},
		{"listen-alerts", "Alerts", base + "/listen/alerts"},
		{"compose", "Compose", base + "/compose"},
		{"media", "Media", base + "/media"},
		{"channels", "Channels", base + "/channels"},
		{"team", "Team", base + "/team"},
		{"settings", "Settings", base + "/settings"},
		{"crisis", "Crisis", base + "/crisis"},
	}
}

func wsURL(id int64) string { return "/w/" + strconv.FormatInt(id, 10) + "/calendar" }

func (d PageData) lang() string {
	if d.Localizer == nil {
		return "en"
	}
	return d.Localizer.Lang()
}
