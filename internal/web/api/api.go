// Package api is Tribune's REST API (huma, OpenAPI 3.1 at
// /api/openapi.json): bearer API tokens, an Idempotency-Key on every
// create, and the same use cases as the web UI.
package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/bulk"
	"github.com/tribune-social/tribune/internal/calendar"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/idempotency"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/listen/analysis"
	"github.com/tribune-social/tribune/internal/listen/signals"
	"github.com/tribune-social/tribune/internal/media"
	"github.com/tribune-social/tribune/internal/notify"
	"github.com/tribune-social/tribune/internal/ops"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/webctx"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// Deps are the use cases the API exposes.
type Deps struct {
	Auth     *auth.Service
	Posts    *posts.Service
	Channels *channels.Service
	Media    *media.Service
	Calendar *calendar.Service
	Importer *calendar.Importer
	Status   *ops.Status
	Log      *slog.Logger
	Now      func() time.Time

	// Idempotency records the answers replayed for a repeated Idempotency-Key.
	Idempotency *idempotency.Records

	// Notifications lists and counts a user's in-app notifications.
	Notifications *notify.Notifier

	// Sentiment scores texts (shared with the inbox: load it once).
	Sentiment *sentiment.Model
	// Inbox is the community inbox.
	Inbox *inbox.Service
	// Webhooks manages the workspace's outgoing webhooks.
	Webhooks *webhooks.Service
	// Contacts is one person across networks (the inbox's authors grouped).
	Contacts *contacts.Service
	// Crisis is the crisis cell: incidents, playbooks, reports.
	Crisis *crisis.Service
	// Listen is listening: topics, queries, sources (issue 15).
	Listen *listen.Service
	// ListenAnalysis is the listening dashboard and mention list.
	ListenAnalysis *analysis.Service
	// Signals and Alerts are listening's weak signals and alert rules.
	Signals *signals.Service
	Alerts  *alerts.Service
}

type server struct{ Deps }

// License is the API document's info.license (OpenAPI linters require one).
// The project has not chosen its licence yet, so the document claims none
// it does not have: it says so, and changes only here once one is chosen.
var License = &huma.License{Name: "No licence chosen yet (all rights reserved)", Identifier: "LicenseRef-Tribune-Unlicensed"}

// New returns the API handler, to be mounted at /api/.
func New(d Deps) http.Handler {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("Tribune API", "1.0.0")
	cfg.Info.Description = "Plan, approve, schedule and publish to social networks. Authenticate with `Authorization: Bearer tri_…` " +
		"(create a token in the web UI under API tokens, or with POST /api/v1/tokens). Every create accepts an `Idempotency-Key` header: " +
		"a repeated request with the same key (for 24 hours) returns the first answer instead of creating twice; the same key with another body is refused (422)."
	cfg.Info.License = License
	cfg.Transformers = append(cfg.Transformers, redactErrorValues)
	cfg.OpenAPIPath = "/openapi"
	cfg.DocsPath = "/docs"
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{"bearer": {Type: "http", Scheme: "bearer"}}
	cfg.Security = []map[string][]string{{"bearer": {}}}
	a := humago.NewWithPrefix(mux, "/api", cfg)
	// A report row's JSON (bulk.RowError.MarshalJSON) carries its message in
	// English and, from the catalogue, in French: document what is written.
	a.OpenAPI().Components.Schemas.RegisterTypeAlias(reflect.TypeFor[bulk.RowError](), reflect.TypeFor[rowError]())
	s := &server{d}
	s.routes(a)
	limits := bodyLimits(a)
	// huma registers the schema of huma.FormFile for multipart bodies, but
	// the upload's form schema describes its file inline: an unused
	// component, which linters flag.
	delete(a.OpenAPI().Components.Schemas.Map(), "FormFile")
	return validText(s.authenticate(s.idempotency(mux, limits)))
}

// apiError is a problem.Error as huma writes it.
type apiError struct {
	Status  int         `json:"status"`
	Code    string      `json:"code"`
	Message string      `json:"message"`
	FR      string      `json:"message_fr,omitempty"`
	Details []apiDetail `json:"details,omitempty"`
}

// apiDetail is a problem.Detail in both languages.
type apiDetail struct {
	Location string `json:"location"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	FR       string `json:"message_fr,omitempty"`
}

// rowError is the schema of bulk.RowError as its JSON reads; huma names it
// RowError.
type rowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
	FR      string `json:"message_fr"`
}

// errorBody renders pe in English with its French beside it.
func errorBody(pe *problem.Error) *apiError {
	e := &apiError{Status: pe.Status, Code: pe.Code, Message: pe.Localized("en"), FR: pe.Localized("fr")}
	for _, d := range pe.Details {
		e.Details = append(e.Details, apiDetail{Location: d.Location, Code: d.Code, Message: d.Localized("en"), FR: d.Localized("fr")})
	}
	return e
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
	return withRetryAfter(err, errorBody(pe))
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
		(r.Method == http.MethodPost && (p == "/v1/setup" || p == "/v1/tokens" || strings.HasPrefix(p, "/v1/invitations/") || strings.HasPrefix(p, "/v1/reviews/") ||
			p == "/v1/password-resets" || strings.HasPrefix(p, "/v1/password-resets/"))) ||
		(r.Method == http.MethodGet && strings.HasPrefix(p, "/v1/reviews/"))
}

func writeJSONError(w http.ResponseWriter, pe *problem.Error) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(pe.Status)
	// The same body as huma's errors: the message rendered (a throttled
	// sign-in's wait formatted) in English and French, JSON-escaped.
	_ = json.NewEncoder(w).Encode(errorBody(pe))
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

// capture records the answer of a request whose Idempotency-Key is new.
// before runs once, before the answer starts.
type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
	before func(status int)
}

func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
		c.before(code)
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// defaultBodyLimit is huma's own cap on a request body (1 MB) for the
// operations that set none.
const defaultBodyLimit = 1 << 20

// bodyLimits maps each POST route of the mux ("POST /api/v1/…") to its
// operation's body cap, so the Idempotency-Key middleware never reads more of
// a body than the endpoint itself would.
func bodyLimits(a huma.API) map[string]int64 {
	limits := map[string]int64{}
	for path, item := range a.OpenAPI().Paths {
		if item.Post != nil && item.Post.MaxBodyBytes > 0 {
			limits[http.MethodPost+" /api"+path] = item.Post.MaxBodyBytes
		}
	}
	return limits
}

// idempotency replays the recorded answer of a POST whose Idempotency-Key
// was seen before for this user, and refuses the key reused for another
// request. Only successful answers are recorded: a failed create can be
// retried with the same key.
//
// The body is never held: it streams to the handler through a SHA-256
// (method, URI and body make the request's hash), read no further than the
// endpoint's own cap. The key is reserved before the request runs, and the
// hash recorded with the answer once it is known; a repeat hashes its body
// the same way, holding nothing, before comparing. Recorded answers are
// sealed with the keyring (see idempotency.Records.Complete): answers that
// carry a secret shown once (invitation and review-link tokens) replay it to
// the same user, and the database never holds it in plain text.
func (s *server) idempotency(mux *http.ServeMux, limits map[string]int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		u, ok := webctx.User(r.Context())
		if key == "" || r.Method != http.MethodPost || !ok {
			mux.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			writeJSONError(w, problem.Invalidf("Idempotency-Key", "bad_key", "Idempotency-Key is limited to 255 characters."))
			return
		}
		limit := int64(defaultBodyLimit)
		if _, pattern := mux.Handler(r); limits[pattern] > 0 {
			limit = limits[pattern]
		}
		h := sha256.New()
		_, _ = io.WriteString(h, r.Method+" "+r.URL.RequestURI()+"\n")
		body := http.MaxBytesReader(w, r.Body, limit)
		ctx := r.Context()
		reserved, err := s.Idempotency.Reserve(ctx, u.ID, key)
		if err != nil {
			writeJSONError(w, problem.Internal.Wrap(err))
			return
		}
		if !reserved {
			s.replay(w, r, u.ID, key, h, body)
			return
		}
		c := &capture{ResponseWriter: w, before: func(status int) {
			// A successful handler read what it needed; what it left (a
			// route without a body, a multipart epilogue) is hashed too, so
			// a repeat's hash of the whole body matches.
			if status >= 200 && status < 300 {
				_, _ = io.Copy(h, body)
			}
		}}
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(body, h), body}
		mux.ServeHTTP(c, r)
		bg := context.WithoutCancel(ctx)
		if c.status >= 200 && c.status < 300 {
			err = s.Idempotency.Complete(bg, u.ID, key, hex.EncodeToString(h.Sum(nil)), c.status, c.body.Bytes())
		} else {
			err = s.Idempotency.Release(bg, u.ID, key)
		}
		if err != nil {
			s.Log.Error("idempotency record", "err", err)
		}
	})
}

// replay answers a repeated Idempotency-Key: the recorded answer when the
// request is the same, an error otherwise.
func (s *server) replay(w http.ResponseWriter, r *http.Request, userID int64, key string, h hash.Hash, body io.Reader) {
	rec, err := s.Idempotency.Get(r.Context(), userID, key)
	if err != nil {
		writeJSONError(w, problem.Internal.Wrap(err))
		return
	}
	if rec.Status == idempotency.Pending {
		writeJSONError(w, problem.New(http.StatusConflict, "idempotency_in_progress", "A request with this Idempotency-Key is still running; retry shortly."))
		return
	}
	if _, err := io.Copy(h, body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSONError(w, problem.New(http.StatusRequestEntityTooLarge, "too_large", "The request body is larger than this endpoint accepts."))
			return
		}
		writeJSONError(w, problem.Invalidf("body", "unreadable", "The request body could not be read."))
		return
	}
	if hex.EncodeToString(h.Sum(nil)) != rec.RequestHash {
		writeJSONError(w, problem.New(http.StatusUnprocessableEntity, "idempotency_key_reused", "This Idempotency-Key was used for a different request."))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(rec.Status)
	_, _ = w.Write(rec.Body)
}
