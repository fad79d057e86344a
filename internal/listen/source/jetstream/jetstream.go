// Package jetstream is the listening source that reads Bluesky's public
// posts through Jetstream, Bluesky's JSON rendering of the AT Protocol
// firehose, over WebSocket.
//
// It speaks both documented wires (github.com/bluesky-social/jetstream,
// docs/README.md §5): the legacy v1 endpoint /subscribe (query parameters
// wantedCollections, wantedDids, cursor in unix microseconds, compress=true
// for zstd frames with Jetstream's published dictionary) and the v2
// endpoint /xrpc/network.bsky.jetstream.subscribeEvents (collections,
// dids, kinds, cursor as a sequence number, zstdDictionary=<id> with the
// dictionary fetched from network.bsky.jetstream.getZstdDictionary). The
// path of the configured address chooses which.
//
// Only creates of app.bsky.feed.post become posts. The cursor is stored as
// "TIME_US" (v1) or "TIME_US:SEQ" (v2), so one stored cursor resumes on
// either wire and on another instance (sequence numbers are per instance,
// times are not).
package jetstream

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/atproto"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/stream"
)

// DefaultURL is one of the four public Jetstream instances Bluesky runs
// (jetstream{1,2}.us-{east,west}.bsky.network), as its README names them.
const DefaultURL = "wss://jetstream2.us-east.bsky.network/subscribe"

// PublicInstances are the four public instances, DefaultURL first, used
// when the address is left empty. With several addresses, one that refuses
// the connection gives way to the next: v1 cursors are times, valid on
// every instance ("you can use the same cursor for multiple instances",
// the README says, rewinding a few seconds).
var PublicInstances = []string{
	DefaultURL,
	"wss://jetstream1.us-east.bsky.network/subscribe",
	"wss://jetstream1.us-west.bsky.network/subscribe",
	"wss://jetstream2.us-west.bsky.network/subscribe",
}

// The two endpoints.
const (
	pathV1 = "/subscribe"
	pathV2 = "/xrpc/network.bsky.jetstream.subscribeEvents"
	// pathDict serves the v2 dictionary (lexicon getZstdDictionary).
	pathDict = "/xrpc/network.bsky.jetstream.getZstdDictionary"
)

// legacyDictionary is the zstd dictionary of the v1 /subscribe endpoint
// (ID 1612007021), published in Jetstream's repository under MIT or
// Apache-2.0; see LICENSE-zstd-dictionary.txt beside it.
//
//go:embed legacy_subscribe.zdict
var legacyDictionary []byte

// Rewind is how far before the stored cursor a v1 (time) resume starts:
// Jetstream's README advises rewinding "a few seconds for gapless
// playback" when events are processed idempotently, as the runner's store
// does (a mention is unique per network id).
const Rewind = 5 * time.Second

// maxMalformed consecutive frames that do not decode end the connection:
// one odd frame is skipped (Jetstream's own client does so), a run of
// them means the server speaks something else.
const maxMalformed = 3

// maxFrame bounds a frame, compressed or not (a post is a few kilobytes).
const maxFrame = 1 << 20

// Field names.
const (
	FieldURL         = "url"
	FieldDIDs        = "dids"
	FieldCompression = "compression"
)

// Kind describes the Jetstream source for the registry.
func Kind() source.Kind {
	return source.Kind{
		Name:    "jetstream",
		Label:   "Bluesky (Jetstream)",
		Network: atproto.Network,
		Needs:   "Nothing: the public Jetstream carries every public Bluesky post.",
		Fields: []source.Field{
			{Name: FieldURL, Label: "Jetstream address", Placeholder: DefaultURL,
				Help: "Leave empty for Bluesky's public Jetstream. A path of /subscribe speaks Jetstream v1, /xrpc/network.bsky.jetstream.subscribeEvents the v2 stream. Several v1 addresses separated by spaces: the next is used when one fails."},
			{Name: FieldDIDs, Label: "Only these accounts",
				Help: "Optional: DIDs (did:plc:…) separated by commas, to follow a few accounts instead of the whole network."},
			{Name: FieldCompression, Label: "Compression", Placeholder: "zstd",
				Help: "zstd (the default) halves the bandwidth; off for an instance without it."},
		},
		New: New,
	}
}

// Source is a configured Jetstream consumer.
type Source struct {
	// endpoint is the instance of the current connection, one of
	// instances (several only for the public default).
	endpoint  *url.URL
	instances []*url.URL
	v2        bool
	dids      []string
	compress  bool
	deps      source.Deps
	handles   *atproto.Handles
	// Pump groups events into batches (tests shorten its delays).
	Pump atproto.Pump
	// PingEvery and IdleAfter keep a quiet connection checked (defaults
	// 30 s and 90 s).
	PingEvery, IdleAfter time.Duration

	// v2's dictionary, fetched once and kept across connections.
	v2Dict   []byte
	v2DictID uint32
}

// New validates cfg and builds the source.
func New(cfg source.Config, deps source.Deps) (source.Source, error) {
	s := &Source{deps: deps, handles: atproto.NewHandles(100_000), compress: true,
		PingEvery: 30 * time.Second, IdleAfter: 90 * time.Second}
	if s.deps.Log == nil {
		s.deps.Log = slog.New(slog.DiscardHandler)
	}
	if s.deps.HTTP == nil {
		return nil, fmt.Errorf("%w: jetstream: no HTTP client", source.ErrPermanent)
	}
	s.deps.HTTP = atproto.StreamClient(s.deps.HTTP)
	addrs := strings.Fields(strings.ReplaceAll(cfg.Values[FieldURL], ",", " "))
	if len(addrs) == 0 {
		addrs = PublicInstances
	}
	for _, raw := range addrs {
		u, v2, err := parseURL(raw)
		if err != nil {
			return nil, err
		}
		s.instances, s.v2 = append(s.instances, u), v2
		if v2 && len(addrs) > 1 {
			return nil, &atproto.FieldError{Field: FieldURL, Message: "several addresses work with v1 (/subscribe) only: a v2 position (seq) is valid on one instance"}
		}
	}
	s.endpoint = s.instances[0]
	var err error
	if s.dids, err = atproto.ParseDIDs(FieldDIDs, cfg.Values[FieldDIDs], 10_000); err != nil {
		return nil, err
	}
	switch strings.ToLower(strings.TrimSpace(cfg.Values[FieldCompression])) {
	case "", "zstd", "on", "true":
	case "off", "none", "false":
		s.compress = false
	default:
		return nil, &atproto.FieldError{Field: FieldCompression, Message: fmt.Sprintf("%q: say zstd or off", cfg.Values[FieldCompression])}
	}
	return s, nil
}

// parseURL reads one address of the address field; v2 tells which wire
// its path names.
func parseURL(raw string) (u *url.URL, v2 bool, err error) {
	u, err = url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, false, &atproto.FieldError{Field: FieldURL, Message: fmt.Sprintf("%q is not a WebSocket address such as %s", raw, DefaultURL)}
	}
	switch u.Scheme {
	case "wss", "https":
		u.Scheme = "wss"
	case "ws", "http":
		u.Scheme = "ws"
	default:
		return nil, false, &atproto.FieldError{Field: FieldURL, Message: fmt.Sprintf("the address must start with wss:// (or ws:// on a private network), not %s://", u.Scheme)}
	}
	if u.RawQuery != "" {
		return nil, false, &atproto.FieldError{Field: FieldURL, Message: "the address takes no query parameters: Tribune sets them"}
	}
	switch strings.TrimSuffix(u.Path, "/") {
	case "":
		u.Path = pathV1
	case pathV1:
		u.Path = pathV1
	case pathV2:
		u.Path, v2 = pathV2, true
	default:
		return nil, false, &atproto.FieldError{Field: FieldURL, Message: fmt.Sprintf("the path %q is not a Jetstream endpoint: use %s (v1) or %s (v2)", u.Path, pathV1, pathV2)}
	}
	return u, v2, nil
}

// cursor is a stored position: the time of the last event (both wires)
// and its v2 sequence number (0 when unknown).
type cursor struct {
	timeUS int64
	seq    int64
}

func parseCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	t, q, hasSeq := strings.Cut(s, ":")
	var c cursor
	var err error
	if c.timeUS, err = strconv.ParseInt(t, 10, 64); err != nil || c.timeUS <= 0 {
		return cursor{}, fmt.Errorf("jetstream: the stored cursor %q is not a time in microseconds", s)
	}
	if hasSeq {
		if c.seq, err = strconv.ParseInt(q, 10, 64); err != nil || c.seq <= 0 {
			return cursor{}, fmt.Errorf("jetstream: the stored cursor %q has no valid sequence number", s)
		}
	}
	return c, nil
}

func (c cursor) String() string {
	if c.seq > 0 {
		return strconv.FormatInt(c.timeUS, 10) + ":" + strconv.FormatInt(c.seq, 10)
	}
	return strconv.FormatInt(c.timeUS, 10)
}

// subscribeURL is the address to connect to, resuming after c.
// useSeq=false resumes a v2 stream by time (after CursorTooOld).
func (s *Source) subscribeURL(c cursor, useSeq bool, dictID uint32) string {
	u := *s.endpoint
	q := url.Values{}
	var since string
	if c.timeUS > 0 {
		since = strconv.FormatInt(c.timeUS-Rewind.Microseconds(), 10)
	}
	if s.v2 {
		q.Set("collections", atproto.PostCollection)
		// identity events carry handles; account and sync events are of
		// no use to listening.
		q["kinds"] = []string{"commit", "identity"}
		q["dids"] = s.dids
		switch {
		case useSeq && c.seq > 0:
			// Inclusive and exact: no rewind needed.
			q.Set("cursor", strconv.FormatInt(c.seq, 10))
		case since != "":
			// A value ≥ 1e15 is read as a time; one older than the
			// retention is clamped, not refused.
			q.Set("cursor", since)
		}
		if dictID != 0 {
			q.Set("zstdDictionary", strconv.FormatUint(uint64(dictID), 10))
		}
	} else {
		q.Set("wantedCollections", atproto.PostCollection)
		q["wantedDids"] = s.dids
		if since != "" {
			q.Set("cursor", since)
		}
		if s.compress {
			q.Set("compress", "true")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Run reads the stream from stored (a cursor this source emitted, or ""
// for from now) until ctx ends or the connection fails.
func (s *Source) Run(ctx context.Context, stored string, emit source.Emit) error {
	c, err := parseCursor(stored)
	if err != nil {
		return fmt.Errorf("%w: %w", source.ErrPermanent, err)
	}
	// The instances are tried in order until one accepts: the runner
	// builds the source anew for every connection (so that an edit
	// applies), so the order restarts from the first, the preferred one.
	var ws *stream.WebSocket
	var dec *zstd.Decoder
	var failed error
	for _, u := range s.instances {
		s.endpoint = u
		ws, dec, err = s.connect(ctx, c)
		if ctx.Err() != nil {
			if ws != nil {
				ws.Close()
			}
			return nil // stopping is not a failure
		}
		if err == nil {
			break
		}
		if len(s.instances) > 1 {
			s.deps.Log.Warn("jetstream: instance unavailable, trying the next", "source", u.Host, "err", err)
		}
		// A retryable failure wins over a permanent one: one instance
		// refusing for good does not condemn the others.
		if failed == nil || errors.Is(failed, source.ErrPermanent) {
			failed = err
		}
	}
	if ws == nil {
		return failed
	}
	defer ws.Close()
	ka := atproto.KeepAlive(ws, s.PingEvery, s.IdleAfter)
	defer ka.Stop()

	last := c
	malformed := 0
	read := func() (atproto.Event, error) {
		for {
			msg, err := ws.Read(ka.Kick)
			if err != nil {
				if ka.Expired() {
					return atproto.Event{}, fmt.Errorf("jetstream: no frame and no answer to pings for %s: the connection is dead", s.IdleAfter)
				}
				return atproto.Event{}, fmt.Errorf("jetstream: the connection dropped: %w", err)
			}
			ev, err := s.decode(msg, dec, &last)
			if err == nil {
				malformed = 0
				return ev, nil
			}
			var te *terminalError
			if errors.As(err, &te) {
				return atproto.Event{}, err
			}
			malformed++
			s.deps.Log.Warn("jetstream: skipped a frame that does not decode", "source", s.endpoint.Host, "err", err)
			if malformed >= maxMalformed {
				return atproto.Event{}, fmt.Errorf("jetstream: %d frames in a row do not decode, the server does not speak Jetstream as configured: %w", malformed, err)
			}
		}
	}
	return s.Pump.Run(ctx, read, emit)
}

// connect opens the stream, settling what the server refuses before the
// upgrade: a v2 cursor older than its retention (resume by time instead,
// which the server clamps), a retired dictionary (fetch the current one,
// or go on uncompressed).
func (s *Source) connect(ctx context.Context, c cursor) (*stream.WebSocket, *zstd.Decoder, error) {
	header := http.Header{}
	if s.v2 {
		// proposal 0015's subprotocol; the lexicon makes it the default.
		header.Set("Sec-WebSocket-Protocol", "xrpc.v1.json")
	}
	useSeq := true
	dict, dictID := s.dictionary(ctx)
	for attempt := 0; ; attempt++ {
		ws, err := stream.DialWebSocket(ctx, s.deps.HTTP, s.subscribeURL(c, useSeq, dictID), header)
		if err == nil {
			if s.v2 && ws.Protocol() != "" && ws.Protocol() != "xrpc.v1.json" {
				ws.Close()
				return nil, nil, fmt.Errorf("%w: jetstream: the server chose the subprotocol %q, not xrpc.v1.json", source.ErrPermanent, ws.Protocol())
			}
			var dec *zstd.Decoder
			if dict != nil {
				dec, err = zstd.NewReader(nil, zstd.WithDecoderDicts(dict), zstd.WithDecoderMaxMemory(maxFrame), zstd.WithDecoderConcurrency(1))
				if err != nil {
					ws.Close()
					return nil, nil, fmt.Errorf("jetstream: the zstd dictionary does not load: %w", err)
				}
			}
			return ws, dec, nil
		}
		if !s.v2 || attempt > 0 {
			return nil, nil, atproto.Classify("jetstream: connecting to "+s.endpoint.Host, err)
		}
		switch xrpcError(err) {
		case "CursorTooOld":
			s.deps.Log.Warn("jetstream: the stored position is older than the server keeps; resuming from the oldest event it has (posts in between are lost)", "source", s.endpoint.Host, "err", err)
			useSeq = false
		case "UnknownZstdDictionary":
			s.v2Dict, s.v2DictID = nil, 0
			dict, dictID = s.dictionary(ctx)
		default:
			return nil, nil, atproto.Classify("jetstream: connecting to "+s.endpoint.Host, err)
		}
	}
}

// xrpcError is the error name of an XRPC error envelope the server
// answered before the upgrade ({"error":"CursorTooOld","message":…}).
func xrpcError(err error) string {
	var ne *network.Error
	if !errors.As(err, &ne) {
		return ""
	}
	var env struct {
		Error string `json:"error"`
	}
	if json.Unmarshal([]byte(ne.Message), &env) != nil {
		return ""
	}
	return env.Error
}

// dictionary is the zstd dictionary to ask for: v1's published one, or
// v2's current one fetched from the server. Compression is an
// optimisation: when the v2 dictionary cannot be had the stream goes on
// uncompressed (nil).
func (s *Source) dictionary(ctx context.Context) ([]byte, uint32) {
	if !s.compress {
		return nil, 0
	}
	if !s.v2 {
		return legacyDictionary, 0
	}
	if s.v2Dict != nil {
		return s.v2Dict, s.v2DictID
	}
	dict, id, err := s.fetchDictionary(ctx)
	if err != nil {
		s.deps.Log.Warn("jetstream: no zstd dictionary, reading uncompressed", "source", s.endpoint.Host, "err", err)
		return nil, 0
	}
	s.v2Dict, s.v2DictID = dict, id
	return dict, id
}

func (s *Source) fetchDictionary(ctx context.Context) ([]byte, uint32, error) {
	u := *s.endpoint
	u.Scheme = map[string]string{"wss": "https", "ws": "http"}[u.Scheme]
	u.Path, u.RawQuery = pathDict, ""
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := s.deps.HTTP.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, network.FromResponse(resp, strings.TrimSpace(string(body)))
	}
	id, err := dictionaryID(body)
	if err != nil {
		return nil, 0, err
	}
	return body, id, nil
}

// dictionaryID reads a structured zstd dictionary's ID (RFC 8878 §5:
// magic 0xEC30A437, then the ID, both little-endian).
func dictionaryID(d []byte) (uint32, error) {
	if len(d) < 8 || !bytes.Equal(d[:4], []byte{0x37, 0xA4, 0x30, 0xEC}) {
		return 0, errors.New("the server's zstd dictionary has no dictionary header")
	}
	id := uint32(d[4]) | uint32(d[5])<<8 | uint32(d[6])<<16 | uint32(d[7])<<24
	if id == 0 {
		return 0, errors.New("the server's zstd dictionary has the reserved ID 0")
	}
	return id, nil
}

// terminalError is a frame that ends the stream (v2's error frame).
type terminalError struct{ name, message string }

func (e *terminalError) Error() string {
	return "jetstream: the server ended the stream: " + e.name + ": " + e.message
}

// The v1 event (docs/README.md §5.1).
type v1Event struct {
	DID    string `json:"did"`
	TimeUS int64  `json:"time_us"`
	Kind   string `json:"kind"`
	Commit *struct {
		Operation  string          `json:"operation"`
		Collection string          `json:"collection"`
		RKey       string          `json:"rkey"`
		Record     json.RawMessage `json:"record"`
	} `json:"commit"`
	Identity *struct {
		Handle string `json:"handle"`
	} `json:"identity"`
}

// The v2 frame (docs/README.md §5.2, lexicon subscribeEvents).
type v2Frame struct {
	Type    string `json:"$type"`
	Error   string `json:"error"`
	Message string `json:"message"`
	Payload *struct {
		Type       string          `json:"$type"`
		Seq        int64           `json:"seq"`
		DID        string          `json:"did"`
		Time       string          `json:"time"`
		Operation  string          `json:"operation"`
		Collection string          `json:"collection"`
		RKey       string          `json:"rkey"`
		Record     json.RawMessage `json:"record"`
		Identity   *struct {
			Handle string `json:"handle"`
		} `json:"identity"`
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"payload"`
}

const v2Prefix = "network.bsky.jetstream.subscribeEvents#"

// decode turns one frame into an event, moving last.
func (s *Source) decode(msg []byte, dec *zstd.Decoder, last *cursor) (atproto.Event, error) {
	if len(msg) >= 4 && bytes.Equal(msg[:4], []byte{0x28, 0xB5, 0x2F, 0xFD}) { // a zstd frame
		if dec == nil {
			return atproto.Event{}, errors.New("a zstd-compressed frame on a stream opened without compression")
		}
		plain, err := dec.DecodeAll(msg, nil)
		if err != nil {
			return atproto.Event{}, fmt.Errorf("a zstd frame does not decompress: %w", err)
		}
		msg = plain
	}
	if s.v2 {
		return s.decodeV2(msg, last)
	}
	return s.decodeV1(msg, last)
}

func (s *Source) decodeV1(msg []byte, last *cursor) (atproto.Event, error) {
	var ev v1Event
	if err := json.Unmarshal(msg, &ev); err != nil {
		return atproto.Event{}, fmt.Errorf("a frame is not a Jetstream event: %w (%.60q)", err, msg)
	}
	if ev.TimeUS <= 0 || !atproto.ValidDID(ev.DID) {
		return atproto.Event{}, fmt.Errorf("a Jetstream event without time_us or did (%.60q)", msg)
	}
	if ev.TimeUS > last.timeUS {
		last.timeUS = ev.TimeUS
	}
	last.seq = 0
	out := atproto.Event{Cursor: last.String()}
	switch ev.Kind {
	case "identity":
		if ev.Identity != nil {
			s.handles.Set(ev.DID, ev.Identity.Handle)
		}
	case "commit":
		if c := ev.Commit; c != nil {
			out.Posts = s.post(ev.DID, c.Operation, c.Collection, c.RKey, c.Record, time.UnixMicro(ev.TimeUS))
		}
	}
	return out, nil
}

func (s *Source) decodeV2(msg []byte, last *cursor) (atproto.Event, error) {
	var f v2Frame
	if err := json.Unmarshal(msg, &f); err != nil {
		return atproto.Event{}, fmt.Errorf("a frame is not a Jetstream event: %w (%.60q)", err, msg)
	}
	switch f.Type {
	case "error":
		return atproto.Event{}, &terminalError{name: f.Error, message: f.Message}
	case "message":
	default:
		return atproto.Event{}, nil // unknown frame types are skipped (forward compatible)
	}
	p := f.Payload
	if p == nil {
		return atproto.Event{}, fmt.Errorf("a message frame without payload (%.60q)", msg)
	}
	kind, ok := strings.CutPrefix(p.Type, v2Prefix)
	if !ok {
		return atproto.Event{}, nil
	}
	if kind == "info" {
		s.deps.Log.Info("jetstream: notice from the server", "source", s.endpoint.Host, "name", p.Name, "message", p.Message)
		return atproto.Event{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, p.Time)
	if err != nil || p.Seq <= 0 || !atproto.ValidDID(p.DID) {
		return atproto.Event{}, fmt.Errorf("a Jetstream event without seq, time or did (%.60q)", msg)
	}
	*last = cursor{timeUS: max(last.timeUS, t.UnixMicro()), seq: p.Seq}
	out := atproto.Event{Cursor: last.String()}
	switch kind {
	case "identity":
		if p.Identity != nil {
			s.handles.Set(p.DID, p.Identity.Handle)
		}
	case "commit":
		out.Posts = s.post(p.DID, p.Operation, p.Collection, p.RKey, p.Record, t)
	}
	return out, nil
}

// post is the Post a commit carries, none unless it creates a post.
func (s *Source) post(did, op, collection, rkey string, record json.RawMessage, seen time.Time) []source.Post {
	if op != "create" || collection != atproto.PostCollection || rkey == "" {
		return nil
	}
	var rec atproto.Record
	if err := json.Unmarshal(record, &rec); err != nil {
		s.deps.Log.Warn("jetstream: skipped a post whose record does not decode", "uri", "at://"+did+"/"+collection+"/"+rkey, "err", err)
		return nil
	}
	return []source.Post{atproto.NewPost(did, rkey, rec, s.handles.Get(did), seen)}
}
