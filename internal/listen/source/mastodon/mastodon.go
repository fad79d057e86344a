// Package mastodon is the listening source of a Mastodon (or compatible)
// instance's public statuses: its federated or local public stream, or the
// streams of some hashtags (docs.joinmastodon.org/methods/streaming), with
// a gap-fill on every connection: what was posted while the source was
// away is read from the matching public or tag timeline
// (docs.joinmastodon.org/methods/timelines), page by page from the cursor,
// before the stream takes over. The cursor is the newest status id seen.
//
// Mastodon 4.2 and later require a user token for every stream, public
// ones included, so the source asks for one.
package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	conn "github.com/tribune-social/tribune/internal/network/mastodon"
	"github.com/tribune-social/tribune/internal/network/stream"
	"github.com/tribune-social/tribune/internal/text/htmltext"
)

// DefaultIdle is how long a stream may stay silent before it is taken for
// dead: Mastodon sends a heartbeat every 15 seconds over server-sent
// events and pings a WebSocket every 30.
const DefaultIdle = 90 * time.Second

// MaxGapPages bounds a gap-fill: 40 statuses a page, 2,000 in all. A busy
// federated timeline after a long outage holds more than anyone reads;
// past this the source goes on from the newest page rather than spend the
// instance's rate limit (300 calls in 5 minutes) on the past.
const MaxGapPages = 50

// pageSize is the most a timeline page holds (Mastodon's limit for
// timelines).
const pageSize = 40

// DefaultPoll is how long the stream may carry no status before the
// timeline is read. A stream is not enough on its own: GoToSocial (0.19)
// accepts public and hashtag streams but pushes nothing on them, and a
// proxy may hold a stream open without passing events. A busy stream is
// not doubled by polls (a federated timeline would spend Mastodon's 300
// calls in 5 minutes); a quiet one costs one call a minute.
const DefaultPoll = time.Minute

// maxBatch bounds how many streamed statuses go into one batch.
const maxBatch = 100

// Kind is the Mastodon public and hashtag streams source kind.
func Kind() source.Kind {
	return source.Kind{
		Name:    "mastodon",
		Label:   "Mastodon public or hashtag stream",
		Network: "mastodon",
		Needs:   "A Mastodon instance and a user token of the instance (Mastodon 4.2 and later require one to stream, even public timelines) with the read:statuses scope.",
		Fields: []source.Field{
			{Name: "instance", Label: "Instance", Help: "The instance whose public timeline or hashtags are followed.", Placeholder: "https://mastodon.social", Required: true},
			{Name: "token", Label: "Access token", Help: "A user token of the instance (Preferences › Development › New application, scope read:statuses).", Required: true, Secret: true},
			{Name: "hashtags", Label: "Hashtags", Help: "Follow only these hashtags, separated by commas or spaces; empty follows the whole public timeline.", Placeholder: "#marque, #concurrent"},
			{Name: "local", Label: "This instance only", Help: "\"yes\" keeps only the statuses of the instance's own accounts.", Placeholder: "no"},
		},
		New: New,
	}
}

// Source follows one instance's public or hashtag streams.
type Source struct {
	base   string // the instance, without a trailing slash
	host   string
	token  string
	tags   []string
	local  bool
	api    *httpx.Client
	stream *http.Client // no call timeout: a stream outlives any
	idle   time.Duration
	poll   time.Duration
	log    *slog.Logger
	// streamBase is where the streaming API lives (learnInstance).
	streamBase string
}

// New validates cfg and builds the source.
func New(cfg source.Config, deps source.Deps) (source.Source, error) {
	raw := strings.TrimRight(strings.TrimSpace(cfg.Values["instance"]), "/")
	if raw == "" {
		return nil, source.Permanentf("instance: the instance's address is required")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, source.Permanentf("instance: %q is not an instance's address (https://example.social)", cfg.Values["instance"])
	}
	token := strings.TrimSpace(cfg.Values["token"])
	if token == "" {
		return nil, source.Permanentf("token: a user token of the instance is required (Mastodon 4.2 and later refuse to stream without one)")
	}
	tags, err := parseTags(cfg.Values["hashtags"])
	if err != nil {
		return nil, err
	}
	local, err := parseBool(cfg.Values["local"])
	if err != nil {
		return nil, err
	}
	hc := deps.HTTP
	if hc == nil {
		hc = httpx.NewClient(httpx.Options{})
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	streams := *hc
	streams.Timeout = 0
	return &Source{base: u.Scheme + "://" + u.Host, host: u.Hostname(), token: token, tags: tags, local: local,
		api: &httpx.Client{HTTP: hc, ErrorText: errorText}, stream: &streams, idle: DefaultIdle, poll: DefaultPoll, log: deps.Log, streamBase: u.Scheme + "://" + u.Host}, nil
}

func parseTags(s string) ([]string, error) {
	var tags []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == ';' }) {
		t = strings.ToLower(strings.TrimPrefix(t, "#"))
		if t == "" {
			continue
		}
		for _, r := range t {
			if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127) {
				return nil, source.Permanentf("hashtags: %q is not a hashtag (letters, digits and _ only)", t)
			}
		}
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(tags) > 20 {
		return nil, source.Permanentf("hashtags: %d hashtags, at most 20 per source", len(tags))
	}
	return tags, nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "no", "false", "0", "off", "non":
		return false, nil
	case "yes", "true", "1", "on", "oui":
		return true, nil
	}
	return false, source.Permanentf("local: %q is neither yes nor no", s)
}

func errorText(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Error
}

// streams are the streams the source follows, as the WebSocket API names
// them, with their tag.
func (s *Source) streams() [][2]string {
	if len(s.tags) == 0 {
		if s.local {
			return [][2]string{{"public:local", ""}}
		}
		return [][2]string{{"public", ""}}
	}
	name := "hashtag"
	if s.local {
		name = "hashtag:local"
	}
	out := make([][2]string, len(s.tags))
	for i, t := range s.tags {
		out[i] = [2]string{name, t}
	}
	return out
}

// Run opens the streams, then fills the gap since cursor from the
// timeline, then hands over what the streams carry, reading the timeline
// again every poll interval, until ctx ends or the connection fails. The
// streams are opened first so that nothing posted during the gap-fill is
// lost: a status both read and streamed is stored once. From a cursor of
// "" the source starts at the timeline's newest status.
func (s *Source) Run(ctx context.Context, cursor string, emit source.Emit) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan []byte, 1024)
	errc := make(chan error, len(s.tags)+1)
	s.learnInstance(ctx)
	closeAll, err := s.open(ctx, events, errc)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		err = source.FromNetwork(err)
		if !errors.Is(err, source.ErrPermanent) {
			return err // refused credentials, or a failure worth a reconnection
		}
		// The server has no stream for us (an old or partial
		// implementation, a proxy that passes neither WebSockets nor event
		// streams): the timeline alone, read every poll interval, still
		// hears everything, only later.
		s.log.Info("mastodon: no public stream on this server; reading its timeline instead", "instance", s.base, "err", err)
		closeAll = func() {}
	}
	defer closeAll()
	fill := func() error {
		var err error
		if cursor == "" {
			err = s.start(ctx, &cursor, emit)
		} else {
			cursor, err = s.gapFill(ctx, cursor, emit)
		}
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if err := fill(); err != nil || ctx.Err() != nil {
		return err
	}
	poll := time.NewTicker(s.poll)
	defer poll.Stop()
	heard := time.Now() // when the stream last carried a status
	for {
		var raw []byte
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case <-poll.C:
			if time.Since(heard) < s.poll {
				continue
			}
			if err := fill(); err != nil || ctx.Err() != nil {
				return err
			}
			continue
		case raw = <-events:
			heard = time.Now()
		}
		var b source.Batch
		add := func(raw []byte) {
			if p, id, ok := s.post(raw); ok {
				b.Posts = append(b.Posts, p)
				cursor = newest(cursor, id)
			}
		}
		add(raw)
	drain:
		for len(b.Posts) < maxBatch {
			select {
			case raw = <-events:
				add(raw)
			default:
				break drain
			}
		}
		if len(b.Posts) == 0 {
			continue
		}
		b.Cursor = cursor
		if err := emit(ctx, b); err != nil {
			return err
		}
	}
}

// learnInstance reads the instance document (docs.joinmastodon.org/methods/instance)
// for the domain of its accounts' handles and for where its streaming API
// lives: configuration.urls.streaming when it names another host (Mastodon
// may run its streaming server apart), else the instance itself. A
// streaming address on the instance's own host or domain is reached as the
// instance is (GoToSocial advertises wss:// even when served over http).
// Without the document, the instance's address and host serve for both.
func (s *Source) learnInstance(ctx context.Context) {
	inst, err := conn.New(s.api.HTTP).Instance(ctx, s.base)
	if err != nil {
		return
	}
	if inst.Domain != "" {
		s.host = inst.Domain
	}
	su, err := url.Parse(inst.StreamingURL)
	if err != nil || su.Host == "" || strings.EqualFold(su.Host, strings.TrimPrefix(strings.TrimPrefix(s.base, "https://"), "http://")) ||
		strings.EqualFold(su.Hostname(), inst.Domain) {
		return
	}
	switch su.Scheme {
	case "wss":
		su.Scheme = "https"
	case "ws":
		su.Scheme = "http"
	}
	s.streamBase = strings.TrimSuffix(su.Scheme+"://"+su.Host, "/")
}

// open connects the streams: one WebSocket carrying them all, or, when the
// server refuses the upgrade (a proxy that does not pass WebSockets), one
// event stream each. Every "update" payload goes to events; a connection
// that fails sends its error to errc.
func (s *Source) open(ctx context.Context, events chan<- []byte, errc chan<- error) (func(), error) {
	streams := s.streams()
	auth := http.Header{"Authorization": {"Bearer " + s.token}}
	q := url.Values{"stream": {streams[0][0]}}
	if streams[0][1] != "" {
		q.Set("tag", streams[0][1])
	}
	ws, err := stream.DialWebSocket(ctx, s.stream, s.streamBase+"/api/v1/streaming?"+q.Encode(), auth)
	if err == nil {
		for _, st := range streams[1:] {
			msg, _ := json.Marshal(map[string]string{"type": "subscribe", "stream": st[0], "tag": st[1]})
			if err := ws.WriteText(msg); err != nil {
				ws.Close()
				return nil, &network.Error{Kind: network.Temporary, Message: "the stream was cut", Err: err}
			}
		}
		go s.readWebSocket(ctx, ws, events, errc)
		return func() { ws.Close() }, nil
	}
	var ne *network.Error
	if !errors.As(err, &ne) || ne.Kind != network.Permanent || ne.Status == 0 || ne.Status == http.StatusNotFound {
		return nil, err
	}
	// Over server-sent events: /api/v1/streaming/public, /public/local,
	// /hashtag?tag=, /hashtag/local?tag=.
	var bodies []interface{ Close() error }
	closeAll := func() {
		for _, b := range bodies {
			b.Close()
		}
	}
	for _, st := range streams {
		u := s.streamBase + "/api/v1/streaming/" + strings.ReplaceAll(st[0], ":", "/")
		if st[1] != "" {
			u += "?" + url.Values{"tag": {st[1]}}.Encode()
		}
		body, err := stream.OpenSSE(ctx, s.stream, u, auth)
		if err != nil {
			closeAll()
			return nil, err
		}
		bodies = append(bodies, body)
		go func() {
			kick, stop := stream.Watchdog(s.idle, func() { body.Close() })
			defer stop()
			err := stream.ReadSSE(&kicker{body, kick}, func(e stream.Event) error {
				if e.Name == "update" {
					select {
					case events <- []byte(e.Data):
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				return nil
			})
			errc <- &network.Error{Kind: network.Temporary, Message: "the stream was cut", Err: err}
		}()
	}
	return closeAll, nil
}

func (s *Source) readWebSocket(ctx context.Context, ws *stream.WebSocket, events chan<- []byte, errc chan<- error) {
	kick, stop := stream.Watchdog(s.idle, func() { ws.Close() })
	defer stop()
	for {
		msg, err := ws.Read(kick)
		if err != nil {
			errc <- &network.Error{Kind: network.Temporary, Message: "the stream was cut", Err: err}
			return
		}
		var m struct {
			Event   string `json:"event"`
			Payload string `json:"payload"`
		}
		if json.Unmarshal(msg, &m) != nil || m.Event != "update" {
			continue // a deletion, an edit, an error message: nothing new to hear
		}
		select {
		case events <- []byte(m.Payload):
		case <-ctx.Done():
			return
		}
	}
}

// kicker reports every read (heartbeats included) to the watchdog.
type kicker struct {
	r    interface{ Read([]byte) (int, error) }
	kick func()
}

func (k *kicker) Read(p []byte) (int, error) {
	n, err := k.r.Read(p)
	if n > 0 {
		k.kick()
	}
	return n, err
}

// timeline is the path and parameters of the timeline the streams follow.
func (s *Source) timeline() (string, url.Values) {
	q := url.Values{"limit": {fmt.Sprint(pageSize)}}
	path := "/api/v1/timelines/public"
	if len(s.tags) > 0 {
		path = "/api/v1/timelines/tag/" + url.PathEscape(s.tags[0])
		for _, t := range s.tags[1:] {
			q.Add("any[]", t)
		}
	}
	if s.local {
		q.Set("local", "true")
	}
	return path, q
}

// start sets the cursor at the timeline's newest status, and stores it: a
// source starts from now, and its first gap-fill has a place to start.
func (s *Source) start(ctx context.Context, cursor *string, emit source.Emit) error {
	path, q := s.timeline()
	q.Set("limit", "1")
	var page []struct {
		ID string `json:"id"`
	}
	if _, err := s.api.Do(ctx, httpx.Request{Method: http.MethodGet, URL: s.base + path + "?" + q.Encode(), Token: s.token}, &page); err != nil {
		return source.FromNetwork(err)
	}
	if len(page) == 0 {
		// An empty timeline: whatever comes is new. "0" is older than any
		// id, Mastodon's numbers and GoToSocial's ULIDs alike.
		*cursor = "0"
		return nil
	}
	*cursor = page[0].ID
	return emit(ctx, source.Batch{Cursor: *cursor})
}

// gapFill reads the timeline from cursor up, oldest page first, emitting
// each page, and returns the new cursor.
func (s *Source) gapFill(ctx context.Context, cursor string, emit source.Emit) (string, error) {
	path, q := s.timeline()
	for range MaxGapPages {
		// min_id gives the page immediately after the cursor (the oldest
		// statuses newer than it), newest first.
		q.Set("min_id", cursor)
		var page []json.RawMessage
		if _, err := s.api.Do(ctx, httpx.Request{Method: http.MethodGet, URL: s.base + path + "?" + q.Encode(), Token: s.token}, &page); err != nil {
			return cursor, source.FromNetwork(err)
		}
		if len(page) == 0 {
			return cursor, nil
		}
		var b source.Batch
		next := cursor
		for i := len(page) - 1; i >= 0; i-- {
			p, id, ok := s.post(page[i])
			next = newest(next, id)
			if ok {
				b.Posts = append(b.Posts, p)
			}
		}
		if next == cursor {
			return cursor, nil // a server that ignores min_id: stop rather than loop
		}
		cursor, b.Cursor = next, next
		if err := emit(ctx, b); err != nil {
			return cursor, err
		}
		if len(page) < pageSize {
			return cursor, nil
		}
	}
	return cursor, nil
}

// status is what the source reads of a Status entity.
type status struct {
	ID         string          `json:"id"`
	URI        string          `json:"uri"`
	URL        string          `json:"url"`
	CreatedAt  time.Time       `json:"created_at"`
	Content    string          `json:"content"`
	Spoiler    string          `json:"spoiler_text"`
	Language   string          `json:"language"`
	Visibility string          `json:"visibility"`
	Reblog     json.RawMessage `json:"reblog"`
	Account    struct {
		Acct        string `json:"acct"`
		DisplayName string `json:"display_name"`
		Followers   *int64 `json:"followers_count"`
	} `json:"account"`
}

// post reads a status; ok is false for what is not a post to hear (a
// boost, which repeats a status heard on its own; a status that is not
// public). id is the status's id whenever it could be read.
func (s *Source) post(raw []byte) (p source.Post, id string, ok bool) {
	var st status
	if json.Unmarshal(raw, &st) != nil || st.ID == "" {
		return p, "", false
	}
	if len(st.Reblog) > 0 && string(st.Reblog) != "null" || st.Visibility != "" && st.Visibility != "public" {
		return p, st.ID, false
	}
	author := st.Account.Acct
	if author != "" && !strings.Contains(author, "@") {
		author += "@" + s.host // a local account: its handle on the instance
	}
	followers := int64(-1)
	if st.Account.Followers != nil {
		followers = *st.Account.Followers
	}
	text := htmltext.Plain(st.Content)
	if cw := strings.TrimSpace(st.Spoiler); cw != "" {
		text = cw + " — " + text
	}
	ext := st.URI
	if ext == "" {
		ext = s.base + "/statuses/" + st.ID
	}
	return source.Post{Network: "mastodon", ExternalID: ext, URL: st.URL, Author: author, AuthorName: st.Account.DisplayName,
		AuthorFollowers: followers, Text: text, Lang: st.Language, CreatedAt: st.CreatedAt.UTC()}, st.ID, true
}

// newest is the later of two status ids: Mastodon's ids are numbers in
// strings that grow with time (compared by length, then digits).
func newest(a, b string) string {
	if len(a) != len(b) {
		if len(a) > len(b) {
			return a
		}
		return b
	}
	if a > b {
		return a
	}
	return b
}
