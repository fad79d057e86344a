package appviewfake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/tribune-social/tribune/internal/network/bluesky/xrpcfake"
)

// Mem is an in-memory set of repositories for unit tests that run without
// a PDS: a Source for the fake AppView, and the few com.atproto.* calls the
// connector makes (createSession, getRecord, createRecord, putRecord with
// swapRecord, deleteRecord, listRecords), answered as the lexicons say.
type Mem struct {
	mu      sync.Mutex
	handles map[string]string                       // DID → handle
	tokens  map[string]string                       // access token → DID
	repos   map[string]map[string]map[string]Record // DID → collection → rkey → record
}

// NewMem returns empty repositories.
func NewMem() *Mem {
	return &Mem{handles: map[string]string{}, tokens: map[string]string{}, repos: map[string]map[string]map[string]Record{}}
}

// Account creates an account and returns its access token.
func (m *Mem) Account(did, handle string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.handles[did] = handle
	tok := "mem-token-" + handle
	m.tokens[tok] = did
	return tok
}

// Viewer returns the DID of an access token ("" if unknown).
func (m *Mem) Viewer(token string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tokens[token]
}

func cidOf(v []byte) string {
	sum := sha256.Sum256(v)
	return "bafyrei" + hex.EncodeToString(sum[:])[:52]
}

// Put writes a record (created or replaced) and returns it.
func (m *Mem) Put(did, collection, rkey string, value any) Record {
	raw, _ := json.Marshal(value)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.putLocked(did, collection, rkey, raw)
}

func (m *Mem) putLocked(did, collection, rkey string, raw []byte) Record {
	if m.repos[did] == nil {
		m.repos[did] = map[string]map[string]Record{}
	}
	if m.repos[did][collection] == nil {
		m.repos[did][collection] = map[string]Record{}
	}
	r := Record{URI: "at://" + did + "/" + collection + "/" + rkey, CID: cidOf(raw), Value: raw}
	m.repos[did][collection][rkey] = r
	return r
}

// Get returns a record, if it exists.
func (m *Mem) Get(did, collection, rkey string) (Record, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.repos[did][collection][rkey]
	return r, ok
}

// Delete removes a record.
func (m *Mem) Delete(did, collection, rkey string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.repos[did][collection], rkey)
}

// Records lists a collection in record-key order.
func (m *Mem) Records(_ context.Context, did, collection string) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Record
	for _, r := range m.repos[did][collection] {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URI < out[j].URI })
	return out, nil
}

// Handle returns a DID's handle.
func (m *Mem) Handle(_ context.Context, did string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if h, ok := m.handles[did]; ok {
		return h, nil
	}
	return "", fmt.Errorf("appviewfake: unknown DID %s", did)
}

// ServeHTTP answers the com.atproto.repo calls on the repositories.
func (m *Mem) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	nsid := strings.TrimPrefix(r.URL.Path, "/xrpc/")
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	did := m.Viewer(tok)
	if nsid == "com.atproto.repo.getRecord" {
		q := r.URL.Query()
		rec, ok := m.Get(q.Get("repo"), q.Get("collection"), q.Get("rkey"))
		if !ok {
			xrpcfake.Error(w, http.StatusBadRequest, "RecordNotFound", "Could not locate record")
			return
		}
		xrpcfake.WriteJSON(w, http.StatusOK, rec)
		return
	}
	if r.Method != http.MethodPost {
		xrpcfake.Error(w, http.StatusNotImplemented, "MethodNotImplemented", nsid)
		return
	}
	var in struct {
		Repo       string          `json:"repo"`
		Collection string          `json:"collection"`
		Rkey       string          `json:"rkey"`
		Record     json.RawMessage `json:"record"`
		SwapRecord *string         `json:"swapRecord"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		xrpcfake.Error(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	if did == "" || in.Repo != did {
		xrpcfake.Error(w, http.StatusUnauthorized, "AuthRequired", "not this repository's owner")
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, exists := m.repos[did][in.Collection][in.Rkey]
	switch nsid {
	case "com.atproto.repo.createRecord":
		if exists {
			// @atproto/pds answers a duplicate key with a 500.
			xrpcfake.Error(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
			return
		}
		xrpcfake.WriteJSON(w, http.StatusOK, m.putLocked(did, in.Collection, in.Rkey, in.Record))
	case "com.atproto.repo.putRecord":
		if in.SwapRecord != nil && (!exists || cur.CID != *in.SwapRecord) {
			xrpcfake.Error(w, http.StatusBadRequest, "InvalidSwap", "Record was at "+cur.CID)
			return
		}
		xrpcfake.WriteJSON(w, http.StatusOK, m.putLocked(did, in.Collection, in.Rkey, in.Record))
	case "com.atproto.repo.deleteRecord":
		delete(m.repos[did][in.Collection], in.Rkey)
		xrpcfake.WriteJSON(w, http.StatusOK, map[string]any{})
	default:
		xrpcfake.Error(w, http.StatusNotImplemented, "MethodNotImplemented", nsid)
	}
}

// Handler serves a fake PDS for unit tests: the repositories' own calls
// from m, app.bsky.* from the AppView s (which reads m).
func Handler(s *Server, m *Mem) http.Handler {
	s.Viewer = m.Viewer
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/xrpc/com.atproto.") {
			m.ServeHTTP(w, r)
			return
		}
		s.ServeHTTP(w, r)
	})
}
