package auth

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store"
)

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 30 * 24 * time.Hour

// InvitationLifetime is how long an invitation link works.
const InvitationLifetime = 7 * 24 * time.Hour

// Problems a user may see.
var (
	ErrBadCredentials = problem.New(http.StatusUnauthorized, "bad_credentials", "Wrong e-mail or password.")
	ErrAlreadySetUp   = problem.New(http.StatusConflict, "already_set_up", "Tribune already has an owner: sign in, or ask for an invitation.")
	ErrEmailTaken     = problem.New(http.StatusConflict, "email_taken", "An account already uses this e-mail.")
	ErrBadInvitation  = problem.New(http.StatusNotFound, "bad_invitation", "This invitation is unknown, used or expired.")
	ErrTokenExpired   = problem.New(http.StatusUnauthorized, "token_expired", "This API token has expired: create a new one.")
)

// Service is the authentication and authorisation use cases.
type Service struct {
	Store store.Store
	Now   func() time.Time
	// Mailer sends password-reset e-mails; nil when SMTP is not configured.
	Mailer Mailer
	// PublicURL is where users reach Tribune (links in e-mails).
	PublicURL string
	// Throttle slows password guessing on Login; nil gets NewThrottle(Now).
	Throttle     *Throttle
	throttleOnce sync.Once
}

// Principal is the signed-in user.
type Principal struct {
	User store.User
}

// SignUpInput is the first owner's form.
type SignUpInput struct {
	Organization string `json:"organization,omitempty"`
	Workspace    string `json:"workspace,omitempty"`
	Timezone     string `json:"timezone,omitempty" doc:"IANA time zone of the first workspace, default UTC"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Password     string `json:"password" doc:"At least 10 characters"`
	Locale       string `json:"locale,omitempty" enum:"en,fr,"`
}

func validateAccount(name, email, password string) error {
	var details []problem.Detail
	if strings.TrimSpace(name) == "" {
		details = append(details, problem.Detail{Location: "name", Code: "required", Message: "Enter your name."})
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		details = append(details, problem.Detail{Location: "email", Code: "invalid_email", Message: "Enter a valid e-mail address."})
	}
	if utf8.RuneCountInString(password) < 10 {
		details = append(details, problem.Detail{Location: "password", Code: "weak_password", Message: "Use at least 10 characters."})
	}
	if details != nil {
		return problem.Invalid.With(details...)
	}
	return nil
}

// SignUpOwner creates the organisation, its first workspace and its owner.
// It works only once, on an empty installation.
func (s *Service) SignUpOwner(ctx context.Context, in SignUpInput) (store.User, store.Workspace, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if err := validateAccount(in.Name, in.Email, in.Password); err != nil {
		return store.User{}, store.Workspace{}, err
	}
	if in.Timezone == "" {
		in.Timezone = "UTC"
	}
	if err := schedule.CheckZone(in.Timezone); err != nil {
		return store.User{}, store.Workspace{}, problem.Invalidf("timezone", "bad_timezone", "Unknown time zone.")
	}
	if in.Organization == "" {
		in.Organization = in.Name
	}
	if in.Workspace == "" {
		in.Workspace = in.Organization
	}
	if in.Locale != "fr" {
		in.Locale = "en"
	}
	var user store.User
	var ws store.Workspace
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		n, err := tx.CountUsers(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrAlreadySetUp
		}
		now := s.Now().UTC()
		org, err := tx.CreateOrganization(ctx, store.CreateOrganizationParams{Name: in.Organization, CreatedAt: now})
		if err != nil {
			return err
		}
		user, err = tx.CreateUser(ctx, store.CreateUserParams{OrganizationID: org.ID, Email: in.Email, Name: in.Name,
			PasswordHash: secret.HashPassword(in.Password), OrgRole: string(Owner), Locale: in.Locale, CreatedAt: now})
		if err != nil {
			return err
		}
		ws, err = CreateWorkspace(ctx, tx, org.ID, user.ID, in.Workspace, in.Timezone, now)
		return err
	})
	return user, ws, err
}

// CreateWorkspace adds a workspace to an organisation and makes creator its owner.
func CreateWorkspace(ctx context.Context, q store.Queries, orgID, creatorID int64, name, tz string, now time.Time) (store.Workspace, error) {
	ws, err := q.CreateWorkspace(ctx, store.CreateWorkspaceParams{OrganizationID: orgID, Name: name, Timezone: tz,
		// The feed has no URL until someone asks for one (RotateICal shows it
		// once); until then the stored hash is of a token nobody knows.
		DuplicateWindowHours: 24, IcalTokenHash: secret.HashToken(secret.NewToken("")), CreatedAt: now})
	if err != nil {
		return ws, err
	}
	return ws, q.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: ws.ID, UserID: creatorID, Role: string(Owner), CreatedAt: now})
}

// Login checks a password and opens a session; it returns the session token.
// Too many failures for the account or from the client address (see
// ClientAddr) make it refuse for a while with a *ThrottledError, before the
// password is even checked.
func (s *Service) Login(ctx context.Context, email, password string) (string, store.User, error) {
	u, err := s.Authenticate(ctx, email, password)
	if err != nil {
		return "", u, err
	}
	tok := secret.NewToken("")
	now := s.Now().UTC()
	err = s.Store.CreateSession(ctx, store.CreateSessionParams{TokenHash: secret.HashToken(tok), UserID: u.ID, ExpiresAt: now.Add(SessionLifetime), CreatedAt: now})
	return tok, u, err
}

// Authenticate checks an e-mail and password, throttled like every password
// check (see Throttle), and returns the account without opening a session:
// what an API token request or a password change needs.
func (s *Service) Authenticate(ctx context.Context, email, password string) (store.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	attempt, err := s.throttle().Begin(email, ClientAddr(ctx))
	if err != nil {
		return store.User{}, err
	}
	u, err := s.Store.GetUserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		secret.CheckPassword(dummyHash, password) // same time whether or not the account exists
		return u, ErrBadCredentials
	}
	if err != nil {
		return u, err
	}
	if !secret.CheckPassword(u.PasswordHash, password) {
		return u, ErrBadCredentials
	}
	attempt.Succeeded()
	return u, nil
}

var dummyHash = secret.HashPassword("tribune-dummy-password")

func (s *Service) throttle() *Throttle {
	s.throttleOnce.Do(func() {
		if s.Throttle == nil {
			s.Throttle = NewThrottle(s.Now)
		}
	})
	return s.Throttle
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.Store.DeleteSession(ctx, secret.HashToken(token))
}

// SessionUser returns the user of a live session.
func (s *Service) SessionUser(ctx context.Context, token string) (store.User, error) {
	sess, err := s.Store.GetSession(ctx, secret.HashToken(token))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return store.User{}, problem.Unauthorized
		}
		return store.User{}, err
	}
	if s.Now().After(sess.ExpiresAt) {
		return store.User{}, problem.Unauthorized
	}
	return s.Store.GetUser(ctx, sess.UserID)
}

// MaxTokenDays is how far ahead an API token may expire: ten years. A
// token that should live longer is one that never expires (nil), which is
// a choice to make explicitly, not by a date far away.
const MaxTokenDays = 3650

// CreateAPIToken makes a personal API token; the token is shown once. A
// nil expiresAt makes a token that works until it is revoked.
func (s *Service) CreateAPIToken(ctx context.Context, user store.User, name string, expiresAt *time.Time) (string, store.APIToken, error) {
	if strings.TrimSpace(name) == "" {
		return "", store.APIToken{}, problem.Invalidf("name", "required", "Name the token.")
	}
	now := s.Now().UTC()
	if expiresAt != nil {
		if !expiresAt.After(now) {
			return "", store.APIToken{}, problem.Invalidf("expires_at", "in_the_past", "Choose an expiry date in the future.")
		}
		// The bound lives here, not in a form, so the web form and the API
		// refuse the same tokens with the same message.
		if expiresAt.After(now.AddDate(0, 0, MaxTokenDays)) {
			return "", store.APIToken{}, problem.Invalidf("expires_at", "bad_expiry", "Choose an expiry between 1 and 3,650 days.")
		}
		utc := expiresAt.UTC()
		expiresAt = &utc
	}
	tok := secret.NewToken("tri_")
	t, err := s.Store.CreateAPIToken(ctx, store.CreateAPITokenParams{UserID: user.ID, Name: name, TokenHash: secret.HashToken(tok), CreatedAt: now, ExpiresAt: expiresAt})
	return tok, t, err
}

// APITokenUser returns the owner of a bearer token.
func (s *Service) APITokenUser(ctx context.Context, token string) (store.User, error) {
	t, err := s.Store.GetAPITokenByHash(ctx, secret.HashToken(token))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return store.User{}, problem.Unauthorized
		}
		return store.User{}, err
	}
	now := s.Now().UTC()
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return store.User{}, ErrTokenExpired
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute { // do not write on every request
		_ = s.Store.TouchAPIToken(ctx, store.TouchAPITokenParams{ID: t.ID, LastUsedAt: &now})
	}
	return s.Store.GetUser(ctx, t.UserID)
}

// Authorize returns the user's role in a workspace if it grants p. Anything
// else, including a workspace of another organisation or one that does not
// exist, is the same Forbidden answer, so ids cannot be probed.
func (s *Service) Authorize(ctx context.Context, user store.User, workspaceID int64, p Permission) (store.Workspace, Role, error) {
	ws, err := s.Store.GetWorkspace(ctx, workspaceID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ws, "", problem.Forbidden
		}
		return ws, "", err
	}
	if ws.OrganizationID != user.OrganizationID {
		return ws, "", problem.Forbidden
	}
	role := Role("")
	if user.OrgRole != string(Owner) {
		m, err := s.Store.GetMembership(ctx, store.GetMembershipParams{WorkspaceID: workspaceID, UserID: user.ID})
		if errors.Is(err, store.ErrNotFound) {
			return ws, "", problem.Forbidden
		}
		if err != nil {
			return ws, "", err
		}
		role = Role(m.Role)
	}
	role = roleOf(user, role)
	if !role.Can(p) {
		return ws, role, problem.Forbidden
	}
	return ws, role, nil
}

// roleOf is the role a user of the workspace's organisation has in it: an
// organisation owner owns every workspace, with or without a membership
// row; anyone else has their membership's role, or none. Authorize and
// WhoMay both decide through it, so they cannot disagree.
func roleOf(user store.User, membership Role) Role {
	if user.OrgRole == string(Owner) {
		return Owner
	}
	return membership
}

// WhoMay lists the users who may do p in a workspace, as Authorize would
// answer each of them: the members whose role grants it and the
// organisation's owners, who may have no membership row. A feature that
// tells "whoever may act" uses it, so nobody who may act is left untold.
func (s *Service) WhoMay(ctx context.Context, workspaceID int64, p Permission) ([]store.User, error) {
	ws, err := s.Store.GetWorkspace(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	members, err := s.Store.ListMembers(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	roles := make(map[int64]Role, len(members))
	for _, m := range members {
		roles[m.ID] = Role(m.Role)
	}
	users, err := s.Store.ListOrganizationUsers(ctx, ws.OrganizationID)
	if err != nil {
		return nil, err
	}
	var out []store.User
	for _, u := range users {
		if roleOf(u, roles[u.ID]).Can(p) {
			out = append(out, u)
		}
	}
	return out, nil
}

// WorkspaceRef is a workspace and the user's role in it.
type WorkspaceRef struct {
	store.Workspace
	Role Role
}

// Workspaces lists the workspaces a user may open.
func (s *Service) Workspaces(ctx context.Context, user store.User) ([]WorkspaceRef, error) {
	var out []WorkspaceRef
	if user.OrgRole == string(Owner) {
		ws, err := s.Store.ListOrganizationWorkspaces(ctx, user.OrganizationID)
		for _, w := range ws {
			out = append(out, WorkspaceRef{w, Owner})
		}
		return out, err
	}
	rows, err := s.Store.ListMemberWorkspaces(ctx, user.ID)
	for _, r := range rows {
		out = append(out, WorkspaceRef{store.Workspace{ID: r.ID, OrganizationID: r.OrganizationID, Name: r.Name, Timezone: r.Timezone,
			RequireApproval: r.RequireApproval, DuplicateWindowHours: r.DuplicateWindowHours, ScheduleHorizonDays: r.ScheduleHorizonDays, IcalTokenHash: r.IcalTokenHash,
			PausedAt: r.PausedAt, PausedBy: r.PausedBy, CreatedAt: r.CreatedAt}, Role(r.Role)})
	}
	return out, err
}

// Invite creates an invitation to a workspace and returns its secret token.
func (s *Service) Invite(ctx context.Context, actor store.User, workspaceID int64, email string, role Role) (string, error) {
	if _, _, err := s.Authorize(ctx, actor, workspaceID, ManageTeam); err != nil {
		return "", err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return "", problem.Invalidf("email", "invalid_email", "Enter a valid e-mail address.")
	}
	if !role.Valid() || role == Owner {
		return "", problem.Invalidf("role", "invalid_role", "Choose a role other than owner.")
	}
	tok := secret.NewToken("")
	now := s.Now().UTC()
	_, err := s.Store.CreateInvitation(ctx, store.CreateInvitationParams{WorkspaceID: workspaceID, Email: email, Role: string(role),
		TokenHash: secret.HashToken(tok), InvitedBy: actor.ID, ExpiresAt: now.Add(InvitationLifetime), CreatedAt: now})
	return tok, err
}

// AcceptInvitation creates the invited account (or, for an existing account,
// checks its password) and adds the membership.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password, locale string) (store.User, error) {
	var user store.User
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		inv, err := tx.GetInvitationByTokenHash(ctx, secret.HashToken(token))
		if errors.Is(err, store.ErrNotFound) {
			return ErrBadInvitation
		}
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		if inv.AcceptedAt != nil || now.After(inv.ExpiresAt) {
			return ErrBadInvitation
		}
		ws, err := tx.GetWorkspace(ctx, inv.WorkspaceID)
		if err != nil {
			return err
		}
		user, err = tx.GetUserByEmail(ctx, inv.Email)
		switch {
		case err == nil:
			if user.OrganizationID != ws.OrganizationID || !secret.CheckPassword(user.PasswordHash, password) {
				return ErrBadCredentials
			}
		case errors.Is(err, store.ErrNotFound):
			if err := validateAccount(name, inv.Email, password); err != nil {
				return err
			}
			if locale != "fr" {
				locale = "en"
			}
			user, err = tx.CreateUser(ctx, store.CreateUserParams{OrganizationID: ws.OrganizationID, Email: inv.Email, Name: name,
				PasswordHash: secret.HashPassword(password), OrgRole: "member", Locale: locale, CreatedAt: now})
			if err != nil {
				return err
			}
		default:
			return err
		}
		if n, err := tx.AcceptInvitation(ctx, store.AcceptInvitationParams{AcceptedAt: &now, ID: inv.ID}); err != nil || n == 0 {
			return errors.Join(err, ErrBadInvitation)
		}
		return tx.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: inv.WorkspaceID, UserID: user.ID, Role: inv.Role, CreatedAt: now})
	})
	return user, err
}

// SetRole changes a member's role (or adds an existing organisation user).
func (s *Service) SetRole(ctx context.Context, actor store.User, workspaceID, userID int64, role Role) error {
	ws, _, err := s.Authorize(ctx, actor, workspaceID, ManageTeam)
	if err != nil {
		return err
	}
	if !role.Valid() {
		return problem.Invalidf("role", "invalid_role", "Unknown role.")
	}
	u, err := s.Store.GetUser(ctx, userID)
	if err != nil || u.OrganizationID != ws.OrganizationID {
		return problem.NotFound
	}
	return s.Store.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: workspaceID, UserID: userID, Role: string(role), CreatedAt: s.Now().UTC()})
}

// RemoveMember takes a user out of a workspace.
func (s *Service) RemoveMember(ctx context.Context, actor store.User, workspaceID, userID int64) error {
	if _, _, err := s.Authorize(ctx, actor, workspaceID, ManageTeam); err != nil {
		return err
	}
	if userID == actor.ID {
		return problem.New(http.StatusConflict, "remove_self", "You cannot remove yourself.")
	}
	return s.Store.DeleteMembership(ctx, store.DeleteMembershipParams{WorkspaceID: workspaceID, UserID: userID})
}
