// Package x is the listening source of X (Twitter): the X API v2 filtered
// stream (GET /2/tweets/search/stream, a long-lived HTTP answer of one
// JSON object a line, with a newline every 20 seconds to keep it alive)
// and its rules (POST /2/tweets/search/stream/rules), with the user's own
// app bearer token (docs.x.com/x-api/posts/filtered-stream).
//
// The stream belongs to the X app, not to a connection: every rule of the
// app matches on the one stream. So the source tags its rule with its own
// name, mirrors it (adds it, deletes its older versions, leaves other
// rules alone) before connecting, and keeps the posts whose matching rules
// carry its tag.
//
// Reconnection follows X's documented strategy
// (docs.x.com/x-api/fundamentals/handling-disconnections): reconnect at
// once after an established connection drops; after a failed attempt back
// off linearly by 250 ms up to 16 s for network errors, exponentially from
// 5 s up to 320 s for HTTP errors, exponentially from a minute for 429. A
// silence of more than the keep-alive interval is a dead connection. When
// the app's access allows it, backfill_minutes (1 to 5) recovers what was
// posted during a disconnection of up to five minutes.
package x

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/stream"
)

// APIURL is X's API.
const APIURL = "https://api.x.com"

// MaxRule is the longest rule the source accepts: X takes 512 characters
// on the Basic and Pro tiers and more on Enterprise, and says so itself
// when a rule is too long for the app's tier.
const MaxRule = 2048

// DefaultIdle is how long the stream may stay silent: X sends a keep-alive
// newline every 20 seconds; a little more allows for a late one.
const DefaultIdle = 30 * time.Second

// maxBatch bounds how many posts go into one batch.
const maxBatch = 100

// Kind is the X filtered stream source kind.
func Kind() source.Kind {
	return source.Kind{
		Name:    "x",
		Label:   "X filtered stream",
		Network: "x",
		Needs:   "X API access with filtered stream (the Pro or Enterprise tier) and the app's bearer token.",
		Fields: []source.Field{
			{Name: "bearer_token", Label: "Bearer token", Help: "The app's bearer token, from the X developer portal (Keys and tokens).", Required: true, Secret: true},
			{Name: "rule", Label: "Rule", Help: "What to hear, in X's rule syntax: words, \"exact phrases\", #hashtags, @mentions, OR, -excluded, lang:fr.", Placeholder: "(tribune OR \"ma marque\") lang:fr -is:retweet", Required: true},
			{Name: "backfill_minutes", Label: "Backfill after a disconnection (minutes)", Help: "1 to 5 to recover what was posted during a short disconnection, if the app's access allows it; 0 or empty for none.", Placeholder: "0"},
		},
		New: New,
	}
}

// Backoff is X's reconnection schedule.
type Backoff struct {
	NetworkStep, NetworkMax time.Duration // linear
	HTTPFirst, HTTPMax      time.Duration // exponential
	RateFirst               time.Duration // exponential, unbounded
}

// DocumentedBackoff is the schedule X documents.
var DocumentedBackoff = Backoff{NetworkStep: 250 * time.Millisecond, NetworkMax: 16 * time.Second,
	HTTPFirst: 5 * time.Second, HTTPMax: 320 * time.Second, RateFirst: time.Minute}

// Wait is how long to wait before the attempt after the n-th consecutive
// failed one (n ≥ 1), whose error was err.
func (b Backoff) Wait(n int, err error) time.Duration {
	var ne *network.Error
	if !errors.As(err, &ne) || ne.Status == 0 {
		return min(time.Duration(n)*b.NetworkStep, b.NetworkMax)
	}
	if ne.Status == http.StatusTooManyRequests {
		d := b.RateFirst << min(n-1, 10)
		return max(d, ne.RetryAfter)
	}
	return min(b.HTTPFirst<<min(n-1, 10), b.HTTPMax)
}

// Source is one rule on an app's filtered stream.
type Source struct {
	token    string
	rule     string
	tag      string
	backfill int
	api      *httpx.Client
	stream   *http.Client
	base     string
	idle     time.Duration
	backoff  Backoff
	now      func() time.Time
	log      *slog.Logger
}

// New validates cfg and builds the source.
func New(cfg source.Config, deps source.Deps) (source.Source, error) {
	token := strings.TrimSpace(cfg.Values["bearer_token"])
	if token == "" {
		return nil, source.Permanentf("bearer_token: the X app's bearer token is required")
	}
	rule := strings.TrimSpace(cfg.Values["rule"])
	if rule == "" {
		return nil, source.Permanentf("rule: a rule is required")
	}
	if n := len([]rune(rule)); n > MaxRule {
		return nil, source.Permanentf("rule: %d characters, X takes at most %d (512 below Enterprise)", n, MaxRule)
	}
	backfill := 0
	if v := strings.TrimSpace(cfg.Values["backfill_minutes"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 5 {
			return nil, source.Permanentf("backfill_minutes: %q, X allows a whole number from 1 to 5 (0 for none)", v)
		}
		backfill = n
	}
	hc := deps.HTTP
	if hc == nil {
		hc = httpx.NewClient(httpx.Options{})
	}
	streams := *hc
	streams.Timeout = 0
	name := strings.TrimSpace(cfg.Name)
	if name == "" {
		name = "source"
	}
	s := &Source{token: token, rule: rule, tag: "tribune:" + name, backfill: backfill,
		api: &httpx.Client{HTTP: hc, ErrorText: errorText}, stream: &streams, base: APIURL,
		idle: DefaultIdle, backoff: DocumentedBackoff, now: deps.Now, log: deps.Log}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// problem is X's error object (RFC 7807 style, or a rule's error).
type problem struct {
	Title   string   `json:"title"`
	Detail  string   `json:"detail"`
	Type    string   `json:"type"`
	Value   string   `json:"value"`
	Details []string `json:"details"`
	Message string   `json:"message"`
}

func (p problem) String() string {
	parts := []string{}
	for _, s := range append([]string{p.Title, p.Detail, p.Message}, p.Details...) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

func errorText(body []byte) string {
	var e struct {
		problem
		Errors []problem `json:"errors"`
	}
	_ = json.Unmarshal(body, &e)
	if s := e.problem.String(); s != "" {
		return s
	}
	if len(e.Errors) > 0 {
		return e.Errors[0].String()
	}
	return ""
}

// cursor is the newest post's id and when the stream last spoke.
type cursor struct {
	ID string    `json:"id,omitempty"`
	At time.Time `json:"at"`
}

func (c cursor) String() string {
	raw, _ := json.Marshal(c)
	return string(raw)
}

// Run mirrors the rule, then streams, reconnecting as X documents, until
// ctx ends or X refuses the source for good.
func (s *Source) Run(ctx context.Context, cur string, emit source.Emit) error {
	var c cursor
	_ = json.Unmarshal([]byte(cur), &c) // an unreadable cursor only loses the backfill
	if err := s.syncRule(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	failures := 0
	for {
		established, err := s.connect(ctx, &c, emit)
		if ctx.Err() != nil {
			return nil
		}
		var ee emitError
		if errors.As(err, &ee) {
			return ee.err
		}
		if errors.Is(err, source.ErrPermanent) || errors.Is(err, source.ErrUnauthorized) {
			return err
		}
		if established {
			failures = 0
			s.log.Info("x: the filtered stream dropped; reconnecting", "err", err)
			continue // at once, as X asks
		}
		failures++
		d := s.backoff.Wait(failures, err)
		s.log.Info("x: could not connect to the filtered stream", "err", err, "retry_in", d)
		if stream.Sleep(ctx, d) != nil {
			return nil
		}
	}
}

// emitError is the emit callback's error: it ends Run as it is.
type emitError struct{ err error }

func (e emitError) Error() string { return e.err.Error() }

type rule struct {
	ID    string `json:"id,omitempty"`
	Value string `json:"value"`
	Tag   string `json:"tag,omitempty"`
}

// syncRule makes the app's rules hold the source's rule once under its
// tag: it deletes the tag's other rules and adds the rule if missing.
// Rules with other tags (other sources, other tools) are left alone.
func (s *Source) syncRule(ctx context.Context) error {
	var list struct {
		Data []rule `json:"data"`
	}
	if _, err := s.api.Do(ctx, httpx.Request{Method: http.MethodGet, URL: s.base + "/2/tweets/search/stream/rules", Token: s.token}, &list); err != nil {
		return s.refused(err)
	}
	have := false
	var stale []string
	for _, r := range list.Data {
		if r.Tag != s.tag {
			continue
		}
		if r.Value == s.rule && !have {
			have = true
			continue
		}
		stale = append(stale, r.ID)
	}
	if len(stale) > 0 {
		body, _ := json.Marshal(map[string]any{"delete": map[string]any{"ids": stale}})
		if err := s.postRules(ctx, body); err != nil {
			return err
		}
	}
	if !have {
		body, _ := json.Marshal(map[string]any{"add": []rule{{Value: s.rule, Tag: s.tag}}})
		if err := s.postRules(ctx, body); err != nil {
			return err
		}
	}
	return nil
}

// Forget deletes the source's rule from the app's rules, for a source
// the user removed (the rule would otherwise go on matching on the app's
// stream, and counting against its caps).
func (s *Source) Forget(ctx context.Context) error {
	var list struct {
		Data []rule `json:"data"`
	}
	if _, err := s.api.Do(ctx, httpx.Request{Method: http.MethodGet, URL: s.base + "/2/tweets/search/stream/rules", Token: s.token}, &list); err != nil {
		return s.refused(err)
	}
	var ids []string
	for _, r := range list.Data {
		if r.Tag == s.tag {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	body, _ := json.Marshal(map[string]any{"delete": map[string]any{"ids": ids}})
	return s.postRules(ctx, body)
}

// Leftover names the rules Forget deletes by what identifies them on the
// app whatever their id (X gives ids only when listing): their tag, then
// the rule's value, as the X developer portal lists them. No words, so it
// reads the same in every language of the page that shows it.
func (s *Source) Leftover() string {
	return s.tag + " — " + s.rule
}

func (s *Source) postRules(ctx context.Context, body []byte) error {
	var out struct {
		Meta struct {
			Summary struct {
				Invalid    int `json:"invalid"`
				NotCreated int `json:"not_created"`
				NotDeleted int `json:"not_deleted"`
			} `json:"summary"`
		} `json:"meta"`
		Errors []problem `json:"errors"`
	}
	resp, err := s.api.Do(ctx, httpx.Request{Method: http.MethodPost, URL: s.base + "/2/tweets/search/stream/rules", Token: s.token,
		Body: bytes.NewReader(body), ContentType: "application/json"}, &out)
	if err != nil {
		var ne *network.Error
		if errors.As(err, &ne) && ne.Status == http.StatusBadRequest {
			_ = json.Unmarshal(resp.Body, &out)
			if len(out.Errors) > 0 {
				return source.Permanentf("rule: X refused the rule: %s", out.Errors[0])
			}
		}
		return s.refused(err)
	}
	sum := out.Meta.Summary
	if sum.Invalid > 0 || sum.NotCreated > 0 || sum.NotDeleted > 0 {
		why := "no reason given"
		if len(out.Errors) > 0 {
			why = out.Errors[0].String()
		}
		return source.Permanentf("rule: X refused the rule: %s", why)
	}
	return nil
}

// refused words a refusal of the app's access.
func (s *Source) refused(err error) error {
	var ne *network.Error
	if errors.As(err, &ne) {
		switch ne.Status {
		case http.StatusUnauthorized:
			return fmt.Errorf("%w: bearer_token: X refused the bearer token: %s", source.ErrUnauthorized, ne.Message)
		case http.StatusForbidden:
			return source.Permanentf("bearer_token: the app's X API access does not include the filtered stream (%s)", ne.Message)
		}
	}
	return source.FromNetwork(err)
}

// connect opens the stream once and reads it until it fails. established
// says whether the stream had opened (then a drop is reconnected at once).
func (s *Source) connect(ctx context.Context, c *cursor, emit source.Emit) (established bool, err error) {
	q := url.Values{
		"tweet.fields": {"created_at,lang,author_id,note_tweet"},
		"expansions":   {"author_id"},
		"user.fields":  {"public_metrics,username,name"},
	}
	if s.backfill > 0 && !c.At.IsZero() {
		if gap := s.now().Sub(c.At); gap > 0 && gap <= 5*time.Minute {
			minutes := min(s.backfill, int((gap+time.Minute-1)/time.Minute))
			q.Set("backfill_minutes", strconv.Itoa(max(minutes, 1)))
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	timer := time.AfterFunc(stream.HandshakeTimeout, cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/2/tweets/search/stream?"+q.Encode(), nil)
	if err != nil {
		return false, source.Permanentf("x: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.stream.Do(req)
	timer.Stop()
	if err != nil {
		return false, network.AsError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		ne := network.FromResponse(resp, errorText(body))
		if resp.StatusCode == http.StatusBadRequest && strings.Contains(string(body), "backfill") {
			return false, source.Permanentf("backfill_minutes: X refused it, the app's access may not include backfill (%s)", ne.Message)
		}
		if ne.Kind == network.Permanent || ne.Kind == network.Unauthorized {
			return false, s.refused(ne)
		}
		return false, ne
	}
	kick, stop := stream.Watchdog(s.idle, func() { resp.Body.Close() })
	defer stop()
	lines := make(chan []byte, 256)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), stream.MaxEvent)
		for sc.Scan() {
			kick() // a keep-alive newline counts too
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			select {
			case lines <- bytes.Clone(line):
			case <-ctx.Done():
				return
			}
		}
		err := sc.Err()
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		readErr <- err
	}()
	for {
		var line []byte
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case err := <-readErr:
			return true, &network.Error{Kind: network.Temporary, Message: "the stream was cut", Err: err}
		case line = <-lines:
		}
		var b source.Batch
		var drop error
		add := func(line []byte) {
			p, ok, err := s.post(line)
			if err != nil {
				drop = err
			}
			if ok {
				b.Posts = append(b.Posts, p)
				c.ID = p.ExternalID
			}
		}
		add(line)
	drain:
		for len(b.Posts) < maxBatch && drop == nil {
			select {
			case line = <-lines:
				add(line)
			default:
				break drain
			}
		}
		if len(b.Posts) > 0 {
			c.At = s.now().UTC()
			b.Cursor = c.String()
			if err := emit(ctx, b); err != nil {
				return true, emitError{err}
			}
		}
		if drop != nil {
			return true, drop
		}
	}
}

// message is one line of the stream: a post with its author, or errors
// (an operational disconnect says why X is closing the stream).
type message struct {
	Data *struct {
		ID        string    `json:"id"`
		Text      string    `json:"text"`
		AuthorID  string    `json:"author_id"`
		CreatedAt time.Time `json:"created_at"`
		Lang      string    `json:"lang"`
		// NoteTweet holds the whole text of a post longer than 280
		// characters, whose text is cut.
		NoteTweet *struct {
			Text string `json:"text"`
		} `json:"note_tweet"`
	} `json:"data"`
	Includes struct {
		Users []struct {
			ID            string `json:"id"`
			Username      string `json:"username"`
			Name          string `json:"name"`
			PublicMetrics *struct {
				Followers int64 `json:"followers_count"`
			} `json:"public_metrics"`
		} `json:"users"`
	} `json:"includes"`
	MatchingRules []struct {
		ID  string `json:"id"`
		Tag string `json:"tag"`
	} `json:"matching_rules"`
	Errors []struct {
		problem
		DisconnectType string `json:"disconnect_type"`
	} `json:"errors"`
}

// post reads one line. ok is false for a line that is not a post of this
// source (another source's rule matched it); err is set when X announces
// it is closing the stream.
func (s *Source) post(line []byte) (p source.Post, ok bool, err error) {
	var m message
	if json.Unmarshal(line, &m) != nil {
		return p, false, nil
	}
	if m.Data == nil {
		for _, e := range m.Errors {
			if e.DisconnectType != "" || strings.Contains(strings.ToLower(e.Title), "disconnect") {
				return p, false, &network.Error{Kind: network.Temporary, Message: "X closed the stream: " + e.problem.String() + " " + e.DisconnectType}
			}
		}
		return p, false, nil
	}
	mine := false
	for _, r := range m.MatchingRules {
		mine = mine || r.Tag == s.tag
	}
	if !mine {
		return p, false, nil
	}
	d := m.Data
	text := d.Text
	if d.NoteTweet != nil && d.NoteTweet.Text != "" {
		text = d.NoteTweet.Text
	}
	p = source.Post{Network: "x", ExternalID: d.ID, Text: html.UnescapeString(text), Lang: d.Lang, CreatedAt: d.CreatedAt.UTC(), AuthorFollowers: -1}
	if p.Lang == "und" || p.Lang == "zxx" || p.Lang == "qme" || p.Lang == "qht" {
		p.Lang = "" // X's codes for "undetermined", "no text", "media only", "hashtags only"
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now().UTC()
	}
	for _, u := range m.Includes.Users {
		if u.ID != d.AuthorID {
			continue
		}
		p.Author, p.AuthorName = u.Username, u.Name
		if u.PublicMetrics != nil {
			p.AuthorFollowers = u.PublicMetrics.Followers
		}
	}
	if p.Author != "" {
		p.URL = "https://x.com/" + p.Author + "/status/" + d.ID
	} else {
		p.URL = "https://x.com/i/web/status/" + d.ID
	}
	return p, true, nil
}
