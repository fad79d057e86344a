package auth

import (
	"context"
	"strings"

	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/schedule"
	"github.com/tribune-social/tribune/internal/store"
)

// The use cases of accounts and workspaces that both the web UI and the API
// offer: each checks who may do it, so neither mux has a rule of its own.

// Installed reports whether the installation has its first account (before
// that, only setup is open).
func (s *Service) Installed(ctx context.Context) (bool, error) {
	n, err := s.Store.CountUsers(ctx)
	return n > 0, err
}

// ErrBadTimezone refuses a time zone that is not an IANA name.
var ErrBadTimezone = problem.Invalidf("timezone", "bad_timezone", "Unknown time zone.")

// AddWorkspace creates a workspace in the user's organisation; only the
// organisation's owner may, and becomes the workspace's owner.
func (s *Service) AddWorkspace(ctx context.Context, user store.User, name, tz string) (store.Workspace, error) {
	if user.OrgRole != string(Owner) {
		return store.Workspace{}, problem.Forbidden
	}
	name, tz = strings.TrimSpace(name), strings.TrimSpace(tz)
	if name == "" {
		return store.Workspace{}, problem.Invalidf("name", "required", "Name the workspace.")
	}
	if err := schedule.CheckZone(tz); err != nil {
		return store.Workspace{}, ErrBadTimezone
	}
	return CreateWorkspace(ctx, s.Store, user.OrganizationID, user.ID, name, tz, s.Now().UTC())
}

// Members lists a workspace's members to anyone who may view it.
func (s *Service) Members(ctx context.Context, user store.User, workspaceID int64) ([]store.ListMembersRow, error) {
	if _, _, err := s.Authorize(ctx, user, workspaceID, View); err != nil {
		return nil, err
	}
	return s.Store.ListMembers(ctx, workspaceID)
}

// Invitations lists a workspace's invitations to those who manage its team.
func (s *Service) Invitations(ctx context.Context, user store.User, workspaceID int64) ([]store.Invitation, error) {
	if _, _, err := s.Authorize(ctx, user, workspaceID, ManageTeam); err != nil {
		return nil, err
	}
	return s.Store.ListInvitations(ctx, workspaceID)
}

// Preferences are a user's own settings. An empty Name keeps the current
// one; an empty Timezone means "the workspace's"; a Locale other than "fr"
// is English.
type Preferences struct {
	Name, Locale, Timezone string
}

// SetPreferences changes the user's own name, language and time zone.
func (s *Service) SetPreferences(ctx context.Context, user store.User, p Preferences) (store.User, error) {
	p.Name, p.Timezone = strings.TrimSpace(p.Name), strings.TrimSpace(p.Timezone)
	if p.Timezone != "" {
		if err := schedule.CheckZone(p.Timezone); err != nil {
			return user, ErrBadTimezone
		}
	}
	if p.Name == "" {
		p.Name = user.Name
	}
	if p.Locale != "fr" {
		p.Locale = "en"
	}
	if err := s.Store.UpdateUserPreferences(ctx, store.UpdateUserPreferencesParams{Name: p.Name, Locale: p.Locale, Timezone: p.Timezone, ID: user.ID}); err != nil {
		return user, err
	}
	user.Name, user.Locale, user.Timezone = p.Name, p.Locale, p.Timezone
	return user, nil
}
