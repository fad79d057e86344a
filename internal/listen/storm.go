package listen

import (
	"context"
	"net/http"
	"strings"

	"github.com/tribune-social/tribune/internal/listen/source/sandbox"
	netsandbox "github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

var (
	errNotSandbox = problem.Invalidf("source", "not_sandbox", "Only a Sandbox source has a storm switch.")
	errStormMode  = problem.Invalidf("mode", "bad_storm_mode", "The storm mode is auto, on or off.")
	errNoSandbox  = problem.New(http.StatusServiceUnavailable, "no_sandbox", "The Sandbox cannot be reached from this server.")
)

// SandboxStorm switches the storm of the Sandbox public stream a Sandbox
// source reads: auto (now and then), on, off. It takes what managing a
// source takes, since it drives the whole simulated network.
func (s *Service) SandboxStorm(ctx context.Context, user store.User, workspaceID, sourceID int64, mode string) (netsandbox.PublicStorm, error) {
	if err := s.authorize(ctx, user, workspaceID, permSources); err != nil {
		return netsandbox.PublicStorm{}, err
	}
	r, err := s.sourceIn(ctx, workspaceID, sourceID)
	if err != nil {
		return netsandbox.PublicStorm{}, err
	}
	if mode != netsandbox.StormAuto && mode != netsandbox.StormOn && mode != netsandbox.StormOff {
		return netsandbox.PublicStorm{}, errStormMode
	}
	if r.Kind != sandbox.Name {
		return netsandbox.PublicStorm{}, errNotSandbox
	}
	if s.Sandbox == nil {
		return netsandbox.PublicStorm{}, errNoSandbox
	}
	cfg, err := s.config(r)
	if err != nil {
		return netsandbox.PublicStorm{}, err
	}
	base := strings.TrimSpace(cfg.Values["url"])
	if base == "" {
		base = s.SandboxURL
	}
	st, err := s.Sandbox.SetPublicStorm(ctx, base, mode)
	if err != nil {
		return st, errNoSandbox.Wrap(err)
	}
	return st, nil
}
