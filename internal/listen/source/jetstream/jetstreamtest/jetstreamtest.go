// Package jetstreamtest is a fake Jetstream for tests, written from
// Jetstream's documentation (github.com/bluesky-social/jetstream,
// docs/README.md §5 and lexicons/network/bsky/jetstream/*.json): the v1
// /subscribe endpoint (wantedCollections, wantedDids, cursor in unix
// microseconds, compress=true with a zstd dictionary), the v2
// /xrpc/network.bsky.jetstream.subscribeEvents endpoint (proposal-0015
// frames, collections, dids, kinds, a seq cursor, zstdDictionary=<id>,
// CursorTooOld and UnknownZstdDictionary refused before the upgrade) and
// getZstdDictionary. It records what clients asked and can drop a
// connection in the middle of the stream or slip in a malformed frame.
package jetstreamtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/net/websocket"
)

// Event is one event of the fake's log.
type Event struct {
	DID    string
	TimeUS int64
	Seq    int64 // set by Publish
	// Kind is commit (default) or identity.
	Kind string
	// A commit.
	Operation, Collection, RKey string
	Record                      map[string]any
	// An identity event.
	Handle string
	// Raw, when set, is sent as the frame instead of the event (a
	// malformed frame); it is never filtered out.
	Raw []byte
}

// Request is what a client asked for.
type Request struct {
	Path     string
	Query    url.Values
	Protocol string // Sec-WebSocket-Protocol offered
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	t          testing.TB
	dictionary []byte
	dictID     uint32
	enc        *zstd.Encoder

	mu       sync.Mutex
	log      []Event
	changed  chan struct{}
	requests []Request
	conns    int
	netConns sync.Map // remote address → net.Conn
	// DropAfter[i] ends connection i (0-based) abruptly after that many
	// frames; absent or negative: never.
	DropAfter []int
	// FloorSeq: a v2 seq cursor below it is refused (CursorTooOld).
	FloorSeq int64
	// Info, when set, is sent as a v2 #info frame before the events.
	Info string
	// ErrorAfter, when positive, ends v2 connections with an error frame
	// (ConsumerTooSlow) after that many frames.
	ErrorAfter int
}

// New starts a fake serving dictionary (a structured zstd dictionary:
// v1's compression and v2's current one).
func New(t testing.TB, dictionary []byte) *Server {
	t.Helper()
	s := &Server{t: t, changed: make(chan struct{})}
	s.SetDictionary(dictionary)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /subscribe", func(w http.ResponseWriter, r *http.Request) { s.subscribe(w, r, false) })
	mux.HandleFunc("GET /xrpc/network.bsky.jetstream.subscribeEvents", func(w http.ResponseWriter, r *http.Request) { s.subscribe(w, r, true) })
	mux.HandleFunc("GET /xrpc/network.bsky.jetstream.getZstdDictionary", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		dict := s.dictionary
		s.mu.Unlock()
		if dict == nil {
			xrpcError(w, http.StatusNotFound, "DictionaryNotFound", "no dictionary")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(dict)
	})
	s.Server = httptest.NewUnstartedServer(mux)
	// Remember each connection so that a drop can cut it abruptly, with
	// no close frame, as a crashed server or a lost route would.
	s.Server.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.netConns.Store(c.RemoteAddr().String(), c)
		}
	}
	s.Server.Start()
	t.Cleanup(s.Server.Close)
	return s
}

// SetDictionary replaces the server's dictionary, as a retrained
// deployment does: a client holding the old ID is refused.
func (s *Server) SetDictionary(dictionary []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dictionary, s.dictID, s.enc = dictionary, 0, nil
	if len(dictionary) >= 8 {
		s.dictID = uint32(dictionary[4]) | uint32(dictionary[5])<<8 | uint32(dictionary[6])<<16 | uint32(dictionary[7])<<24
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderDict(dictionary), zstd.WithWindowSize(1<<17), zstd.WithEncoderConcurrency(1))
		if err != nil {
			s.t.Fatal(err)
		}
		s.enc = enc
	}
}

// WS is the WebSocket address of path (/subscribe or the v2 one).
func (s *Server) WS(path string) string { return "ws" + s.Server.URL[len("http"):] + path }

// Publish appends events to the log (numbering their seq) and wakes the
// connections.
func (s *Server) Publish(evs ...Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range evs {
		e.Seq = int64(len(s.log) + 1)
		if e.Kind == "" {
			e.Kind = "commit"
		}
		s.log = append(s.log, e)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// Requests is what clients asked, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func xrpcError(w http.ResponseWriter, status int, name, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": name, "message": msg})
}

func (s *Server) subscribe(w http.ResponseWriter, r *http.Request, v2 bool) {
	q := r.URL.Query()
	s.mu.Lock()
	s.requests = append(s.requests, Request{Path: r.URL.Path, Query: q, Protocol: r.Header.Get("Sec-WebSocket-Protocol")})
	conn := s.conns
	s.conns++
	drop := -1
	if conn < len(s.DropAfter) {
		drop = s.DropAfter[conn]
	}
	dictID, dict, enc := s.dictID, s.dictionary, s.enc
	s.mu.Unlock()

	var collections, dids []string
	compress := false
	if v2 {
		// v1 names are refused on v2, with the replacement named.
		for old, repl := range map[string]string{"wantedCollections": "collections", "wantedDids": "dids"} {
			if q.Has(old) {
				xrpcError(w, http.StatusBadRequest, "InvalidRequest", old+" is the v1 parameter; use "+repl)
				return
			}
		}
		collections, dids = q["collections"], q["dids"]
		if z := q.Get("zstdDictionary"); z != "" {
			if z != strconv.FormatUint(uint64(dictID), 10) || dict == nil {
				xrpcError(w, http.StatusBadRequest, "UnknownZstdDictionary", fmt.Sprintf("unknown dictionary %s; current is %d", z, dictID))
				return
			}
			compress = true
		}
	} else {
		collections, dids = q["wantedCollections"], q["wantedDids"]
		compress = q.Get("compress") == "true"
	}
	// The cursor: v2 reads a value below 1e15 as a seq (inclusive), both
	// read a larger one as unix microseconds; none means the live tip.
	var fromSeq, fromTime int64 = -1, -1
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			xrpcError(w, http.StatusBadRequest, "InvalidRequest", "invalid cursor")
			return
		}
		if v2 && n < 1e15 {
			if n < s.FloorSeq {
				xrpcError(w, http.StatusBadRequest, "CursorTooOld", fmt.Sprintf("cursor %d below lookback floor %d; re-backfill from your last seq", n, s.FloorSeq))
				return
			}
			fromSeq = n
		} else {
			fromTime = n
		}
	}
	srv := websocket.Server{
		Handshake: func(cfg *websocket.Config, r *http.Request) error {
			if v2 && slices.Contains(cfg.Protocol, "xrpc.v1.json") {
				cfg.Protocol = []string{"xrpc.v1.json"}
			} else {
				cfg.Protocol = nil
			}
			return nil
		},
		Handler: func(c *websocket.Conn) {
			if !compress {
				enc = nil
			}
			s.serve(c, v2, enc, collections, dids, fromSeq, fromTime, drop)
		},
	}
	srv.ServeHTTP(w, r)
}

func (s *Server) serve(c *websocket.Conn, v2 bool, enc *zstd.Encoder, collections, dids []string, fromSeq, fromTime int64, drop int) {
	defer c.Close()
	sent := 0
	send := func(frame []byte) bool {
		if drop >= 0 && sent >= drop {
			// An abrupt end: no close frame.
			if nc, ok := s.netConns.Load(c.Request().RemoteAddr); ok {
				nc.(net.Conn).Close()
			}
			return false
		}
		var err error
		if enc != nil {
			err = websocket.Message.Send(c, enc.EncodeAll(frame, nil))
		} else {
			err = websocket.Message.Send(c, string(frame))
		}
		sent++
		if err == nil && v2 && s.ErrorAfter > 0 && sent >= s.ErrorAfter {
			f, _ := json.Marshal(map[string]string{"$type": "error", "error": "ConsumerTooSlow", "message": "too slow"})
			websocket.Message.Send(c, string(f))
			return false
		}
		return err == nil
	}
	if v2 && s.Info != "" {
		f, _ := json.Marshal(map[string]any{"$type": "message", "payload": map[string]any{"$type": "network.bsky.jetstream.subscribeEvents#info", "name": "OutdatedCursor", "message": s.Info}})
		if !send(f) {
			return
		}
	}
	s.mu.Lock()
	next := len(s.log) // the live tip
	if fromSeq >= 0 || fromTime >= 0 {
		next = 0
	}
	s.mu.Unlock()
	// A reader notices the client going away.
	gone := make(chan struct{})
	go func() {
		var sink []byte
		for websocket.Message.Receive(c, &sink) == nil {
		}
		close(gone)
	}()
	for {
		s.mu.Lock()
		evs := slices.Clone(s.log[next:])
		next = len(s.log)
		changed := s.changed
		s.mu.Unlock()
		for _, e := range evs {
			if e.Raw == nil {
				if fromSeq >= 0 && e.Seq < fromSeq || fromTime >= 0 && e.TimeUS < fromTime {
					continue
				}
				if len(dids) > 0 && !slices.Contains(dids, e.DID) {
					continue
				}
				if e.Kind == "commit" && len(collections) > 0 && !slices.Contains(collections, e.Collection) {
					continue
				}
			}
			if !send(frameOf(e, v2)) {
				return
			}
		}
		select {
		case <-changed:
		case <-gone:
			return
		case <-time.After(time.Minute):
			return
		}
	}
}

// frameOf is e on the wire.
func frameOf(e Event, v2 bool) []byte {
	if e.Raw != nil {
		return e.Raw
	}
	var v any
	if v2 {
		p := map[string]any{"$type": "network.bsky.jetstream.subscribeEvents#" + e.Kind, "seq": e.Seq, "did": e.DID,
			"time": time.UnixMicro(e.TimeUS).UTC().Format("2006-01-02T15:04:05.000000Z")}
		if e.Kind == "commit" {
			p["rev"], p["operation"], p["collection"], p["rkey"] = "3l3qo2vutsw2b", e.Operation, e.Collection, e.RKey
			if e.Operation != "delete" {
				p["record"], p["cid"] = e.Record, "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"
			}
		} else {
			p["identity"] = map[string]any{"did": e.DID, "handle": e.Handle, "seq": 1, "time": "2024-09-09T19:46:02.102Z"}
		}
		v = map[string]any{"$type": "message", "payload": p}
	} else {
		m := map[string]any{"did": e.DID, "time_us": e.TimeUS, "kind": e.Kind}
		if e.Kind == "commit" {
			c := map[string]any{"rev": "3l3qo2vutsw2b", "operation": e.Operation, "collection": e.Collection, "rkey": e.RKey}
			if e.Operation != "delete" {
				c["record"], c["cid"] = e.Record, "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"
			}
			m["commit"] = c
		} else {
			m["identity"] = map[string]any{"did": e.DID, "handle": e.Handle, "seq": 1, "time": "2024-09-09T19:46:02.102Z"}
		}
		v = m
	}
	b, _ := json.Marshal(v)
	return b
}
