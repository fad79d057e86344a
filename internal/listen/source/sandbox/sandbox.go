// Package sandbox is listening's Sandbox source: it reads the public stream
// of Tribune's simulated network (GET /api/public/stream, see
// internal/network/sandbox/public.go) with its sequence number as the
// cursor, so a restart resumes where the stored mentions stop.
package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/listen/source"
	netsandbox "github.com/tribune-social/tribune/internal/network/sandbox"
	netstream "github.com/tribune-social/tribune/internal/network/stream"
)

// Name is the kind's name.
const Name = "sandbox"

// PollEvery is how long the source waits when the stream has nothing new.
const PollEvery = time.Second

// Kind is the Sandbox source kind. client reaches the Sandbox (the
// operator chose its address, which may be private); defaultURL is the
// built-in Sandbox's, used when the source names none.
func Kind(client *http.Client, defaultURL string) source.Kind {
	return source.Kind{Name: Name, Label: "Sandbox public stream", Network: "sandbox",
		Needs:  "Nothing: the built-in simulated network's public posts.",
		Fields: []source.Field{{Name: "url", Label: "Sandbox address", Help: "Leave empty for the built-in Sandbox.", Placeholder: defaultURL}},
		New: func(cfg source.Config, deps source.Deps) (source.Source, error) {
			u := strings.TrimRight(strings.TrimSpace(cfg.Values["url"]), "/")
			if u == "" {
				u = strings.TrimRight(defaultURL, "/")
			}
			if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
				return nil, fmt.Errorf("%w: url: the Sandbox address is an http(s) URL", source.ErrPermanent)
			}
			return &stream{base: u, client: client}, nil
		}}
}

type stream struct {
	base   string
	client *http.Client
}

// Run polls the stream from cursor, one batch per page.
func (s *stream) Run(ctx context.Context, cursor string, emit source.Emit) error {
	if cursor != "" {
		if _, err := strconv.ParseInt(cursor, 10, 64); err != nil {
			cursor = "" // another kind's cursor: start from now
		}
	}
	for {
		page, err := s.page(ctx, cursor)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		next := strconv.FormatInt(page.Next, 10)
		if len(page.Posts) > 0 || next != cursor {
			b := source.Batch{Cursor: next, Posts: make([]source.Post, len(page.Posts))}
			for i, p := range page.Posts {
				b.Posts[i] = source.Post{Network: "sandbox", ExternalID: p.ID, URL: p.URL, Author: p.Author, AuthorName: p.AuthorName,
					AuthorFollowers: p.Followers, Text: p.Text, Lang: p.Lang, CreatedAt: p.CreatedAt}
			}
			if err := emit(ctx, b); err != nil {
				return err
			}
			cursor = next
		}
		if len(page.Posts) == netsandbox.PublicPage {
			continue // more waiting: no pause
		}
		if netstream.Sleep(ctx, PollEvery) != nil {
			return nil
		}
	}
}

func (s *stream) page(ctx context.Context, cursor string) (netsandbox.PublicPageOut, error) {
	var out netsandbox.PublicPageOut
	u := s.base + "/api/public/stream"
	if cursor != "" {
		u += "?since=" + url.QueryEscape(cursor)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return out, fmt.Errorf("%w: %v", source.ErrPermanent, err)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return out, err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusOK:
	case res.StatusCode == http.StatusNotFound:
		return out, fmt.Errorf("%w: %s has no public stream (HTTP 404)", source.ErrPermanent, s.base)
	default:
		return out, fmt.Errorf("the Sandbox answered HTTP %d", res.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 16<<20)).Decode(&out); err != nil {
		return out, fmt.Errorf("the Sandbox's public stream is not JSON: %w", err)
	}
	return out, nil
}
