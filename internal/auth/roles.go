// Package auth knows who someone is (first sign-up, sign-in, sessions, API
// tokens, invitations) and what they may do in a workspace (roles and
// permissions). Every use case asks Authorize before touching a workspace.
package auth

import "slices"

// Role is a member's role in one workspace.
type Role string

// The roles of PRODUCT.md T1.
const (
	Owner          Role = "owner"
	Admin          Role = "admin"
	SocialMediaMgr Role = "social_media_manager"
	CommunityMgr   Role = "community_manager"
	Contributor    Role = "contributor"
	ClientReviewer Role = "client_reviewer"
	Analyst        Role = "analyst"
)

// Roles in the order the UI lists them.
var Roles = []Role{Owner, Admin, SocialMediaMgr, CommunityMgr, Contributor, ClientReviewer, Analyst}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Permission is something a role may do.
type Permission string

// The permissions routes check.
const (
	View           Permission = "view"            // read posts, calendar, channels, logs
	Compose        Permission = "compose"         // create and edit drafts, upload media, comment
	Schedule       Permission = "schedule"        // schedule, queue, publish now, retry, delete published
	Approve        Permission = "approve"         // approve or reject posts waiting for approval
	ManageChannels Permission = "manage_channels" // connect and disconnect channels, queues
	ManageTeam     Permission = "manage_team"     // invite, change roles, workspace settings
	Crisis         Permission = "crisis"          // pause and resume all publishing
	Comment        Permission = "comment"         // comment on posts
)

var grants = map[Role][]Permission{
	Owner:          {View, Compose, Schedule, Approve, ManageChannels, ManageTeam, Crisis, Comment},
	Admin:          {View, Compose, Schedule, Approve, ManageChannels, ManageTeam, Crisis, Comment},
	SocialMediaMgr: {View, Compose, Schedule, Approve, ManageChannels, Crisis, Comment},
	// A community manager engages and drafts; scheduling goes through approval
	// when the workspace requires it (checked by the workflow, not here).
	CommunityMgr:   {View, Compose, Schedule, Crisis, Comment},
	Contributor:    {View, Compose, Comment},
	ClientReviewer: {View, Approve, Comment},
	Analyst:        {View},
}

// Can reports whether role r has permission p.
func (r Role) Can(p Permission) bool { return slices.Contains(grants[r], p) }

// CanApprove reports whether r may approve on a workspace that requires
// approval by a social media manager or admin (client reviewers approve too,
// through their link or account).
func (r Role) CanApprove() bool { return r.Can(Approve) }
