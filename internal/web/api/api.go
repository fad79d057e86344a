// Package api is Tribune's REST API (huma, OpenAPI 3.1 at
// /api/openapi.json): bearer API tokens, an Idempotency-Key on every
// create, and the same use cases as the web UI.
package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/calendar"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/media"
	"github.com/tribune-social/tribune/internal/ops"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/webctx"
)

// Deps are the use cases the API exposes.
type Deps struct {
	Store    store.Store
	Auth     *auth.Service
	Posts    *posts.Service
	Channels *channels.Service
	Media    *media.Service
	Calendar *calendar.Service
	Importer *calendar.Importer
	Status   *ops.Status
	Log      *slog.Logger
	Now      func() time.Time
}

type server struct{ Deps }

// New returns the API handler, to be mounted at /api/.
func New(d Deps) http.Handler {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("Tribune API", "1.0.0")
	cfg.Info.Description = "Plan, approve, schedule and publish to social networks. Authenticate with `Authorization: Bearer tri_…` " +
		"(create a token in the web UI under API tokens, or with POST /api/v1/tokens). Every create accepts an `Idempotency-Key` header: " +
		"a repeated request with the same key returns the first answer instead of creating twice."
	cfg.OpenAPIPath = "/openapi"
	cfg.DocsPath = "/docs"
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{"bearer": {Type: "http", Scheme: "bearer"}}
	cfg.Security = []map[string][]string{{"bearer": {}}}
	a := humago.NewWithPrefix(mux, "/api", cfg)
	s := &server{d}
	s.routes(a)
	return s.authenticate(s.idempotency(mux))
}

// apiError is a problem.Error as huma writes it.
type apiError struct {
	Status  int              `json:"status"`
	Code    string           `json:"code"`
	Message string           `json:"message"`
	FR      string           `json:"message_fr,omitempty"`
	Details []problem.Detail `json:"details,omitempty"`
}

func (e *apiError) Error() string  { return e.Message }
func (e *apiError) GetStatus() int { return e.Status }

// fail converts any error into the API's error body, logging what is not
// meant for the client.
func (s *server) fail(err error) error {
	if err == nil {
		return nil
	}
	var se huma.StatusError
	if errors.As(err, &se) {
		return err
	}
	pe := problem.As(err)
	if pe.Status >= 500 {
		s.Log.Error("api", "err", err)
	}
	return withRetryAfter(err, &apiError{Status: pe.Status, Code: pe.Code, Message: pe.Message, FR: pe.MessageFR, Details: pe.Details})
}

func user(ctx context.Context) (store.User, error) {
	u, ok := webctx.User(ctx)
	if !ok {
		return u, problem.Unauthorized
	}
	return u, nil
}

// public paths need no token.
func public(r *http.Request) bool {
	p := strings.TrimPrefix(r.URL.Path, "/api")
	return strings.HasPrefix(p, "/openapi") || strings.HasPrefix(p, "/docs") || strings.HasPrefix(p, "/schemas") ||
		(r.Method == http.MethodPost && (p == "/v1/setup" || p == "/v1/tokens" || strings.HasPrefix(p, "/v1/invitations/") || strings.HasPrefix(p, "/v1/reviews/"))) ||
		(r.Method == http.MethodGet && strings.HasPrefix(p, "/v1/reviews/"))
}

func writeJSONError(w http.ResponseWriter, pe *problem.Error) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(pe.Status)
	_, _ = io.WriteString(w, `{"status":`+itoa(pe.Status)+`,"code":"`+pe.Code+`","message":"`+pe.Message+`"}`)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// authenticate resolves the bearer token to a user.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			u, err := s.Auth.APITokenUser(r.Context(), strings.TrimSpace(tok))
			if err != nil {
				writeJSONError(w, problem.As(err))
				return
			}
			r = r.WithContext(webctx.WithUser(r.Context(), u))
			// Membership is checked before the body is even read, so an
			// outsider learns nothing from validation errors. Handlers
			// still check the permission each operation needs.
			if ws, ok := workspaceInPath(r.URL.Path); ok {
				if _, _, err := s.Auth.Authorize(r.Context(), u, ws, auth.View); err != nil {
					writeJSONError(w, problem.As(err))
					return
				}
			}
		} else if !public(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tribune"`)
			writeJSONError(w, problem.Unauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// workspaceInPath reads the {ws} of /api/v1/workspaces/{ws}/….
func workspaceInPath(p string) (int64, bool) {
	rest, ok := strings.CutPrefix(p, "/api/v1/workspaces/")
	if !ok {
		return 0, false
	}
	idStr, _, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(idStr, 10, 64)
	return id, err == nil
}

type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *capture) WriteHeader(code int) {
	c.status = code
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// idempotency replays the stored answer of a POST whose Idempotency-Key was
// seen before for this user, and refuses the key reused for another request.
// Only successful answers are stored: a failed create can be retried with
// the same key.
func (s *server) idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		u, ok := webctx.User(r.Context())
		if key == "" || r.Method != http.MethodPost || !ok {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			writeJSONError(w, problem.Invalidf("Idempotency-Key", "bad_key", "Idempotency-Key is limited to 255 characters.", ""))
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		if err != nil {
			writeJSONError(w, problem.Invalidf("body", "unreadable", "The request body could not be read.", ""))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...))
		hash := hex.EncodeToString(sum[:])
		ctx := r.Context()
		n, err := s.Store.ReserveIdempotencyKey(ctx, store.ReserveIdempotencyKeyParams{UserID: u.ID, Key: key, RequestHash: hash, Body: []byte{}, CreatedAt: s.Now().UTC()})
		if err != nil {
			writeJSONError(w, problem.Internal.Wrap(err))
			return
		}
		if n == 0 {
			rec, err := s.Store.GetIdempotencyRecord(ctx, store.GetIdempotencyRecordParams{UserID: u.ID, Key: key})
			switch {
			case err != nil:
				writeJSONError(w, problem.Internal.Wrap(err))
			case rec.RequestHash != hash:
				writeJSONError(w, problem.New(http.StatusUnprocessableEntity, "idempotency_key_reused", "This Idempotency-Key was used for a different request.", "Cette clé d’idempotence a servi pour une autre requête."))
			case rec.Status == 0:
				writeJSONError(w, problem.New(http.StatusConflict, "idempotency_in_progress", "A request with this Idempotency-Key is still running; retry shortly.", "Une requête avec cette clé d’idempotence est en cours ; réessayez dans un instant."))
			default:
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(int(rec.Status))
				_, _ = w.Write(rec.Body)
			}
			return
		}
		c := &capture{ResponseWriter: w}
		next.ServeHTTP(c, r)
		bg := context.WithoutCancel(ctx)
		if c.status >= 200 && c.status < 300 {
			err = s.Store.CompleteIdempotencyKey(bg, store.CompleteIdempotencyKeyParams{Status: int64(c.status), Body: c.body.Bytes(), UserID: u.ID, Key: key})
		} else {
			err = s.Store.ReleaseIdempotencyKey(bg, store.ReleaseIdempotencyKeyParams{UserID: u.ID, Key: key})
		}
		if err != nil {
			s.Log.Error("idempotency record", "err", err)
		}
	})
}
