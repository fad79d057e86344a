package source_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/mastodon"
	"github.com/tribune-social/tribune/internal/listen/source/reddit"
	"github.com/tribune-social/tribune/internal/listen/source/rss"
	"github.com/tribune-social/tribune/internal/listen/source/x"
)

// valid are settings each kind accepts.
var valid = map[string]map[string]string{
	"mastodon": {"instance": "https://mastodon.test", "token": "t"},
	"rss":      {"url": "https://blog.test/feed.xml"},
	"reddit":   {"subreddits": "france", "client_id": "id", "client_secret": "secret"},
	"x":        {"bearer_token": "t", "rule": "tribune"},
}

// Every kind says what it needs, in English and in French, and refuses a
// source whose required field is missing with an error naming the field.
func TestKinds(t *testing.T) {
	t.Parallel()
	reg := source.Registry{}
	for _, k := range []source.Kind{mastodon.Kind(), rss.Kind(), reddit.Kind(), x.Kind()} {
		reg.Add(k)
	}
	for name, k := range reg {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if k.Needs == "" || k.Label == "" || k.Network == "" || k.New == nil {
				t.Fatalf("kind %q is incomplete: %+v", name, k)
			}
			for _, s := range []string{k.Label, k.Needs} {
				if !i18n.Has("fr", s) {
					t.Errorf("no French for %q", s)
				}
			}
			if _, err := k.New(source.Config{Kind: name, Values: valid[name]}, source.Deps{}); err != nil {
				t.Fatalf("New with valid settings: %v", err)
			}
			for _, f := range k.Fields {
				for _, s := range []string{f.Label, f.Help} {
					if s != "" && !i18n.Has("fr", s) {
						t.Errorf("field %s: no French for %q", f.Name, s)
					}
				}
				if strings.Contains(f.Name, "token") || strings.Contains(f.Name, "secret") {
					if !f.Secret {
						t.Errorf("field %s holds a credential and is not Secret", f.Name)
					}
				}
				if !f.Required {
					continue
				}
				v := map[string]string{}
				for key, val := range valid[name] {
					v[key] = val
				}
				delete(v, f.Name)
				_, err := k.New(source.Config{Kind: name, Values: v}, source.Deps{})
				if !errors.Is(err, source.ErrPermanent) || !strings.Contains(err.Error(), f.Name+":") {
					t.Errorf("New without %s = %v, want a permanent error naming it", f.Name, err)
				}
			}
		})
	}
}

// A source pointed at a private address (the operator did not allow
// private networks) fails for good instead of retrying forever.
func TestPrivateAddressesArePermanent(t *testing.T) {
	t.Parallel()
	for name, v := range map[string]map[string]string{
		"mastodon": {"instance": "http://127.0.0.1:9", "token": "t"},
		"rss":      {"url": "http://127.0.0.1:9/feed"},
	} {
		k := map[string]source.Kind{"mastodon": mastodon.Kind(), "rss": rss.Kind()}[name]
		s, err := k.New(source.Config{Kind: name, Values: v}, source.Deps{})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Run(t.Context(), "", func(context.Context, source.Batch) error { return nil })
		if !errors.Is(err, source.ErrPermanent) {
			t.Errorf("%s on a private address: Run = %v, want ErrPermanent", name, err)
		}
	}
}
