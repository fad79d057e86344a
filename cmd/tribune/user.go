package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tribune-social/tribune/internal/app"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/problem"
)

// runUser is `tribune user reset-password [flags] EMAIL`: for a server
// without SMTP, the operator hands the user a one-time link (valid
// auth.ResetLifetime, stored hashed) rather than a password, so that no
// password passes through the operator's terminal or chat.
func runUser(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) < 2 || args[0] != "reset-password" {
		return errors.New("user: tribune user reset-password [flags] EMAIL")
	}
	email := args[len(args)-1]
	cfg, err := config.Load("user reset-password", args[1:len(args)-1], getenv)
	if err != nil {
		return err
	}
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := &auth.Service{Store: st, Now: time.Now, PublicURL: cfg.PublicURL}
	tok, u, err := svc.NewPasswordReset(ctx, email)
	if errors.Is(err, problem.NotFound) {
		return fmt.Errorf("user: no account uses %q", email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "One-time link to choose a new password for %s (valid %s, single use):\n%s\n", u.Email, auth.ResetLifetime, svc.ResetLink(tok))
	return nil
}
