package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/webhooks"
)

const webhooksDoc = "Tribune POSTs each event as JSON {id, type, created_at, workspace, data} with the headers " +
	"Tribune-Event-Id, Tribune-Event-Type, Tribune-Timestamp and Tribune-Signature: t=<timestamp>,v1=<hex HMAC-SHA256 of \"<timestamp>.<body>\" keyed with the endpoint's secret>. " +
	"A 2xx answer delivers; 408, 429 (Retry-After honoured), 5xx and network errors are retried with backoff; other 4xx are not. See docs/webhooks.md."

// webhookRoutes are the routes of a workspace's outgoing webhooks, for its
// owners and admins.
func (s *server) webhookRoutes(a huma.API) {
	list := op("list-webhooks", http.MethodGet, "/v1/workspaces/{ws}/webhooks", "The workspace's webhook endpoints (never their secrets)", "webhooks")
	list.Description = webhooksDoc
	huma.Register(a, list, s.listWebhooks)
	huma.Register(a, created(op("create-webhook", http.MethodPost, "/v1/workspaces/{ws}/webhooks", "Register an https endpoint for some events; its signing secret is shown once", "webhooks")), s.createWebhook)
	huma.Register(a, op("get-webhook", http.MethodGet, "/v1/workspaces/{ws}/webhooks/{id}", "One webhook endpoint", "webhooks"), s.getWebhook)
	huma.Register(a, op("update-webhook", http.MethodPut, "/v1/workspaces/{ws}/webhooks/{id}", "Replace an endpoint's address, events and whether it is enabled", "webhooks"), s.updateWebhook)
	huma.Register(a, noContent(op("delete-webhook", http.MethodDelete, "/v1/workspaces/{ws}/webhooks/{id}", "Delete an endpoint and its delivery log", "webhooks")), s.deleteWebhook)
	huma.Register(a, op("rotate-webhook-secret", http.MethodPost, "/v1/workspaces/{ws}/webhooks/{id}/secret", "Make a new signing secret, shown once; later deliveries are signed with it", "webhooks"), s.rotateWebhookSecret)
	huma.Register(a, accepted(op("test-webhook", http.MethodPost, "/v1/workspaces/{ws}/webhooks/{id}/test", "Send a webhook.test event to the endpoint; its outcome appears in the delivery log", "webhooks")), s.testWebhook)
	huma.Register(a, op("webhook-deliveries", http.MethodGet, "/v1/workspaces/{ws}/webhooks/{id}/deliveries", "The endpoint's latest delivery attempts, newest first", "webhooks"), s.webhookDeliveries)
}

type webhookPath struct {
	WS int64 `path:"ws" doc:"Workspace id"`
	ID int64 `path:"id" doc:"Webhook endpoint id"`
}

// WebhookOut is a webhook endpoint: never its secret.
type WebhookOut struct {
	ID             int64      `json:"id"`
	URL            string     `json:"url"`
	Events         []string   `json:"events"`
	Enabled        bool       `json:"enabled"`
	DisabledReason string     `json:"disabled_reason,omitempty" doc:"Why Tribune disabled it, in English"`
	FailingSince   *time.Time `json:"failing_since,omitempty" doc:"Since when its deliveries have failed"`
	CreatedAt      time.Time  `json:"created_at"`
}

// WebhookSecretOut is a webhook endpoint with its new secret.
type WebhookSecretOut struct {
	Webhook *WebhookOut `json:"webhook,omitempty"`
	Secret  string      `json:"secret" doc:"Shown once: sign-checking key of the deliveries (whsec_…)"`
}

type webhookInBody struct {
	URL     string   `json:"url" maxLength:"2000" doc:"https address that receives the events"`
	Events  []string `json:"events" minItems:"1" doc:"inbox.item.created, inbox.item.updated, inbox.rule.action, post.published, post.failed"`
	Enabled *bool    `json:"enabled,omitempty" doc:"Default true"`
}

func (b webhookInBody) input() webhooks.Input {
	in := webhooks.Input{URL: b.URL, Enabled: b.Enabled == nil || *b.Enabled}
	for _, e := range b.Events {
		in.Events = append(in.Events, webhooks.EventType(e))
	}
	return in
}

type createWebhookIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	Body webhookInBody
}

type updateWebhookIn struct {
	WS   int64 `path:"ws" doc:"Workspace id"`
	ID   int64 `path:"id" doc:"Webhook endpoint id"`
	Body webhookInBody
}

func toWebhook(e webhooks.Endpoint) WebhookOut {
	out := WebhookOut{ID: e.ID, URL: e.URL, Events: []string{}, Enabled: e.Enabled, DisabledReason: e.DisabledReason, FailingSince: e.FailingSince, CreatedAt: e.CreatedAt}
	for _, t := range e.Events {
		out.Events = append(out.Events, string(t))
	}
	return out
}

func (s *server) listWebhooks(ctx context.Context, in *wsPath) (*body[[]WebhookOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	list, err := s.Webhooks.List(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	out := &body[[]WebhookOut]{Body: []WebhookOut{}}
	for _, e := range list {
		out.Body = append(out.Body, toWebhook(e))
	}
	return out, nil
}

func (s *server) createWebhook(ctx context.Context, in *createWebhookIn) (*body[WebhookSecretOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	e, sec, err := s.Webhooks.Create(ctx, u, in.WS, in.Body.input())
	if err != nil {
		return nil, s.fail(err)
	}
	w := toWebhook(e)
	return &body[WebhookSecretOut]{WebhookSecretOut{Webhook: &w, Secret: sec}}, nil
}

func (s *server) getWebhook(ctx context.Context, in *webhookPath) (*body[WebhookOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	e, err := s.Webhooks.Get(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[WebhookOut]{toWebhook(e)}, nil
}

func (s *server) updateWebhook(ctx context.Context, in *updateWebhookIn) (*body[WebhookOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	e, err := s.Webhooks.Update(ctx, u, in.WS, in.ID, in.Body.input())
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[WebhookOut]{toWebhook(e)}, nil
}

func (s *server) deleteWebhook(ctx context.Context, in *webhookPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Webhooks.Delete(ctx, u, in.WS, in.ID))
}

func (s *server) rotateWebhookSecret(ctx context.Context, in *webhookPath) (*body[WebhookSecretOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	sec, err := s.Webhooks.RotateSecret(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[WebhookSecretOut]{WebhookSecretOut{Secret: sec}}, nil
}

// WebhookTestOut names the test event sent.
type WebhookTestOut struct {
	EventID string `json:"event_id"`
}

func (s *server) testWebhook(ctx context.Context, in *webhookPath) (*body[WebhookTestOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	id, err := s.Webhooks.SendTest(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[WebhookTestOut]{WebhookTestOut{id}}, nil
}

// WebhookDeliveryOut is one delivery attempt.
type WebhookDeliveryOut struct {
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type"`
	Attempt    int64     `json:"attempt"`
	At         time.Time `json:"at"`
	Outcome    string    `json:"outcome" enum:"delivered,retry,failed"`
	HTTPStatus int64     `json:"http_status,omitempty" doc:"0 when no answer came"`
	DurationMs int64     `json:"duration_ms"`
	Error      string    `json:"error,omitempty"`
	Response   string    `json:"response,omitempty" doc:"The start of the endpoint's answer (1 KiB at most)"`
}

func (s *server) webhookDeliveries(ctx context.Context, in *webhookPath) (*body[[]WebhookDeliveryOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	list, err := s.Webhooks.Deliveries(ctx, u, in.WS, in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	out := &body[[]WebhookDeliveryOut]{Body: []WebhookDeliveryOut{}}
	for _, d := range list {
		out.Body = append(out.Body, WebhookDeliveryOut{EventID: d.EventID, EventType: d.EventType, Attempt: d.Attempt, At: d.At, Outcome: d.Outcome,
			HTTPStatus: d.HTTPStatus, DurationMs: d.DurationMs, Error: d.Error, Response: d.Response})
	}
	return out, nil
}
