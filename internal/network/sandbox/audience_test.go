package sandbox

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

// fakeClock is the sandbox's clock under test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// audienceSite is a sandbox on a fake clock with one account that
// published three posts.
type audienceSite struct {
	s     *Server
	url   string
	clock *fakeClock
	c     *Connector
	acct  network.Account
	posts []network.Ref
}

func newAudienceSite(t *testing.T, opt Options) *audienceSite {
	t.Helper()
	clock := &fakeClock{t: t0}
	opt.Now, opt.Seed = clock.Now, 42
	s, u := start(t, opt)
	site := &audienceSite{s: s, url: u, clock: clock, c: NewConnector(nil)}
	site.c.ControlToken = testControl
	ctx := context.Background()
	var err error
	if site.acct, err = site.c.CreateAccount(ctx, u, "w1", "shop"); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"Our autumn collection is here #design #lamps", "Nouvelle boutique à Lyon ! #ouverture", "Workshop photos"} {
		ref, err := site.c.Publish(ctx, site.acct, network.PostRequest{AttemptKey: string(rune('a' + i)), Text: text})
		if err != nil {
			t.Fatal(err)
		}
		site.posts = append(site.posts, ref)
	}
	return site
}

func (a *audienceSite) set(t *testing.T, aud Audience) Audience {
	t.Helper()
	aud.Account = a.acct.ExternalID
	got, err := a.c.SetAudience(context.Background(), a.url, aud)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// fetchAll pages through the inbox from the cursor, limit items a call.
func (a *audienceSite) fetchAll(t *testing.T, cursor string, limit int) ([]network.Item, string) {
	t.Helper()
	var all []network.Item
	for range 10000 {
		res, err := a.c.FetchInbox(context.Background(), a.acct, network.FetchRequest{Cursor: cursor, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) > limit {
			t.Fatalf("a fetch of limit %d returned %d items", limit, len(res.Items))
		}
		all = append(all, res.Items...)
		if res.Cursor == cursor && len(res.Items) > 0 {
			t.Fatalf("cursor %q did not move after %d items", cursor, len(res.Items))
		}
		cursor = res.Cursor
		if !res.More {
			return all, cursor
		}
	}
	t.Fatal("paging never ended")
	return nil, ""
}

// Over an hour at 10 items a minute with a 60/30/10 mix, the audience
// writes about 600 items in that mix, in French and in English, of every
// kind, with threads (replies to other comments) and some edits; the same
// seed and clock give the same items.
func TestAudienceFollowsRateAndMix(t *testing.T) {
	a := newAudienceSite(t, Options{})
	a.set(t, Audience{Rate: 10, Positive: 60, Neutral: 30, Negative: 10, Languages: []string{"fr", "en"}})
	for range 60 {
		a.clock.Add(time.Minute)
		a.s.Inbox(a.acct.ExternalID) // reads along the way, as a poller would
	}
	items := a.s.Inbox(a.acct.ExternalID)
	if n := len(items); n < 540 || n > 660 {
		t.Fatalf("%d items in an hour at 10 a minute, want about 600", n)
	}
	labels, langs, kinds := map[string]int{}, map[string]int{}, map[string]int{}
	threads, edited := 0, 0
	for _, it := range items {
		labels[it.Sentiment]++
		langs[it.Lang]++
		kinds[it.Kind]++
		if it.CreatedAt.Before(t0) || it.CreatedAt.After(a.clock.Now()) {
			t.Errorf("item %s written at %v, outside the window", it.ID, it.CreatedAt)
		}
		if it.Kind == "comment" && it.ParentID != "" && !slices.ContainsFunc(a.posts, func(r network.Ref) bool { return r.ID == it.ParentID }) {
			threads++
			if !strings.HasPrefix(it.Text, "@") {
				t.Errorf("a reply to a comment does not name its author: %q", it.Text)
			}
		}
		if it.Kind == "comment" && !slices.ContainsFunc(a.posts, func(r network.Ref) bool { return r.ID == it.RootID }) {
			t.Errorf("comment %s has root %q, not one of our posts", it.ID, it.RootID)
		}
		if it.Kind == "review" && (it.Rating < 1 || it.Rating > 5) {
			t.Errorf("review rated %d", it.Rating)
		}
		if !it.EditedAt.IsZero() {
			edited++
		}
		if strings.TrimSpace(it.Text) == "" {
			t.Errorf("item %s has no text", it.ID)
		}
	}
	n := float64(len(items))
	for label, want := range map[string]float64{"positive": .60, "neutral": .30, "negative": .10} {
		if got := float64(labels[label]) / n; got < want-.05 || got > want+.05 {
			t.Errorf("%s share %.2f, want %.2f", label, got, want)
		}
	}
	if langs["fr"] < len(items)/4 || langs["en"] < len(items)/4 {
		t.Errorf("languages %v, want both French and English", langs)
	}
	for _, k := range network.ItemKinds {
		if kinds[string(k)] == 0 {
			t.Errorf("no %s among %v", k, kinds)
		}
	}
	if threads == 0 || edited == 0 {
		t.Errorf("%d replies to comments and %d edits, want some of each", threads, edited)
	}
	// Varied enough to look alive.
	texts := map[string]bool{}
	for _, it := range items {
		texts[it.Text] = true
	}
	if len(texts) < len(items)*3/4 {
		t.Errorf("%d different texts among %d items", len(texts), len(items))
	}

	// Same seed, same clock: the same items, whatever the reads in between
	// (as long as they are closer than the catch-up limit).
	b := newAudienceSite(t, Options{})
	b.set(t, Audience{Rate: 10, Positive: 60, Neutral: 30, Negative: 10, Languages: []string{"fr", "en"}})
	for range 6 { // other reads, never more than the catch-up limit apart
		b.clock.Add(10 * time.Minute)
		b.s.Inbox(b.acct.ExternalID)
	}
	again := b.s.Inbox(b.acct.ExternalID)
	if len(again) != len(items) {
		t.Fatalf("the same seed wrote %d items, then %d", len(items), len(again))
	}
	for i := range items {
		x, y := items[i], again[i]
		if x.Text != y.Text || !x.CreatedAt.Equal(y.CreatedAt) || x.Kind != y.Kind || x.Author != y.Author {
			t.Fatalf("item %d differs: %+v / %+v", i, x, y)
		}
	}
}

// A French-only audience writes French; a silent one (rate 0) writes
// nothing; without posts, it still mentions, messages and reviews.
func TestAudienceLanguagesAndSilence(t *testing.T) {
	a := newAudienceSite(t, Options{})
	a.set(t, Audience{Rate: 10, Languages: []string{"fr"}})
	a.clock.Add(5 * time.Minute)
	items := a.s.Inbox(a.acct.ExternalID)
	if len(items) == 0 {
		t.Fatal("no items")
	}
	for _, it := range items {
		if it.Lang != "fr" {
			t.Fatalf("a French audience wrote %s: %q", it.Lang, it.Text)
		}
	}
	a.set(t, Audience{Rate: 0})
	a.clock.Add(10 * time.Minute)
	if got := a.s.Inbox(a.acct.ExternalID); len(got) != len(items) {
		t.Errorf("a silent audience wrote %d items", len(got)-len(items))
	}

	ctx := context.Background()
	lone, err := a.c.CreateAccount(ctx, a.url, "w1", "newcomer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.c.SetAudience(ctx, a.url, Audience{Account: lone.ExternalID, Rate: 10}); err != nil {
		t.Fatal(err)
	}
	a.clock.Add(5 * time.Minute)
	for _, it := range a.s.Inbox(lone.ExternalID) {
		if it.Kind != "mention" && it.Kind != "message" && it.Kind != "review" {
			t.Errorf("an account without posts got a %s", it.Kind)
		}
	}
}

// A storm is a burst of angry comments and replies: a positive audience
// writing one item a minute writes, during a 5-minute storm, at least 20 a
// minute, all negative, and calms down afterwards.
func TestStormBurstsNegativeComments(t *testing.T) {
	a := newAudienceSite(t, Options{})
	a.set(t, Audience{Rate: 1, Positive: 100})
	a.clock.Add(10 * time.Minute)
	before := len(a.s.Inbox(a.acct.ExternalID))
	got := a.set(t, Audience{Rate: 1, Positive: 100, StormMinutes: 5})
	if !got.StormUntil.Equal(a.clock.Now().Add(5 * time.Minute)) {
		t.Errorf("storm until %v, want 5 minutes from now", got.StormUntil)
	}
	stormStart := a.clock.Now()
	a.clock.Add(5 * time.Minute)
	items := a.s.Inbox(a.acct.ExternalID)
	storm := items[before:]
	if len(storm) < 5*stormMinRate*8/10 {
		t.Fatalf("%d items during a 5-minute storm", len(storm))
	}
	for _, it := range storm {
		if it.Sentiment != "negative" || it.Kind != "comment" || !it.Storm {
			t.Fatalf("storm item %+v, want a negative comment", it)
		}
	}
	// A storm can be ended early.
	a.set(t, Audience{Rate: 1, Positive: 100, StormMinutes: 30})
	if got := a.set(t, Audience{Rate: 1, Positive: 100, EndStorm: true}); got.StormUntil.After(a.clock.Now()) {
		t.Errorf("after ending the storm, it lasts until %v", got.StormUntil)
	}
	a.clock.Add(10 * time.Minute)
	after := a.s.Inbox(a.acct.ExternalID)[len(items):]
	if len(after) > 20 {
		t.Errorf("%d items in the 10 minutes after the storm at 1 a minute", len(after))
	}
	for _, it := range after {
		if it.CreatedAt.Before(stormStart.Add(5*time.Minute)) || it.Sentiment != "positive" {
			continue
		}
		if it.Storm {
			t.Errorf("item after the storm flagged storm: %+v", it)
		}
	}
	if len(after) == 0 || after[len(after)-1].Sentiment != "positive" {
		t.Errorf("after the storm: %+v", after)
	}
}

// Paging through the inbox with any limit returns every item exactly once
// when nothing changes between the pages; with the audience writing and
// editing meanwhile, nothing is skipped and an item comes again only with a
// change.
func TestInboxPagingNeverSkipsOrRepeats(t *testing.T) {
	a := newAudienceSite(t, Options{})
	a.set(t, Audience{Rate: 20})
	a.clock.Add(12 * time.Minute)
	want := a.s.Inbox(a.acct.ExternalID)
	if len(want) < 150 {
		t.Fatalf("only %d items", len(want))
	}
	for _, limit := range []int{1, 7, 100, 250, 1000} {
		got, _ := a.fetchAll(t, "", limit)
		ids := map[string]int{}
		for _, it := range got {
			ids[it.ExternalID]++
		}
		if len(got) != len(want) || len(ids) != len(want) {
			t.Errorf("limit %d: %d items, %d distinct, want %d once each", limit, len(got), len(ids), len(want))
		}
	}

	// Moving on while paging.
	seen := map[string][]network.Item{}
	cursor := ""
	for range 40 {
		res, err := a.c.FetchInbox(context.Background(), a.acct, network.FetchRequest{Cursor: cursor, Limit: 9})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range res.Items {
			seen[it.ExternalID] = append(seen[it.ExternalID], it)
		}
		cursor = res.Cursor
		a.clock.Add(20 * time.Second)
	}
	for range 100 {
		got, c := a.fetchAll(t, cursor, 50)
		for _, it := range got {
			seen[it.ExternalID] = append(seen[it.ExternalID], it)
		}
		if cursor = c; len(got) == 0 {
			break
		}
	}
	final := a.s.Inbox(a.acct.ExternalID)
	for _, it := range final {
		versions := seen[it.ID]
		if len(versions) == 0 {
			t.Errorf("item %s was never fetched", it.ID)
			continue
		}
		for i := 1; i < len(versions); i++ {
			if versions[i] == versions[i-1] {
				t.Errorf("item %s fetched twice unchanged", it.ID)
			}
		}
		if last := versions[len(versions)-1]; last.Text != it.Text || !last.EditedAt.Equal(it.EditedAt) {
			t.Errorf("item %s last fetched as %q, now %q", it.ID, last.Text, it.Text)
		}
	}
	// Nothing new: the cursor stays and no item comes.
	res, err := a.c.FetchInbox(context.Background(), a.acct, network.FetchRequest{Cursor: cursor, Limit: 10})
	if err != nil || len(res.Items) != 0 || res.Cursor != cursor || res.More {
		t.Errorf("fetch with nothing new: %d items, cursor %q→%q, more %v, %v", len(res.Items), cursor, res.Cursor, res.More, err)
	}
}

// Since bounds the first fetch.
func TestInboxFirstFetchSince(t *testing.T) {
	a := newAudienceSite(t, Options{})
	a.set(t, Audience{Rate: 10})
	a.clock.Add(10 * time.Minute)
	since := t0.Add(5 * time.Minute)
	res, err := a.c.FetchInbox(context.Background(), a.acct, network.FetchRequest{Since: since, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	all := a.s.Inbox(a.acct.ExternalID)
	n := 0
	for _, it := range all {
		if !it.CreatedAt.Before(since) {
			n++
		}
	}
	if len(res.Items) != n || n == 0 || n == len(all) {
		t.Errorf("since %v: %d items, want %d of %d", since, len(res.Items), n, len(all))
	}
}

// Every action changes what the inbox returns, once: the changed item comes
// back after the cursor with its new state; doing it again changes nothing.
func TestActionsAreReflected(t *testing.T) {
	a := newAudienceSite(t, Options{})
	a.set(t, Audience{Rate: 10, Languages: []string{"en"}})
	a.clock.Add(5 * time.Minute)
	ctx := context.Background()
	items, cursor := a.fetchAll(t, "", 100)
	if len(items) < 10 {
		t.Fatalf("%d items", len(items))
	}
	caps := a.c.InboxCapabilities(a.acct)
	act := func(action network.Action, it network.Item) network.Item {
		t.Helper()
		if !caps.Action(action).OK {
			t.Fatalf("%s unsupported: %s", action, caps.Action(action).Reason)
		}
		for range 2 { // idempotent
			if err := a.c.Act(ctx, a.acct, action, it); err != nil {
				t.Fatalf("%s: %v", action, err)
			}
		}
		got, next := a.fetchAll(t, cursor, 100)
		if len(got) != 1 || got[0].ExternalID != it.ExternalID {
			t.Fatalf("after %s twice, the inbox returned %d items, want the one item once", action, len(got))
		}
		cursor = next
		return got[0]
	}
	target := items[0]
	if got := act(network.ActHide, target); !got.Hidden {
		t.Error("hidden item not hidden")
	}
	if got := act(network.ActUnhide, target); got.Hidden {
		t.Error("unhidden item still hidden")
	}
	act(network.ActLike, target)
	act(network.ActMarkRead, target)
	raw := a.s.Inbox(a.acct.ExternalID)[0]
	if !raw.Liked || !raw.Read {
		t.Errorf("liked %v, read %v", raw.Liked, raw.Read)
	}
	act(network.ActUnlike, target)
	if a.s.Inbox(a.acct.ExternalID)[0].Liked {
		t.Error("unliked item still liked")
	}
	if got := act(network.ActDelete, target); !got.Deleted || got.Text != "" {
		t.Errorf("deleted item: deleted %v, text %q", got.Deleted, got.Text)
	}

	// Blocking an author: nothing more from them.
	blocked := items[1]
	for _, action := range []network.Action{network.ActBlock, network.ActBlock} {
		if err := a.c.Act(ctx, a.acct, action, blocked); err != nil {
			t.Fatal(err)
		}
	}
	blockedAt := a.clock.Now()
	a.clock.Add(30 * time.Minute)
	for _, it := range a.s.Inbox(a.acct.ExternalID) {
		if it.Author.ID == blocked.Author.ExternalID && it.CreatedAt.After(blockedAt) {
			t.Fatalf("a blocked author wrote %q", it.Text)
		}
		if it.Author.ID == blocked.Author.ExternalID && !it.Author.Blocked {
			t.Errorf("the blocked author's items are not marked blocked")
		}
	}
	if err := a.c.Act(ctx, a.acct, network.ActUnblock, blocked); err != nil {
		t.Fatal(err)
	}
	if a.s.Inbox(a.acct.ExternalID)[1].Author.Blocked {
		t.Error("unblocked author still blocked")
	}

	// Replies go through Publish, not Act; a reply to an item is a post.
	if err := a.c.Act(ctx, a.acct, network.ActReply, target); !errors.Is(err, network.ErrUnsupported) {
		t.Errorf("Act(reply): %v, want ErrUnsupported", err)
	}
	if _, err := a.c.Publish(ctx, a.acct, network.PostRequest{AttemptKey: "r", Text: "Thanks!", ReplyTo: &items[2].Ref}); err != nil {
		t.Errorf("a reply to an inbox item: %v", err)
	}
	// Another account cannot act on this one's items.
	other, _ := a.c.CreateAccount(ctx, a.url, "w2", "shop")
	if err := a.c.Act(ctx, other, network.ActHide, items[3]); network.AsError(err).Status != http.StatusNotFound {
		t.Errorf("another account hid an item: %v", err)
	}
}

// The items and the generation survive a restart: a sandbox stopped and
// started again on the same data file has the same items and goes on
// writing exactly what one that never stopped writes.
func TestAudienceSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sandbox.jsonl")
	clock := &fakeClock{t: t0}
	open := func() (*Server, string) {
		s, err := NewServer(Options{DataFile: file, ControlToken: testControl, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(s)
		t.Cleanup(hs.Close)
		return s, hs.URL
	}
	s, u := open()
	c := NewConnector(nil)
	c.ControlToken = testControl
	ctx := context.Background()
	acct, err := c.CreateAccount(ctx, u, "w1", "shop")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "p", Text: "Hello #world"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetAudience(ctx, u, Audience{Account: acct.ExternalID, Rate: 8, Positive: 20, Neutral: 20, Negative: 60}); err != nil {
		t.Fatal(err)
	}
	clock.Add(7 * time.Minute)
	first := s.Inbox(acct.ExternalID)
	if err := c.Act(ctx, acct, network.ActHide, network.Item{ExternalID: first[0].ID}); err != nil {
		t.Fatal(err)
	}
	first = s.Inbox(acct.ExternalID)
	s.Close()

	s2, u2 := open()
	defer s2.Close()
	again := s2.Inbox(acct.ExternalID)
	if len(again) != len(first) || !again[0].Hidden {
		t.Fatalf("after a restart: %d items (first hidden %v), want %d", len(again), again[0].Hidden, len(first))
	}
	for i := range first {
		if first[i] != again[i] {
			t.Fatalf("item %d changed across the restart: %+v / %+v", i, first[i], again[i])
		}
	}
	aud, err := c.Audience(ctx, u2, acct.ExternalID)
	if err != nil || aud.Rate != 8 || aud.Negative != 60 {
		t.Fatalf("audience after restart: %+v %v", aud, err)
	}
	clock.Add(7 * time.Minute)
	later := s2.Inbox(acct.ExternalID)
	if len(later) <= len(first) {
		t.Fatalf("no item after the restart")
	}
	// The cursor taken before the restart still works.
	res, err := c.FetchInbox(ctx, acct, network.FetchRequest{Cursor: "1", Limit: 1000})
	if err != nil || len(res.Items) == 0 {
		t.Errorf("fetch after restart: %d %v", len(res.Items), err)
	}

	// A sandbox that never stopped writes the same.
	clock2 := &fakeClock{t: t0}
	ref, err := NewServer(Options{ControlToken: testControl, Now: clock2.Now, Seed: aud2seed(t, file)})
	if err != nil {
		t.Fatal(err)
	}
	ref.mu.Lock()
	ref.accounts[acct.ExternalID] = &account{ID: acct.ExternalID, Name: "shop", Token: "x"}
	ref.posts = append(ref.posts, s2.posts[0])
	ref.byID[s2.posts[0].ID] = s2.posts[0]
	ref.setAudience(Audience{Account: acct.ExternalID, Rate: 8, Positive: 20, Neutral: 20, Negative: 60})
	ref.mu.Unlock()
	clock2.Add(14 * time.Minute)
	straight := ref.Inbox(acct.ExternalID)
	if len(straight) != len(later) {
		t.Fatalf("restarted sandbox wrote %d items, one that never stopped %d", len(later), len(straight))
	}
	for i := range later {
		if later[i].Text != straight[i].Text || !later[i].CreatedAt.Equal(straight[i].CreatedAt) {
			t.Fatalf("item %d: restarted %q at %v, never stopped %q at %v", i, later[i].Text, later[i].CreatedAt, straight[i].Text, straight[i].CreatedAt)
		}
	}
}

// aud2seed reads the audience's seed from the data file.
func aud2seed(t *testing.T, file string) uint64 {
	t.Helper()
	s, err := NewServer(Options{DataFile: file})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, st := range s.audiences {
		if st.Seed != 0 {
			return st.Seed
		}
	}
	t.Fatal("no seed in the data file")
	return 0
}

// The audience's control endpoint needs the control token and refuses a
// bad setting with the field at fault.
func TestAudienceControl(t *testing.T) {
	a := newAudienceSite(t, Options{})
	body := map[string]any{"account": a.acct.ExternalID, "rate": 5}
	for _, c := range []struct {
		name, method, path, token string
		body                      any
		want                      int
	}{
		{"get, anonymous", http.MethodGet, "/_sandbox/audience?account=" + a.acct.ExternalID, "", nil, http.StatusUnauthorized},
		{"get, account token", http.MethodGet, "/_sandbox/audience?account=" + a.acct.ExternalID, a.acct.Token.AccessToken, nil, http.StatusUnauthorized},
		{"set, anonymous", http.MethodPost, "/_sandbox/audience", "", body, http.StatusUnauthorized},
		{"set, account token", http.MethodPost, "/_sandbox/audience", a.acct.Token.AccessToken, body, http.StatusUnauthorized},
		{"set, control token", http.MethodPost, "/_sandbox/audience", testControl, body, http.StatusOK},
		{"get, control token", http.MethodGet, "/_sandbox/audience?account=" + a.acct.ExternalID, testControl, nil, http.StatusOK},
		{"unknown account", http.MethodPost, "/_sandbox/audience", testControl, map[string]any{"account": "nobody", "rate": 1}, http.StatusNotFound},
		{"rate too high", http.MethodPost, "/_sandbox/audience", testControl, map[string]any{"account": a.acct.ExternalID, "rate": 61}, http.StatusUnprocessableEntity},
		{"mix not 100", http.MethodPost, "/_sandbox/audience", testControl, map[string]any{"account": a.acct.ExternalID, "rate": 1, "positive": 50, "neutral": 10}, http.StatusUnprocessableEntity},
		{"unknown language", http.MethodPost, "/_sandbox/audience", testControl, map[string]any{"account": a.acct.ExternalID, "rate": 1, "languages": []string{"de"}}, http.StatusUnprocessableEntity},
		{"storm too long", http.MethodPost, "/_sandbox/audience", testControl, map[string]any{"account": a.acct.ExternalID, "rate": 1, "storm_minutes": 120}, http.StatusUnprocessableEntity},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, out := call(t, c.method, a.url+c.path, c.token, c.body); got != c.want {
				t.Errorf("%s %s: %d %v, want %d", c.method, c.path, got, out, c.want)
			}
		})
	}
	got, err := a.c.Audience(context.Background(), a.url, a.acct.ExternalID)
	if err != nil || got.Rate != 5 || got.Positive+got.Neutral+got.Negative != 100 || len(got.Languages) != 2 {
		t.Errorf("audience after setting rate 5: %+v %v (want the default mix and both languages)", got, err)
	}
	// The inbox itself needs the account's token.
	if st, _ := call(t, http.MethodGet, a.url+"/api/inbox", "", nil); st != http.StatusUnauthorized {
		t.Errorf("inbox without a token: %d", st)
	}
}

// The audience answers our replies too: once we answer a comment, later
// comments may sit under our answer, in the thread of the original post.
func TestAudienceAnswersOurReplies(t *testing.T) {
	a := newAudienceSite(t, Options{})
	ctx := context.Background()
	// Delete two posts so the audience answers the third and our replies.
	for _, p := range a.posts[1:] {
		if err := a.c.Delete(ctx, a.acct, p); err != nil {
			t.Fatal(err)
		}
	}
	a.set(t, Audience{Rate: 10})
	a.clock.Add(3 * time.Minute)
	var comment InboxItem
	for _, it := range a.s.Inbox(a.acct.ExternalID) {
		if it.Kind == "comment" {
			comment = it
			break
		}
	}
	if comment.ID == "" {
		t.Fatal("no comment")
	}
	reply, err := a.c.Publish(ctx, a.acct, network.PostRequest{AttemptKey: "ours", Text: "Merci beaucoup !", ReplyTo: &network.Ref{ID: comment.ID}})
	if err != nil {
		t.Fatal(err)
	}
	a.clock.Add(20 * time.Minute)
	under := 0
	for _, it := range a.s.Inbox(a.acct.ExternalID) {
		if it.Kind == "comment" && it.RootID != a.posts[0].ID {
			t.Errorf("comment %s rooted at %s, want our only post %s", it.ID, it.RootID, a.posts[0].ID)
		}
		if it.ParentID == reply.ID {
			under++
		}
	}
	if under == 0 {
		t.Error("no comment under our reply")
	}
}

// What Tribune's inbox gets: every kind the network.Item contract knows,
// comments with the root of their thread (one of our posts), quotes with
// the post they quote, messages grouped per author, reviews with stars;
// every kind and action supported.
func TestInboxItemsAsTribuneSeesThem(t *testing.T) {
	a := newAudienceSite(t, Options{PublicURL: "https://sandbox.example"})
	a.set(t, Audience{Rate: 20})
	a.clock.Add(10 * time.Minute)
	items, _ := a.fetchAll(t, "", 1000)
	caps := a.c.InboxCapabilities(a.acct)
	for _, k := range network.ItemKinds {
		if !caps.Kind(k).OK {
			t.Errorf("kind %s unsupported", k)
		}
	}
	for _, act := range network.Actions {
		if !caps.Action(act).OK {
			t.Errorf("action %s unsupported", act)
		}
	}
	if caps.PollEvery <= 0 || caps.Streaming {
		t.Errorf("poll every %v, streaming %v", caps.PollEvery, caps.Streaming)
	}
	ours := func(id string) bool {
		return slices.ContainsFunc(a.posts, func(r network.Ref) bool { return r.ID == id })
	}
	seen := map[network.ItemKind]int{}
	for _, it := range items {
		seen[it.Kind]++
		if it.ExternalID == "" || it.Ref.ID != it.ExternalID || it.Author.ExternalID == "" || !strings.HasPrefix(it.Author.Handle, "@") || it.CreatedAt.IsZero() {
			t.Errorf("item %+v lacks an id, author or time", it)
		}
		if it.Lang != "fr" && it.Lang != "en" {
			t.Errorf("item in %q", it.Lang)
		}
		switch it.Kind {
		case network.KindComment:
			if it.Root == nil || !ours(it.Root.ID) || it.ConversationID != it.Root.ID || it.ParentID == "" || !strings.Contains(it.Root.URL, "/posts/"+it.Root.ID) {
				t.Errorf("comment %+v: root %+v", it, it.Root)
			}
		case network.KindQuote:
			if !ours(it.ParentID) || it.Root != nil {
				t.Errorf("quote of %q, want one of our posts", it.ParentID)
			}
		case network.KindMessage:
			if it.ConversationID != "dm-"+it.Author.ExternalID {
				t.Errorf("message in conversation %q from %s", it.ConversationID, it.Author.ExternalID)
			}
		case network.KindReview:
			if it.Rating < 1 || it.Rating > 5 {
				t.Errorf("review rated %d", it.Rating)
			}
		case network.KindMention:
			if !strings.Contains(it.Text, "@shop") {
				t.Errorf("mention without our handle: %q", it.Text)
			}
		}
	}
	for _, k := range network.ItemKinds {
		if seen[k] == 0 {
			t.Errorf("no %s fetched", k)
		}
	}
	// An item's address is its page on the Sandbox.
	for _, it := range items {
		if it.Kind == network.KindComment {
			path := strings.TrimPrefix(it.Ref.URL, "https://sandbox.example")
			if st, _ := call(t, http.MethodGet, a.url+path, "", nil); st != http.StatusOK {
				t.Errorf("GET %s: %d", path, st)
			}
			break
		}
	}
}

// A sandbox that was stopped for a day does not flood the inbox: it writes
// at most the catch-up limit's worth.
func TestAudienceCatchUpIsBounded(t *testing.T) {
	a := newAudienceSite(t, Options{})
	a.set(t, Audience{Rate: 10})
	a.clock.Add(24 * time.Hour)
	n := len(a.s.Inbox(a.acct.ExternalID))
	if limit := int(catchUpLimit.Minutes()*10) * 12 / 10; n > limit || n == 0 {
		t.Errorf("%d items after a day away, want at most %d", n, limit)
	}
}

// Someone we answer by direct message writes back in the same conversation.
func TestAudienceWritesBackToOurMessages(t *testing.T) {
	a := newAudienceSite(t, Options{})
	ctx := context.Background()
	a.set(t, Audience{Rate: 10})
	a.clock.Add(5 * time.Minute)
	var dm InboxItem
	for _, it := range a.s.Inbox(a.acct.ExternalID) {
		if it.Kind == "message" {
			dm = it
			break
		}
	}
	if dm.ID == "" {
		t.Fatal("no message")
	}
	ours, err := a.c.Publish(ctx, a.acct, network.PostRequest{AttemptKey: "dm", Text: "We are looking into it.", ReplyTo: &network.Ref{ID: dm.ID}})
	if err != nil {
		t.Fatal(err)
	}
	a.clock.Add(30 * time.Minute)
	back := 0
	for _, it := range a.s.Inbox(a.acct.ExternalID) {
		if it.ParentID == ours.ID {
			back++
			if it.Kind != "message" || it.ConversationID != dm.ConversationID || it.Author != dm.Author || it.Lang != dm.Lang {
				t.Errorf("answer to our message: %+v, want a message from %s in %s", it, dm.Author.ID, dm.ConversationID)
			}
		}
		if it.Kind == "comment" && it.ParentID == ours.ID {
			t.Errorf("a public comment under our private answer")
		}
	}
	if back != 1 {
		t.Errorf("%d messages answering ours, want one", back)
	}
}
