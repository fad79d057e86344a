package ui

import (
	"net/http"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// Saved views on the inbox list: save the current filters under a name,
// open, rename (and share or unshare), delete. The service decides who may
// see and change a view; these handlers also check the view belongs to the
// workspace in the path, so a link never crosses workspaces.

func inboxURL(ws store.Workspace, query string) string {
	u := "/w/" + itoa(ws.ID) + "/inbox"
	if query != "" {
		u += "?" + query
	}
	return u
}

func (u *ui) saveInboxView(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	v, err := u.Inbox.SaveView(r.Context(), currentUser(r), ws.ID, r.FormValue("name"), r.FormValue("query"), r.FormValue("shared") != "")
	if pe := refused(err); pe != nil {
		return u.renderInboxRefused(w, r, ws, r.FormValue("query"), inboxRefusal{Err: pe, ViewName: r.FormValue("name")})
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("View saved: %s", v.Name))
	return redirect(w, r, inboxURL(ws, v.Query))
}

// inboxView reads the view in the path, in the path's workspace.
func (u *ui) inboxView(r *http.Request) (store.Workspace, inbox.View, error) {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return ws, inbox.View{}, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return ws, inbox.View{}, err
	}
	v, err := u.Inbox.View(r.Context(), currentUser(r), id)
	if err != nil {
		return ws, v, err
	}
	if v.WorkspaceID != ws.ID {
		return ws, v, problem.NotFound
	}
	return ws, v, parseForm(r)
}

func (u *ui) openInboxView(w http.ResponseWriter, r *http.Request) error {
	ws, v, err := u.inboxView(r)
	if err != nil {
		return err
	}
	return redirect(w, r, inboxURL(ws, v.Query))
}

func (u *ui) renameInboxView(w http.ResponseWriter, r *http.Request) error {
	ws, v, err := u.inboxView(r)
	if err != nil {
		return err
	}
	if v, err = u.Inbox.RenameView(r.Context(), currentUser(r), v.ID, r.FormValue("name"), r.FormValue("shared") != ""); err != nil {
		return err
	}
	flash(w, u.loc(r).T("View saved: %s", v.Name))
	return redirect(w, r, inboxURL(ws, v.Query))
}

func (u *ui) deleteInboxView(w http.ResponseWriter, r *http.Request) error {
	ws, v, err := u.inboxView(r)
	if err != nil {
		return err
	}
	if err := u.Inbox.DeleteView(r.Context(), currentUser(r), v.ID); err != nil {
		return err
	}
	flash(w, u.loc(r).T("View deleted: %s", v.Name))
	return redirect(w, r, inboxURL(ws, ""))
}
