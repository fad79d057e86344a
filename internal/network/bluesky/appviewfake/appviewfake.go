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
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/network/bluesky/xrpcfake"
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

	mu        sync.Mutex
	repos     []string
	indexedAt map[string]time.Time // record URI → when the fake first saw it
	lastSeen  map[string]time.Time // viewer DID → updateSeen
	calls     []Call

	// Refusals keeps the requests that broke the lexicons or the routing.
	xrpcfake.Refusals
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

// Calls are the requests answered, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// viewer finds who is asking: the issuer of a PDS service token (whose
// audience and method must be this service and this call), or the owner
// of a direct token.
func (s *Server) viewer(r *http.Request, nsid string) (string, error) {
	tok := xrpcfake.BearerToken(r)
	switch {
	case tok == "":
		return "", fmt.Errorf("no bearer token")
	case xrpcfake.IsServiceToken(tok):
		c, err := xrpcfake.ServiceToken(tok, s.DID, nsid, s.now())
		return c.Iss, err
	case s.Viewer != nil:
		if did := s.Viewer(tok); did != "" {
			return did, nil
		}
	}
	return "", fmt.Errorf("unknown token")
}

var queries = map[string]map[string]xrpcfake.Param{
	"app.bsky.notification.listNotifications": {
		"reasons":  {Kind: xrpcfake.String, Array: true},
		"limit":    {Kind: xrpcfake.Integer, Min: 1, Max: 100},
		"priority": {Kind: xrpcfake.Boolean},
		"cursor":   {Kind: xrpcfake.String},
		"seenAt":   {Kind: xrpcfake.Datetime},
	},
	"app.bsky.feed.getPosts": {
		"uris": {Kind: xrpcfake.ATURI, Array: true, MaxItems: 25, Required: true},
	},
	"app.bsky.actor.getProfile": {
		"actor": {Kind: xrpcfake.ATIdentifier, Required: true},
	},
	"app.bsky.feed.getPostThread": {
		"uri":          {Kind: xrpcfake.ATURI, Required: true},
		"depth":        {Kind: xrpcfake.Integer, Min: 0, Max: 1000},
		"parentHeight": {Kind: xrpcfake.Integer, Min: 0, Max: 1000},
	},
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
			s.Refuse(w, nsid, "a query is a GET, got %s", r.Method)
			return
		}
		if err := xrpcfake.CheckQuery(queries[nsid], query); err != nil {
			s.Refuse(w, nsid, "%v", err)
			return
		}
	case "app.bsky.notification.updateSeen":
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			s.Refuse(w, nsid, "a procedure is a POST of application/json, got %s %s", r.Method, r.Header.Get("Content-Type"))
			return
		}
	default:
		xrpcfake.Error(w, http.StatusNotImplemented, "MethodNotImplemented", "the fake AppView does not implement "+nsid)
		return
	}
	viewer, err := s.viewer(r, nsid)
	if err != nil {
		s.Refuse(w, nsid, "%v", err)
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, Call{NSID: nsid, Viewer: viewer, Query: query})
	s.mu.Unlock()
	ix, err := s.index(r.Context())
	if err != nil {
		xrpcfake.Error(w, http.StatusBadGateway, "UpstreamFailure", err.Error())
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
			s.Refuse(w, nsid, "unreadable body: %v", err)
			return
		}
		t, err := time.Parse(time.RFC3339Nano, in.SeenAt)
		if err != nil {
			s.Refuse(w, nsid, "seenAt = %q, want a datetime", in.SeenAt)
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
