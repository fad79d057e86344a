package source

import (
	"errors"
	"fmt"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/httpx"
)

// FromNetwork turns a failed call to a network (a *network.Error from
// internal/network/httpx or internal/network/stream) into what the runner
// understands: refused credentials wrap ErrUnauthorized, a refusal that
// asking again cannot mend (a 404, a 403, an address that is not allowed)
// wraps ErrPermanent, and the rest (time-outs, 5xx, rate limits) stays
// retryable. The network's own words are kept in the message.
func FromNetwork(err error) error {
	if err == nil {
		return nil
	}
	if httpx.Blocked(err) {
		return fmt.Errorf("%w: Tribune does not connect to this address: it must be a public https address (%w)", ErrPermanent, err)
	}
	var ne *network.Error
	if !errors.As(err, &ne) {
		return err
	}
	switch ne.Kind {
	case network.Unauthorized:
		return fmt.Errorf("%w: %w", ErrUnauthorized, err)
	case network.Permanent:
		return fmt.Errorf("%w: %w", ErrPermanent, err)
	}
	return err
}

// Permanentf is a configuration or content error that reconnecting cannot
// mend, worded for the user (it names the field or what is wrong).
func Permanentf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrPermanent, fmt.Sprintf(format, args...))
}
