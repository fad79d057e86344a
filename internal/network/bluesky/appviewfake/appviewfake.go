// Package appviewfake is a Bluesky AppView for tests, written from the
// lexicons (app.bsky.notification.listNotifications and updateSeen,
// app.bsky.feed.getPostThread and getPosts, app.bsky.actor.getProfile) and from how the reference AppView builds
// notifications (one per post and recipient: a mention first, then a
// quote, then a reply to any of the five nearest ancestors; sorted by the
// earlier of createdAt and indexing time; paged by that time, strictly
// older than the cursor).
//
// It holds no data of its own: on every request it reads the repositories
// of the accounts it follows from a Source (a real PDS through
// com.atproto.repo.listRecords, or an in-memory repository for unit
// tests), as a real AppView reads the firehose. A real PDS proxies app.bsky.*
// to it when started with PDS_BSKY_APP_VIEW_URL and PDS_BSKY_APP_VIEW_DID
// (see pdstest.Options).
//
// It asserts what it is sent: a request that the lexicon does not allow
// (wrong method, an unknown or out-of-range parameter, a proxied call whose
// service token names another audience or method) is answered 400 and kept
// in Violations, which a test checks is empty.
package appviewfake

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Record is one record of a repository.
type Record struct {
	URI   string          `json:"uri"`
	CID   string          `json:"cid"`
	Value json.RawMessage `json:"value"`
}

// Source reads repositories, as an AppView learns them from the network.
type Source interface {
	// Records lists a repository's records of one collection.
	Records(ctx context.Context, did, collection string) ([]Record, error)
	// Handle returns the handle of a DID.
	Handle(ctx context.Context, did string) (string, error)
}

// DefaultDID is the fake's service DID, the audience of the service tokens
// a PDS mints when it proxies a call to it.
const DefaultDID = "did:web:appview.tribune.test"

// Server is the fake AppView.
type Server struct {
	// DID is the service DID the PDS is configured with.
	DID string
	src Source
	// Viewer returns the account a bearer token that is not a service
	// token belongs to (calls made to the fake directly, not through a
	// PDS); nil refuses such calls.
	Viewer func(token string) string
	now    func() time.Time

	mu         sync.Mutex
	repos      []string
	indexedAt  map[string]time.Time // record URI → when the fake first saw it
	lastSeen   map[string]time.Time // viewer DID → updateSeen
	violations []string
	calls      []Call
}

// Call is one request the fake answered.
type Call struct {
	NSID   string
	Viewer string
	Query  map[string][]string
}

// New returns a fake reading from src.
func New(src Source) *Server {
	return &Server{DID: DefaultDID, src: src, now: time.Now,
		indexedAt: map[string]time.Time{}, lastSeen: map[string]time.Time{}}
}

// Follow adds repositories the fake indexes.
func (s *Server) Follow(dids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repos = append(s.repos, dids...)
}

// Violations are the requests that broke the lexicons.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// Calls are the requests answered, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func xrpcErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error": code, "message": msg})
}

// refuse records a lexicon violation and answers it.
func (s *Server) refuse(w http.ResponseWriter, nsid, format string, args ...any) {
	msg := nsid + ": " + fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.violations = append(s.violations, msg)
	s.mu.Unlock()
	xrpcErr(w, http.StatusBadRequest, "InvalidRequest", msg)
}

// viewer finds who is asking: the issuer of a PDS service token (whose
// audience and method must be this service and this call), or the owner
// of a direct token.
func (s *Server) viewer(r *http.Request, nsid string) (string, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return "", fmt.Errorf("no bearer token")
	}
	if parts := strings.Split(tok, "."); len(parts) == 3 {
		raw, err := base64.RawURLEncoding.DecodeString(parts[1])
		var claims struct {
			Iss string `json:"iss"`
			Aud string `json:"aud"`
			Lxm string `json:"lxm"`
			Exp int64  `json:"exp"`
		}
		if err == nil {
			err = json.Unmarshal(raw, &claims)
		}
		switch {
		case err != nil:
			return "", fmt.Errorf("unreadable service token: %v", err)
		case claims.Aud != s.DID:
			return "", fmt.Errorf("service token for %q, not %q", claims.Aud, s.DID)
		case claims.Lxm != "" && claims.Lxm != nsid:
			return "", fmt.Errorf("service token for method %q, not %q", claims.Lxm, nsid)
		case claims.Exp != 0 && time.Unix(claims.Exp, 0).Before(s.now()):
			return "", fmt.Errorf("expired service token")
		}
		return claims.Iss, nil
	}
	if s.Viewer != nil {
		if did := s.Viewer(tok); did != "" {
			return did, nil
		}
	}
	return "", fmt.Errorf("unknown token")
}

// param describes one query parameter of a lexicon.
type param struct {
	kind     string // "integer", "boolean", "string", "at-uri", "at-identifier", "datetime"
	array    bool
	maxItems int
	required bool
	min, max int
}

var queries = map[string]map[string]param{
	"app.bsky.notification.listNotifications": {
		"reasons":  {kind: "string", array: true},
		"limit":    {kind: "integer", min: 1, max: 100},
		"priority": {kind: "boolean"},
		"cursor":   {kind: "string"},
		"seenAt":   {kind: "datetime"},
	},
	"app.bsky.feed.getPosts": {
		"uris": {kind: "at-uri", array: true, maxItems: 25, required: true},
	},
	"app.bsky.actor.getProfile": {
		"actor": {kind: "at-identifier", required: true},
	},
	"app.bsky.feed.getPostThread": {
		"uri":          {kind: "at-uri", required: true},
		"depth":        {kind: "integer", min: 0, max: 1000},
		"parentHeight": {kind: "integer", min: 0, max: 1000},
	},
}

func checkParams(spec map[string]param, q map[string][]string) error {
	for name, vals := range q {
		p, ok := spec[name]
		if !ok {
			return fmt.Errorf("unknown parameter %q", name)
		}
		if len(vals) > 1 && !p.array {
			return fmt.Errorf("parameter %q given %d times", name, len(vals))
		}
		if p.maxItems > 0 && len(vals) > p.maxItems {
			return fmt.Errorf("parameter %q given %d times, at most %d", name, len(vals), p.maxItems)
		}
		for _, v := range vals {
			switch p.kind {
			case "integer":
				n, err := strconv.Atoi(v)
				if err != nil || n < p.min || n > p.max {
					return fmt.Errorf("parameter %q = %q, want an integer in [%d, %d]", name, v, p.min, p.max)
				}
			case "boolean":
				if v != "true" && v != "false" {
					return fmt.Errorf("parameter %q = %q, want true or false", name, v)
				}
			case "at-uri":
				if !strings.HasPrefix(v, "at://did:") {
					return fmt.Errorf("parameter %q = %q, want an at:// URI", name, v)
				}
			case "at-identifier":
				if !strings.HasPrefix(v, "did:") && !strings.Contains(v, ".") {
					return fmt.Errorf("parameter %q = %q, want a DID or a handle", name, v)
				}
			case "datetime":
				if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
					return fmt.Errorf("parameter %q = %q, want a datetime", name, v)
				}
			}
		}
	}
	for name, p := range spec {
		if p.required && len(q[name]) == 0 {
			return fmt.Errorf("missing parameter %q", name)
		}
	}
	return nil
}

// ServeHTTP answers the AppView methods the inbox uses.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	query := map[string][]string(r.URL.Query())
	switch nsid {
	case "app.bsky.notification.listNotifications", "app.bsky.feed.getPostThread", "app.bsky.feed.getPosts", "app.bsky.actor.getProfile":
		if r.Method != http.MethodGet {
			s.refuse(w, nsid, "a query is a GET, got %s", r.Method)
			return
		}
		if err := checkParams(queries[nsid], query); err != nil {
			s.refuse(w, nsid, "%v", err)
			return
		}
	case "app.bsky.notification.updateSeen":
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			s.refuse(w, nsid, "a procedure is a POST of application/json, got %s %s", r.Method, r.Header.Get("Content-Type"))
			return
		}
	default:
		xrpcErr(w, http.StatusNotImplemented, "MethodNotImplemented", "the fake AppView does not implement "+nsid)
		return
	}
	viewer, err := s.viewer(r, nsid)
	if err != nil {
		s.refuse(w, nsid, "%v", err)
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, Call{NSID: nsid, Viewer: viewer, Query: query})
	s.mu.Unlock()
	ix, err := s.index(r.Context())
	if err != nil {
		xrpcErr(w, http.StatusBadGateway, "UpstreamFailure", err.Error())
		return
	}
	switch nsid {
	case "app.bsky.notification.listNotifications":
		s.listNotifications(w, r, ix, viewer)
	case "app.bsky.feed.getPostThread":
		s.getPostThread(w, r, ix, viewer)
	case "app.bsky.feed.getPosts":
		s.getPosts(w, r, ix, viewer)
	case "app.bsky.actor.getProfile":
		s.getProfile(w, r, ix, viewer)
	case "app.bsky.notification.updateSeen":
		var in struct {
			SeenAt string `json:"seenAt"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			s.refuse(w, nsid, "unreadable body: %v", err)
			return
		}
		t, err := time.Parse(time.RFC3339Nano, in.SeenAt)
		if err != nil {
			s.refuse(w, nsid, "seenAt = %q, want a datetime", in.SeenAt)
			return
		}
		s.mu.Lock()
		s.lastSeen[viewer] = t
		s.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}
}

// LastSeen is the viewer's updateSeen time (zero if never called).
func (s *Server) LastSeen(did string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastSeen[did]
}
