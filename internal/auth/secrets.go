package auth

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
)

// ResetLifetime is how long a password-reset link works.
const ResetLifetime = time.Hour

// Mailer sends one plain-text e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Problems of the account's own secrets.
var (
	ErrWrongPassword = problem.New(http.StatusUnprocessableEntity, "wrong_password", "Your current password is not this one.")
	ErrBadReset      = problem.New(http.StatusNotFound, "bad_reset", "This reset link is unknown, used or expired: ask for a new one.")
	ErrNoMail        = problem.New(http.StatusConflict, "reset_by_email_off", "Password reset by e-mail is not set up on this server: ask your administrator (tribune user reset-password).")
)

func validatePassword(field, password string) error {
	if utf8.RuneCountInString(password) < 10 {
		return problem.Invalidf(field, "weak_password", "Use at least 10 characters.")
	}
	return nil
}

// ListAPITokens lists the user's live (not revoked) API tokens, expired ones
// included so that the user sees why a client stopped working.
func (s *Service) ListAPITokens(ctx context.Context, user store.User) ([]store.APIToken, error) {
	return s.Store.ListAPITokens(ctx, user.ID)
}

// RevokeAPIToken revokes one of the user's tokens; a token of someone else
// is NotFound, like one that does not exist.
func (s *Service) RevokeAPIToken(ctx context.Context, user store.User, id int64) error {
	now := s.Now().UTC()
	n, err := s.Store.RevokeAPIToken(ctx, store.RevokeAPITokenParams{RevokedAt: &now, ID: id, UserID: user.ID})
	if err != nil {
		return err
	}
	if n == 0 {
		return problem.NotFound
	}
	return nil
}

// ChangePassword sets a new password once the current one is given, and ends
// every other session of the user: keepSession is the session token of the
// browser making the change ("" from the API, ending them all). API tokens
// stay: they are revoked one by one.
func (s *Service) ChangePassword(ctx context.Context, user store.User, current, next, keepSession string) error {
	// The current password is checked like a sign-in, throttle included: a
	// stolen session must not be a way around it to guess the password.
	u, err := s.Authenticate(ctx, user.Email, current)
	if errors.Is(err, ErrBadCredentials) {
		return ErrWrongPassword.With(problem.Detail{Location: "current_password", Code: "wrong_password",
			Message: ErrWrongPassword.Message, Args: ErrWrongPassword.Args})
	}
	if err != nil {
		return err
	}
	if err := validatePassword("new_password", next); err != nil {
		return err
	}
	return s.setPassword(ctx, s.Store, u.ID, next, keepSession)
}

func (s *Service) setPassword(ctx context.Context, q store.Queries, userID int64, password, keepSession string) error {
	if err := q.UpdateUserPassword(ctx, store.UpdateUserPasswordParams{PasswordHash: secret.HashPassword(password), ID: userID}); err != nil {
		return err
	}
	keep := ""
	if keepSession != "" {
		keep = secret.HashToken(keepSession)
	}
	return q.DeleteUserSessionsExcept(ctx, store.DeleteUserSessionsExceptParams{UserID: userID, KeepTokenHash: keep})
}

// NewPasswordReset makes a single-use reset token for the account with this
// e-mail, valid ResetLifetime; it is stored hashed. The caller delivers
// the link PublicURL/reset/TOKEN.
func (s *Service) NewPasswordReset(ctx context.Context, email string) (string, store.User, error) {
	u, err := s.Store.GetUserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", u, problem.NotFound
		}
		return "", u, err
	}
	tok := secret.NewToken("")
	now := s.Now().UTC()
	err = s.Store.CreatePasswordReset(ctx, store.CreatePasswordResetParams{UserID: u.ID, TokenHash: secret.HashToken(tok), ExpiresAt: now.Add(ResetLifetime), CreatedAt: now})
	return tok, u, err
}

// ResetLink is the page where a reset token is used.
func (s *Service) ResetLink(token string) string { return s.PublicURL + "/reset/" + token }

// RequestPasswordReset e-mails a reset link to the account with this
// address. An unknown address gets the same answer, so that accounts cannot
// be probed; without SMTP it is ErrNoMail. The e-mail is sent at once,
// The password-reset e-mail, in the catalogue (internal/i18n); the body is a
// format of the link.
const (
	resetMailSubject = "Reset your password"
	resetMailBody    = "Someone (you, we hope) asked to reset your Tribune password. Open this link within an hour to choose a new one:\n\n%s\n\nIf it was not you, ignore this e-mail: your password stays as it is.\n"
)

// not by a job, so that the link never rests in the job table in clear.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	if s.Mailer == nil {
		return ErrNoMail
	}
	// Every request counts as a failure of its own key (known address or
	// not, so the answer tells nothing): after a few, asking again for the
	// same address waits, and nobody can flood a mailbox through Tribune.
	if _, err := s.throttle().Begin("reset:"+strings.ToLower(strings.TrimSpace(email)), netip.Addr{}); err != nil {
		return err
	}
	tok, u, err := s.NewPasswordReset(ctx, email)
	if err != nil {
		if errors.Is(err, problem.NotFound) {
			return nil
		}
		return err
	}
	// Tribune does not know the reader's language here: the e-mail says it
	// in both, from the catalogue.
	body := i18n.T("en", resetMailBody, s.ResetLink(tok)) + "\n" + i18n.T("fr", resetMailBody, s.ResetLink(tok))
	return s.Mailer.Send(ctx, u.Email, i18n.T("en", resetMailSubject)+" / "+i18n.T("fr", resetMailSubject), body)
}

// ResetPassword spends a reset token and sets the new password; every
// session of the user ends.
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	if err := validatePassword("password", password); err != nil {
		return err // checked first, so a weak password does not spend the link
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		now := s.Now().UTC()
		userID, err := tx.UsePasswordReset(ctx, store.UsePasswordResetParams{Now: &now, TokenHash: secret.HashToken(token)})
		if errors.Is(err, store.ErrNotFound) {
			return ErrBadReset
		}
		if err != nil {
			return err
		}
		return s.setPassword(ctx, tx, userID, password, "")
	})
}
