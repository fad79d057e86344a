// Package firehose is the listening source that reads the AT Protocol
// firehose, com.atproto.sync.subscribeRepos, of a PDS or a relay: every
// commit of every repository it hosts or relays, as DAG-CBOR frames over
// WebSocket (atproto.com/specs/event-stream and /specs/sync).
//
// Each binary message is two DAG-CBOR objects: a header {op, t} (op 1 and
// t "#commit", "#identity", "#account", "#sync", "#info"; op -1 for an
// error) and the body. A #commit body lists its operations (action, path
// collection/rkey, the record's CID) and carries the blocks it wrote as a
// CAR v1 slice; a create of app.bsky.feed.post becomes a Post with the
// record read from that slice. The cursor is the event's seq, sent back
// as ?cursor= on reconnect.
package firehose

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/atproto"
	"github.com/tribune-social/tribune/internal/network/stream"
)

const subscribePath = "/xrpc/com.atproto.sync.subscribeRepos"

// maxFrame bounds one message: the lexicon caps a commit's CAR at 2 MB,
// plus the rest of the body.
const maxFrame = 3 << 20

// FieldURL names the address field.
const FieldURL = "url"

// Kind describes the firehose source for the registry.
func Kind() source.Kind {
	return source.Kind{
		Name:    "firehose",
		Label:   "Bluesky (AT Protocol firehose)",
		Network: atproto.Network,
		Needs:   "The address of a relay or of a PDS (its firehose, com.atproto.sync.subscribeRepos).",
		Fields: []source.Field{
			{Name: FieldURL, Label: "Relay or PDS address", Required: true, Placeholder: "wss://bsky.network",
				Help: "A relay carries the whole network; a PDS only the accounts it hosts."},
		},
		New: New,
	}
}

// Source is a configured firehose consumer.
type Source struct {
	endpoint *url.URL
	deps     source.Deps
	handles  *atproto.Handles
	dec      cbor.DecMode
	// Pump groups events into batches (tests shorten its delays).
	Pump atproto.Pump
	// PingEvery and IdleAfter keep a quiet connection checked (defaults
	// 30 s and 90 s): a PDS nobody posts on sends nothing.
	PingEvery, IdleAfter time.Duration
}

// New validates cfg and builds the source.
func New(cfg source.Config, deps source.Deps) (source.Source, error) {
	if deps.HTTP == nil {
		return nil, fmt.Errorf("%w: firehose: no HTTP client", source.ErrPermanent)
	}
	deps.HTTP = atproto.StreamClient(deps.HTTP)
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	raw := strings.TrimSpace(cfg.Values[FieldURL])
	if raw == "" {
		return nil, &atproto.FieldError{Field: FieldURL, Message: "the relay's or PDS's address is required (for instance wss://bsky.network)"}
	}
	if !strings.Contains(raw, "://") {
		raw = "wss://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, &atproto.FieldError{Field: FieldURL, Message: fmt.Sprintf("%q is not an address such as wss://bsky.network", raw)}
	}
	switch u.Scheme {
	case "wss", "https":
		u.Scheme = "wss"
	case "ws", "http":
		u.Scheme = "ws"
	default:
		return nil, &atproto.FieldError{Field: FieldURL, Message: fmt.Sprintf("the address must start with wss:// or https:// (ws:// or http:// on a private network), not %s://", u.Scheme)}
	}
	if u.RawQuery != "" {
		return nil, &atproto.FieldError{Field: FieldURL, Message: "the address takes no query parameters: Tribune sets the cursor"}
	}
	switch strings.TrimSuffix(u.Path, "/") {
	case "", subscribePath:
		u.Path = subscribePath
	default:
		return nil, &atproto.FieldError{Field: FieldURL, Message: fmt.Sprintf("the path %q is not the firehose: give the server's address alone, or with %s", u.Path, subscribePath)}
	}
	dec, err := cbor.DecOptions{MaxNestedLevels: 32, MaxArrayElements: 100_000, MaxMapPairs: 100_000, DupMapKey: cbor.DupMapKeyEnforcedAPF}.DecMode()
	if err != nil {
		return nil, err
	}
	return &Source{endpoint: u, deps: deps, handles: atproto.NewHandles(100_000), dec: dec,
		PingEvery: 30 * time.Second, IdleAfter: 90 * time.Second}, nil
}

// Run reads the firehose after cursor (a seq; "" for from now) until ctx
// ends or the connection fails.
func (s *Source) Run(ctx context.Context, cursor string, emit source.Emit) error {
	var since int64 = -1
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%w: firehose: the stored cursor %q is not a seq", source.ErrPermanent, cursor)
		}
		since = n
	}
	err := s.connect(ctx, since, emit)
	var fe *frameError
	if errors.As(err, &fe) && fe.name == "FutureCursor" && since > 0 {
		// The server's seq is behind ours: it was reset, or the address
		// now leads to another server. Its events since then have seqs
		// we already passed, so read from its oldest (the store keeps one
		// copy of what was already seen).
		s.deps.Log.Warn("firehose: the stored cursor is ahead of the server (reset or replaced); reading from its oldest event", "source", s.endpoint.Host, "cursor", cursor)
		return s.connect(ctx, 0, emit)
	}
	return err
}

func (s *Source) connect(ctx context.Context, since int64, emit source.Emit) error {
	ws, err := stream.DialWebSocket(ctx, s.deps.HTTP, s.subscribeURL(since), nil)
	if ctx.Err() != nil {
		if ws != nil {
			ws.Close()
		}
		return nil // stopping is not a failure
	}
	if err != nil {
		return atproto.Classify("firehose: connecting to "+s.endpoint.Host, err)
	}
	defer ws.Close()
	ws.SetReadLimit(maxFrame)
	ka := atproto.KeepAlive(ws, s.PingEvery, s.IdleAfter)
	defer ka.Stop()
	read := func() (atproto.Event, error) {
		msg, err := ws.Read(ka.Kick)
		if err != nil {
			if ka.Expired() {
				return atproto.Event{}, fmt.Errorf("firehose: no frame and no answer to pings for %s: the connection is dead", s.IdleAfter)
			}
			return atproto.Event{}, fmt.Errorf("firehose: the connection dropped: %w", err)
		}
		return s.decode(msg)
	}
	return s.Pump.Run(ctx, read, emit)
}

func (s *Source) now() time.Time {
	if s.deps.Now != nil {
		return s.deps.Now()
	}
	return time.Now()
}

func (s *Source) subscribeURL(since int64) string {
	u := *s.endpoint
	if since >= 0 {
		u.RawQuery = url.Values{"cursor": {strconv.FormatInt(since, 10)}}.Encode()
	}
	return u.String()
}

// frameError is an error frame (op -1) from the server.
type frameError struct{ name, message string }

func (e *frameError) Error() string {
	return "firehose: the server sent an error: " + e.name + ": " + e.message
}

// The frame header and the bodies read (lexicon com.atproto.sync.subscribeRepos).
type header struct {
	Op int64  `cbor:"op"`
	T  string `cbor:"t"`
}

type commitBody struct {
	Seq    int64    `cbor:"seq"`
	Repo   string   `cbor:"repo"`
	TooBig bool     `cbor:"tooBig"`
	Blocks []byte   `cbor:"blocks"`
	Ops    []repoOp `cbor:"ops"`
	Time   string   `cbor:"time"`
}

type repoOp struct {
	Action string  `cbor:"action"`
	Path   string  `cbor:"path"`
	CID    cidLink `cbor:"cid"`
}

type seqBody struct {
	Seq    int64  `cbor:"seq"`
	DID    string `cbor:"did"`
	Handle string `cbor:"handle"`
}

type infoBody struct {
	Name    string `cbor:"name"`
	Message string `cbor:"message"`
}

// decode turns one frame into an event.
func (s *Source) decode(msg []byte) (atproto.Event, error) {
	var h header
	rest, err := s.dec.UnmarshalFirst(msg, &h)
	if err != nil {
		return atproto.Event{}, fmt.Errorf("firehose: a frame's header does not decode: %w", err)
	}
	if h.Op == -1 {
		var e infoBody
		_, _ = s.dec.UnmarshalFirst(rest, &struct {
			Error   *string `cbor:"error"`
			Message *string `cbor:"message"`
		}{&e.Name, &e.Message})
		return atproto.Event{}, &frameError{name: e.Name, message: e.Message}
	}
	if h.Op != 1 {
		return atproto.Event{}, fmt.Errorf("firehose: a frame with op %d (1 or -1 expected)", h.Op)
	}
	switch h.T {
	case "#commit":
		var c commitBody
		if _, err := s.dec.UnmarshalFirst(rest, &c); err != nil {
			return atproto.Event{}, fmt.Errorf("firehose: a #commit does not decode: %w", err)
		}
		return s.commit(c)
	case "#identity", "#account", "#sync":
		var b seqBody
		if _, err := s.dec.UnmarshalFirst(rest, &b); err != nil {
			return atproto.Event{}, fmt.Errorf("firehose: a %s does not decode: %w", h.T, err)
		}
		if h.T == "#identity" {
			s.handles.Set(b.DID, b.Handle)
		}
		return atproto.Event{Cursor: strconv.FormatInt(b.Seq, 10)}, nil
	case "#info":
		var b infoBody
		_, _ = s.dec.UnmarshalFirst(rest, &b)
		if b.Name == "OutdatedCursor" {
			s.deps.Log.Warn("firehose: the stored cursor is older than the server keeps; posts in between are lost", "source", s.endpoint.Host, "message", b.Message)
		} else {
			s.deps.Log.Info("firehose: notice from the server", "source", s.endpoint.Host, "name", b.Name, "message", b.Message)
		}
		return atproto.Event{}, nil
	default:
		// A newer server's message type (#handle, #tombstone of old
		// servers): nothing for listening, and no seq we can trust.
		return atproto.Event{}, nil
	}
}

// commit is the event of a #commit: its seq, and the posts it created
// (several when a thread is written at once through applyWrites).
func (s *Source) commit(c commitBody) (atproto.Event, error) {
	if c.Seq <= 0 || !atproto.ValidDID(c.Repo) {
		return atproto.Event{}, fmt.Errorf("firehose: a #commit without seq or repo (seq %d, repo %q)", c.Seq, c.Repo)
	}
	ev := atproto.Event{Cursor: strconv.FormatInt(c.Seq, 10)}
	var blocks map[string][]byte
	seen, err := time.Parse(time.RFC3339Nano, c.Time)
	if err != nil {
		seen = s.now()
	}
	for _, op := range c.Ops {
		collection, rkey, _ := strings.Cut(op.Path, "/")
		if op.Action != "create" || collection != atproto.PostCollection || rkey == "" {
			continue
		}
		if c.TooBig {
			s.deps.Log.Warn("firehose: a commit too big to carry its records; its post is skipped", "repo", c.Repo, "seq", c.Seq)
			break
		}
		if blocks == nil {
			var err error
			if blocks, err = readCAR(c.Blocks); err != nil {
				return atproto.Event{}, fmt.Errorf("firehose: the blocks of commit %d of %s: %w", c.Seq, c.Repo, err)
			}
		}
		block, ok := blocks[string(op.CID)]
		if !ok {
			return atproto.Event{}, fmt.Errorf("firehose: commit %d of %s creates %s but does not carry its record", c.Seq, c.Repo, op.Path)
		}
		var rec atproto.Record
		if err := s.dec.Unmarshal(block, &rec); err != nil {
			s.deps.Log.Warn("firehose: skipped a post whose record does not decode", "uri", "at://"+c.Repo+"/"+op.Path, "err", err)
			continue
		}
		ev.Posts = append(ev.Posts, atproto.NewPost(c.Repo, rkey, rec, s.handles.Get(c.Repo), seen))
	}
	return ev, nil
}
