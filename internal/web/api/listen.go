package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/network/sandbox"
)

// Listening (issue 15): topics and their queries, the query checker and
// preview, and the sources with their status. A source's secret settings
// are write-only: the answers say which are set, never their values.
func (s *server) listenRoutes(a huma.API) {
	const tag = "listening"
	huma.Register(a, op("list-listen-topics", http.MethodGet, "/v1/workspaces/{ws}/listen/topics", "The workspace's listening topics with their queries", tag), s.listListenTopics)
	huma.Register(a, created(op("create-listen-topic", http.MethodPost, "/v1/workspaces/{ws}/listen/topics", "Add a topic (a brand, product, competitor, industry)", tag)), s.createListenTopic)
	huma.Register(a, op("get-listen-topic", http.MethodGet, "/v1/workspaces/{ws}/listen/topics/{id}", "A topic with its queries", tag), s.getListenTopic)
	huma.Register(a, op("update-listen-topic", http.MethodPut, "/v1/workspaces/{ws}/listen/topics/{id}", "Rename a topic or change its kind or colour", tag), s.updateListenTopic)
	huma.Register(a, noContent(op("delete-listen-topic", http.MethodDelete, "/v1/workspaces/{ws}/listen/topics/{id}", "Delete a topic and its queries", tag)), s.deleteListenTopic)

	huma.Register(a, created(op("create-listen-query", http.MethodPost, "/v1/workspaces/{ws}/listen/queries", "Save a query in a topic; a syntax error is refused with its column", tag)), s.createListenQuery)
	huma.Register(a, op("get-listen-query", http.MethodGet, "/v1/workspaces/{ws}/listen/queries/{id}", "A query", tag), s.getListenQuery)
	huma.Register(a, op("update-listen-query", http.MethodPut, "/v1/workspaces/{ws}/listen/queries/{id}", "Edit a query; a syntax error is refused and the saved query stays", tag), s.updateListenQuery)
	huma.Register(a, noContent(op("delete-listen-query", http.MethodDelete, "/v1/workspaces/{ws}/listen/queries/{id}", "Delete a query (its mentions stay)", tag)), s.deleteListenQuery)
	huma.Register(a, op("validate-listen-query", http.MethodPost, "/v1/workspaces/{ws}/listen/queries/validate", "Check a query without saving it: where a syntax error is and what was expected", tag), s.validateListenQuery)
	huma.Register(a, op("preview-listen-query", http.MethodPost, "/v1/workspaces/{ws}/listen/queries/preview", "What a query would have found over the last 7 days (stored mentions and recently seen posts)", tag), s.previewListenQuery)

	huma.Register(a, op("list-listen-source-kinds", http.MethodGet, "/v1/workspaces/{ws}/listen/source-kinds", "The kinds of source this server knows, their settings and what they need", tag), s.listListenKinds)
	huma.Register(a, op("list-listen-sources", http.MethodGet, "/v1/workspaces/{ws}/listen/sources", "The workspace's sources with their status, cursor, last error and counters", tag), s.listListenSources)
	huma.Register(a, created(op("create-listen-source", http.MethodPost, "/v1/workspaces/{ws}/listen/sources", "Add a source; secret settings are sealed and never shown again", tag)), s.createListenSource)
	huma.Register(a, op("get-listen-source", http.MethodGet, "/v1/workspaces/{ws}/listen/sources/{id}", "A source", tag), s.getListenSource)
	huma.Register(a, op("update-listen-source", http.MethodPut, "/v1/workspaces/{ws}/listen/sources/{id}", "Edit, pause or resume a source (a failed source is tried again); a secret left empty keeps its value", tag), s.updateListenSource)
	huma.Register(a, op("delete-listen-source", http.MethodDelete, "/v1/workspaces/{ws}/listen/sources/{id}", "Delete a source (its mentions stay). The answer names what the source left on its network when the network could not be reached (an X rule): the source is deleted all the same", tag), s.deleteListenSource)
	huma.Register(a, op("get-listen-settings", http.MethodGet, "/v1/workspaces/{ws}/listen/settings", "The workspace's listening settings: how many months mentions are kept", tag), s.getListenSettings)
	huma.Register(a, op("update-listen-settings", http.MethodPut, "/v1/workspaces/{ws}/listen/settings", "Set how many months mentions are kept (1 to 120); older mentions go at the next hourly retention run", tag), s.updateListenSettings)
	huma.Register(a, op("set-sandbox-storm", http.MethodPost, "/v1/workspaces/{ws}/listen/sources/{id}/storm", "Switch the storm of the Sandbox public stream a Sandbox source reads: auto, on or off", tag), s.setSandboxStorm)
}

// ListenTopicsOut lists topics.
type ListenTopicsOut struct {
	Topics []listen.Topic `json:"topics"`
}

func (s *server) listListenTopics(ctx context.Context, in *wsPath) (*body[ListenTopicsOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	ts, err := s.Listen.Topics(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[ListenTopicsOut]{ListenTopicsOut{Topics: ts}}, nil
}

type listenTopicIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body listen.TopicInput
}

func (s *server) createListenTopic(ctx context.Context, in *listenTopicIn) (*body[listen.Topic], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	t, err := s.Listen.CreateTopic(ctx, u, in.WS, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Topic]{t}, nil
}

func (s *server) getListenTopic(ctx context.Context, in *wsIDPath) (*body[listen.Topic], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	t, err := s.Listen.Topic(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Topic]{t}, nil
}

type updateListenTopicIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	ID   int64 `path:"id"`
	Body listen.TopicInput
}

func (s *server) updateListenTopic(ctx context.Context, in *updateListenTopicIn) (*body[listen.Topic], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	t, err := s.Listen.UpdateTopic(ctx, u, in.WS, in.ID, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Topic]{t}, nil
}

func (s *server) deleteListenTopic(ctx context.Context, in *wsIDPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Listen.DeleteTopic(ctx, u, in.WS, in.ID))
}

type listenQueryIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body listen.QueryInput
}

func (s *server) createListenQuery(ctx context.Context, in *listenQueryIn) (*body[listen.Query], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	q, err := s.Listen.CreateQuery(ctx, u, in.WS, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Query]{q}, nil
}

func (s *server) getListenQuery(ctx context.Context, in *wsIDPath) (*body[listen.Query], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	q, err := s.Listen.Query(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Query]{q}, nil
}

type updateListenQueryIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	ID   int64 `path:"id"`
	Body listen.QueryInput
}

func (s *server) updateListenQuery(ctx context.Context, in *updateListenQueryIn) (*body[listen.Query], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	q, err := s.Listen.UpdateQuery(ctx, u, in.WS, in.ID, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Query]{q}, nil
}

func (s *server) deleteListenQuery(ctx context.Context, in *wsIDPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Listen.DeleteQuery(ctx, u, in.WS, in.ID))
}

// ListenQueryText is a query to check or preview.
type ListenQueryText struct {
	Query      string `json:"query" maxLength:"4000"`
	IncludeOwn bool   `json:"include_own,omitempty" doc:"Preview with our own accounts' posts too"`
}

type listenQueryTextIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body ListenQueryText
}

func (s *server) validateListenQuery(ctx context.Context, in *listenQueryTextIn) (*body[listen.Validation], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	v, err := s.Listen.ValidateFor(ctx, u, in.WS, in.Body.Query)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Validation]{v}, nil
}

func (s *server) previewListenQuery(ctx context.Context, in *listenQueryTextIn) (*body[listen.Preview], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	p, err := s.Listen.Preview(ctx, u, in.WS, in.Body.Query, in.Body.IncludeOwn)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Preview]{p}, nil
}

// ListenKindOut is a kind of source.
type ListenKindOut struct {
	Name    string               `json:"name"`
	Label   string               `json:"label"`
	Network string               `json:"network"`
	Needs   string               `json:"needs"`
	Fields  []ListenKindFieldOut `json:"fields"`
}

// ListenKindFieldOut is one setting of a kind.
type ListenKindFieldOut struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Help     string `json:"help,omitempty"`
	Required bool   `json:"required"`
	Secret   bool   `json:"secret" doc:"Sealed at rest and never shown again"`
}

// ListenKindsOut lists the kinds.
type ListenKindsOut struct {
	Kinds []ListenKindOut `json:"kinds"`
}

func (s *server) listListenKinds(ctx context.Context, in *wsPath) (*body[ListenKindsOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	if _, err := s.Listen.Sources(ctx, u, in.WS); err != nil {
		return nil, s.fail(err)
	}
	out := ListenKindsOut{Kinds: []ListenKindOut{}}
	for _, k := range s.Listen.KindList() {
		ko := ListenKindOut{Name: k.Name, Label: k.Label, Network: k.Network, Needs: k.Needs, Fields: []ListenKindFieldOut{}}
		for _, f := range k.Fields {
			ko.Fields = append(ko.Fields, ListenKindFieldOut{Name: f.Name, Label: f.Label, Help: f.Help, Required: f.Required, Secret: f.Secret})
		}
		out.Kinds = append(out.Kinds, ko)
	}
	return &body[ListenKindsOut]{out}, nil
}

// ListenSourcesOut lists sources.
type ListenSourcesOut struct {
	Sources []listen.Source `json:"sources"`
}

func (s *server) listListenSources(ctx context.Context, in *wsPath) (*body[ListenSourcesOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	ss, err := s.Listen.Sources(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[ListenSourcesOut]{ListenSourcesOut{Sources: ss}}, nil
}

type listenSourceIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body listen.SourceInput
}

func (s *server) createListenSource(ctx context.Context, in *listenSourceIn) (*body[listen.Source], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	src, err := s.Listen.CreateSource(ctx, u, in.WS, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Source]{src}, nil
}

func (s *server) getListenSource(ctx context.Context, in *wsIDPath) (*body[listen.Source], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	src, err := s.Listen.Source(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Source]{src}, nil
}

type updateListenSourceIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	ID   int64 `path:"id"`
	Body listen.SourceInput
}

func (s *server) updateListenSource(ctx context.Context, in *updateListenSourceIn) (*body[listen.Source], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	src, err := s.Listen.UpdateSource(ctx, u, in.WS, in.ID, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Source]{src}, nil
}

func (s *server) deleteListenSource(ctx context.Context, in *wsIDPath) (*body[listen.SourceDeleted], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	out, err := s.Listen.DeleteSource(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.SourceDeleted]{out}, nil
}

// SandboxStormIn switches the storm.
type SandboxStormIn struct {
	Mode string `json:"mode" enum:"auto,on,off" doc:"auto: now and then; on; off"`
}

type sandboxStormIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	ID   int64 `path:"id"`
	Body SandboxStormIn
}

func (s *server) setSandboxStorm(ctx context.Context, in *sandboxStormIn) (*body[sandbox.PublicStorm], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	st, err := s.Listen.SandboxStorm(ctx, u, in.WS, in.ID, in.Body.Mode)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[sandbox.PublicStorm]{st}, nil
}

func (s *server) getListenSettings(ctx context.Context, in *wsPath) (*body[listen.Settings], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	out, err := s.Listen.Settings(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Settings]{out}, nil
}

type updateListenSettingsIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body listen.Settings
}

func (s *server) updateListenSettings(ctx context.Context, in *updateListenSettingsIn) (*body[listen.Settings], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	out, err := s.Listen.SaveSettings(ctx, u, in.WS, in.Body)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[listen.Settings]{out}, nil
}
