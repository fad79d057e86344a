package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/inbox"
)

// Saved inbox views: a member's named filters, personal or shared with the
// workspace; only the author changes or deletes one (the inbox service
// checks). A view's query is the list's filters as a query string, the
// same parameters as GET /v1/workspaces/{ws}/inbox.
func (s *server) inboxViewRoutes(a huma.API) {
	huma.Register(a, op("list-inbox-views", http.MethodGet, "/v1/workspaces/{ws}/inbox/views", "The member's saved inbox views and those shared with the workspace, by name", "inbox"), s.listInboxViews)
	huma.Register(a, created(op("create-inbox-view", http.MethodPost, "/v1/workspaces/{ws}/inbox/views", "Save inbox filters under a name; only the list's filters are kept", "inbox")), s.createInboxView)
	huma.Register(a, op("get-inbox-view", http.MethodGet, "/v1/inbox/views/{id}", "A saved inbox view", "inbox"), s.getInboxView)
	huma.Register(a, op("update-inbox-view", http.MethodPut, "/v1/inbox/views/{id}", "Rename a saved view, share or unshare it (its author only)", "inbox"), s.updateInboxView)
	huma.Register(a, noContent(op("delete-inbox-view", http.MethodDelete, "/v1/inbox/views/{id}", "Delete a saved view (its author only)", "inbox")), s.deleteInboxView)
}

// InboxViewOut is a saved view.
type InboxViewOut struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Query  string `json:"query" doc:"The list's filters as a query string"`
	Shared bool   `json:"shared"`
	Mine   bool   `json:"mine" doc:"The caller saved it, and may rename or delete it"`
	Author string `json:"author,omitempty"`
}

// InboxViewsOut lists saved views.
type InboxViewsOut struct {
	Views []InboxViewOut `json:"views"`
}

func toInboxView(v inbox.View) InboxViewOut {
	return InboxViewOut{ID: v.ID, Name: v.Name, Query: v.Query, Shared: v.Shared, Mine: v.Mine, Author: v.UserName}
}

func (s *server) listInboxViews(ctx context.Context, in *wsPath) (*body[InboxViewsOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	vs, err := s.Inbox.Views(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	out := InboxViewsOut{Views: make([]InboxViewOut, len(vs))}
	for i, v := range vs {
		out.Views[i] = toInboxView(v)
	}
	return &body[InboxViewsOut]{out}, nil
}

// InboxViewIn is a new view.
type InboxViewIn struct {
	Name   string `json:"name" maxLength:"80"`
	Query  string `json:"query" maxLength:"2000" doc:"The filters as a query string, e.g. status=new&sentiment=negative"`
	Shared bool   `json:"shared,omitempty"`
}

type createInboxViewIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body InboxViewIn
}

func (s *server) createInboxView(ctx context.Context, in *createInboxViewIn) (*body[InboxViewOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	v, err := s.Inbox.SaveView(ctx, u, in.WS, in.Body.Name, in.Body.Query, in.Body.Shared)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxViewOut]{toInboxView(v)}, nil
}

type inboxViewPath struct {
	ID int64 `path:"id"`
}

func (s *server) getInboxView(ctx context.Context, in *inboxViewPath) (*body[InboxViewOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	v, err := s.Inbox.View(ctx, u, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxViewOut]{toInboxView(v)}, nil
}

// InboxViewUpdate renames a view and says whether the workspace sees it.
type InboxViewUpdate struct {
	Name   string `json:"name" maxLength:"80"`
	Shared bool   `json:"shared,omitempty"`
}

type updateInboxViewIn struct {
	ID   int64 `path:"id"`
	Body InboxViewUpdate
}

func (s *server) updateInboxView(ctx context.Context, in *updateInboxViewIn) (*body[InboxViewOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	v, err := s.Inbox.RenameView(ctx, u, in.ID, in.Body.Name, in.Body.Shared)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[InboxViewOut]{toInboxView(v)}, nil
}

func (s *server) deleteInboxView(ctx context.Context, in *inboxViewPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Inbox.DeleteView(ctx, u, in.ID))
}
