// Package listen is listening's use cases (issue 15): the topics a
// workspace watches and the queries that find them, the sources that bring
// public posts, the pipeline that turns a source's batch into stored
// mentions and the rollups charts read (Ingest), the runner that keeps each
// enabled source consuming on exactly one node, and the retention job.
//
// The query language lives in listen/query, the sources' interface in
// listen/source; this package knows neither a network nor a wire format.
package listen

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/source"
	netsandbox "github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
)

// Analyzer detects a text's language and scores its sentiment
// (*sentiment.Model in production).
type Analyzer interface {
	Detect(text string) string
	AnalyzeLang(text, lang string) sentiment.Result
}

// Who may do what. Everyone who reads the workspace reads its listening;
// writing queries is community work (the roles that schedule); a source may
// carry the workspace's API credentials, so it takes what connecting a
// channel takes.
const (
	permRead    = auth.View
	permQueries = auth.Schedule
	permSources = auth.ManageChannels
)

// Service is listening.
type Service struct {
	Store store.Store
	Auth  *auth.Service
	// Keys seal the sources' secrets (as channels' tokens).
	Keys     *secret.Keyring
	Analyzer Analyzer
	// OnStored, when set, runs in the transaction of every batch that
	// stored new mentions (the alert rules queue their evaluation there).
	OnStored func(ctx context.Context, tx store.Tx, workspaceID int64) error
	// Kinds are the source kinds this process knows.
	Kinds source.Registry
	// Deps are handed to the sources the runner builds.
	Deps source.Deps
	// Sandbox and SandboxURL drive the Sandbox public stream's storm
	// switch (storm.go).
	Sandbox    *netsandbox.Connector
	SandboxURL string
	Log        *slog.Logger
	Now        func() time.Time

	indexes indexCache
	recent  recentPosts
	// wsOf caches each source's workspace and network (they never change).
	wsOf sync.Map // int64 → sourceInfo
}

type sourceInfo struct {
	workspaceID int64
	kind        string
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) logger() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// The problems of listening.
var (
	errTopicNotFound  = problem.New(http.StatusNotFound, "topic_not_found", "No such topic in this workspace.")
	errQueryNotFound  = problem.New(http.StatusNotFound, "query_not_found", "No such query in this workspace.")
	errSourceNotFound = problem.New(http.StatusNotFound, "source_not_found", "No such source in this workspace.")
	errTopicExists    = problem.Invalidf("name", "topic_exists", "A topic of this name already exists.")
)

// notFound maps a store miss to p, other errors as they are.
func notFound(err error, p *problem.Error) error {
	if errors.Is(err, store.ErrNotFound) {
		return p
	}
	return err
}

// authorize checks user may do p in workspaceID.
func (s *Service) authorize(ctx context.Context, user store.User, workspaceID int64, p auth.Permission) error {
	_, _, err := s.Auth.Authorize(ctx, user, workspaceID, p)
	return err
}
