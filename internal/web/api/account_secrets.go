package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tribune-social/tribune/internal/store"
)

// secretRoutes are the routes of an account's own secrets: API tokens,
// password and password reset, and the workspace's iCal secret.
func (s *server) secretRoutes(a huma.API) {
	huma.Register(a, op("list-tokens", http.MethodGet, "/v1/tokens", "The user's API tokens (never the secrets themselves)", "accounts"), s.listTokens)
	huma.Register(a, noContent(op("revoke-token", http.MethodDelete, "/v1/tokens/{id}", "Revoke one of the user's API tokens", "accounts")), s.revokeToken)
	huma.Register(a, noContent(op("change-password", http.MethodPut, "/v1/me/password", "Change the password (the current one is required); every browser session of the user ends", "accounts")), s.changePassword)
	huma.Register(a, accepted(op("request-password-reset", http.MethodPost, "/v1/password-resets", "E-mail a single-use reset link (when SMTP is configured); the answer is the same for an unknown address", "accounts")), s.requestPasswordReset)
	huma.Register(a, noContent(op("reset-password", http.MethodPost, "/v1/password-resets/{token}", "Set a new password with the token of a reset link", "accounts")), s.resetPassword)
	huma.Register(a, op("rotate-ical", http.MethodPost, "/v1/workspaces/{ws}/ical-secret", "Make a new iCal feed URL, shown once; the previous one stops working", "calendar"), s.rotateICal)
}

func noContent(o huma.Operation) huma.Operation {
	o.DefaultStatus = http.StatusNoContent
	return o
}

func accepted(o huma.Operation) huma.Operation {
	o.DefaultStatus = http.StatusAccepted
	return o
}

// APITokenOut is an API token as listed: never the token itself.
type APITokenOut struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" doc:"Recorded at most once a minute"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	Expired    bool       `json:"expired"`
}

func (s *server) listTokens(ctx context.Context, _ *struct{}) (*body[[]APITokenOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	list, err := s.Auth.ListAPITokens(ctx, u)
	if err != nil {
		return nil, s.fail(err)
	}
	now := s.Now()
	out := &body[[]APITokenOut]{Body: []APITokenOut{}}
	for _, t := range list {
		out.Body = append(out.Body, toAPIToken(t, now))
	}
	return out, nil
}

func toAPIToken(t store.APIToken, now time.Time) APITokenOut {
	return APITokenOut{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt,
		Expired: t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)}
}

func (s *server) revokeToken(ctx context.Context, in *idPath) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Auth.RevokeAPIToken(ctx, u, in.ID))
}

// PasswordChange is the body of change-password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password" doc:"At least 10 characters"`
}

func (s *server) changePassword(ctx context.Context, in *body[PasswordChange]) (*struct{}, error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return nil, s.fail(s.Auth.ChangePassword(ctx, u, in.Body.CurrentPassword, in.Body.NewPassword, ""))
}

// PasswordResetRequest is the body of request-password-reset.
type PasswordResetRequest struct {
	Email string `json:"email"`
}

func (s *server) requestPasswordReset(ctx context.Context, in *body[PasswordResetRequest]) (*struct{}, error) {
	return nil, s.fail(s.Auth.RequestPasswordReset(ctx, in.Body.Email))
}

// PasswordReset is the body of reset-password.
type PasswordReset struct {
	Password string `json:"password" doc:"The new password, at least 10 characters"`
}

type resetIn struct {
	Token string `path:"token"`
	Body  PasswordReset
}

func (s *server) resetPassword(ctx context.Context, in *resetIn) (*struct{}, error) {
	return nil, s.fail(s.Auth.ResetPassword(ctx, in.Token, in.Body.Password))
}

// ICalSecretOut is a new iCal feed URL.
type ICalSecretOut struct {
	URL string `json:"ical_url" doc:"Shown once: only its hash is kept"`
}

func (s *server) rotateICal(ctx context.Context, in *wsPath) (*body[ICalSecretOut], error) {
	u, err := user(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	url, err := s.Calendar.RotateICal(ctx, u, in.WS)
	if err != nil {
		return nil, s.fail(err)
	}
	return &body[ICalSecretOut]{Body: ICalSecretOut{URL: url}}, nil
}
