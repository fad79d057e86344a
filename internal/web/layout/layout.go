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
	Paused bool
	// Crisis, when set, is the title of the workspace's open crisis
	// incident (the crisis banner links to CrisisURL).
	Crisis, CrisisURL string
	Unread            int
	Flash             string
	FlashError        bool
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
		{"compose", "Compose", base + "/compose"},
		{"media", "Media", base + "/media"},
		{"channels", "Channels", base + "/channels"},
		{"team", "Team", base + "/team"},
		{"settings", "Settings", base + "/settings"},
		// Listening groups the crisis page in its sub-navigation: a tenth
		// item would break the French header's single line at 1280 px.
		{"listen", "Listening", base + "/listen"},
	}
}

func wsURL(id int64) string { return "/w/" + strconv.FormatInt(id, 10) + "/calendar" }

func (d PageData) lang() string {
	if d.Localizer == nil {
		return "en"
	}
	return d.Localizer.Lang()
}
