package atproto_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/atproto"
)

func TestValidDID(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"did:plc:ewvi7nxzyoun6zhxrhs64oiz": true,
		"did:web:example.com":              true,
		"did:web:localhost%3A8080":         true,
		"did:plc:":                         false,
		"did::abc":                         false,
		"did:PLC:abc":                      false,
		"alice.bsky.social":                false,
		"did:plc:abc def":                  false,
		"did:plc:abc/def":                  false,
	} {
		if got := atproto.ValidDID(s); got != want {
			t.Errorf("ValidDID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParseDIDs(t *testing.T) {
	t.Parallel()
	got, err := atproto.ParseDIDs("dids", " did:plc:a, did:web:b.example\ndid:plc:a;did:plc:c ", 10)
	if err != nil || !slices.Equal(got, []string{"did:plc:a", "did:web:b.example", "did:plc:c"}) {
		t.Errorf("ParseDIDs = %v, %v", got, err)
	}
	for _, bad := range []string{"did:plc:a, @alice", "did:plc:a did:plc:b did:plc:c"} {
		_, err := atproto.ParseDIDs("dids", bad, 2)
		var fe *atproto.FieldError
		if !errors.As(err, &fe) || fe.Field != "dids" || !errors.Is(err, source.ErrPermanent) {
			t.Errorf("ParseDIDs(%q) = %v, want a permanent error on dids", bad, err)
		}
	}
}

// A record whose createdAt does not parse is dated when the stream saw it.
func TestNewPostDates(t *testing.T) {
	t.Parallel()
	seen := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	p := atproto.NewPost("did:plc:a", "3k", atproto.Record{Text: "x", CreatedAt: "yesterday"}, "", seen)
	if !p.CreatedAt.Equal(seen) || p.Author != "did:plc:a" || p.AuthorFollowers != -1 {
		t.Errorf("post %+v", p)
	}
	p = atproto.NewPost("did:plc:a", "3k", atproto.Record{CreatedAt: "2026-12-03T10:00:00+02:00"}, "a.test", seen)
	if !p.CreatedAt.Equal(seen.Add(-time.Hour)) || p.CreatedAt.Location() != time.UTC || p.Author != "a.test" {
		t.Errorf("post %+v", p)
	}
}

func TestHandlesAreBounded(t *testing.T) {
	t.Parallel()
	h := atproto.NewHandles(2)
	h.Set("did:plc:a", "a.test")
	h.Set("did:plc:b", "b.test")
	h.Set("did:plc:b", "handle.invalid") // the PDS's placeholder: forgotten
	if h.Get("did:plc:b") != "" || h.Get("did:plc:a") != "a.test" {
		t.Errorf("handles a=%q b=%q", h.Get("did:plc:a"), h.Get("did:plc:b"))
	}
	h.Set("did:plc:c", "c.test")
	h.Set("did:plc:d", "d.test") // full: starts over
	if h.Get("did:plc:d") != "d.test" || h.Get("did:plc:a") != "" {
		t.Errorf("after overflow a=%q d=%q", h.Get("did:plc:a"), h.Get("did:plc:d"))
	}
}
