package channels

import (
	"context"
	"net/http"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

var notSandbox = problem.New(http.StatusUnprocessableEntity, "not_sandbox", "Only sandbox channels have a simulated audience.")

// SandboxAudience reads the simulated audience of a Sandbox channel: who
// may see the channel may see how lively its audience is set to be.
func (s *Service) SandboxAudience(ctx context.Context, user store.User, channelID int64) (sandbox.Audience, error) {
	ch, err := s.Get(ctx, user, channelID, auth.View)
	if err != nil {
		return sandbox.Audience{}, err
	}
	if ch.Network != "sandbox" {
		return sandbox.Audience{}, notSandbox
	}
	a, err := s.Sandbox.Audience(ctx, ch.BaseURL, ch.ExternalID)
	if err != nil {
		return sandbox.Audience{}, networkProblem(err)
	}
	return a, nil
}

// SetSandboxAudience sets how the simulated audience of a Sandbox channel
// writes to it (rate, sentiment mix, languages, a storm), for who manages
// channels. It returns the setting as the Sandbox now holds it.
func (s *Service) SetSandboxAudience(ctx context.Context, user store.User, channelID int64, a sandbox.Audience) (sandbox.Audience, error) {
	ch, err := s.Get(ctx, user, channelID, auth.ManageChannels)
	if err != nil {
		return sandbox.Audience{}, err
	}
	if ch.Network != "sandbox" {
		return sandbox.Audience{}, notSandbox
	}
	// Checked here too, so the user reads the reason in their language
	// rather than the Sandbox's English.
	switch field, _ := a.Validate(); field {
	case "":
	case "rate":
		return sandbox.Audience{}, problem.Invalidf("rate", "bad_rate", "The rate is between 0 and 60 items per minute.")
	case "mix":
		return sandbox.Audience{}, problem.Invalidf("mix", "bad_mix", "The sentiment shares are between 0 and 100 and add up to 100.")
	case "languages":
		return sandbox.Audience{}, problem.Invalidf("languages", "bad_language", "Choose French, English or both.")
	default:
		return sandbox.Audience{}, problem.Invalidf(field, "bad_storm", "A storm lasts from 0 to 60 minutes.")
	}
	a.Account = ch.ExternalID
	out, err := s.Sandbox.SetAudience(ctx, ch.BaseURL, a)
	if err != nil {
		return sandbox.Audience{}, networkProblem(err)
	}
	return out, nil
}
