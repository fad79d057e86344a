package api

import (
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/posts"
)

// PostOut is a post as the API shows it.
type PostOut struct {
	ID             int64        `json:"id"`
	WorkspaceID    int64        `json:"workspace_id"`
	AuthorID       int64        `json:"author_id"`
	Status         string       `json:"status"`
	ScheduledAt    *time.Time   `json:"scheduled_at,omitempty"`
	ScheduledLocal string       `json:"scheduled_local,omitempty"`
	Timezone       string       `json:"timezone,omitempty"`
	Tags           []string     `json:"tags"`
	Version        int64        `json:"version"`
	DuplicateOf    *int64       `json:"duplicate_of,omitempty"`
	Variants       []VariantOut `json:"variants"`
}

// VariantOut is one channel's version and its publication state.
type VariantOut struct {
	ID           int64    `json:"id"`
	ChannelID    int64    `json:"channel_id"`
	Network      string   `json:"network"`
	Text         string   `json:"text"`
	Link         string   `json:"link,omitempty"`
	FirstComment string   `json:"first_comment,omitempty"`
	Thread       []string `json:"thread,omitempty"`
	MediaIDs     []int64  `json:"media_ids,omitempty"`
	State        string   `json:"state" doc:"pending, queued, held, publishing, published, failed, unknown (outcome unknown — check before re-posting) or deleted"`
	Error        string   `json:"error,omitempty"`
	ExternalID   string   `json:"external_id,omitempty"`
	ExternalURL  string   `json:"external_url,omitempty" doc:"The post's web address on the network; given only when it is an http(s) address"`
	Visibility   string   `json:"visibility,omitempty" doc:"Mastodon channels: public, unlisted, private (followers only) or direct"`
	Used         int      `json:"used"`
	Max          int      `json:"max"`
}

func toPost(v posts.View) PostOut {
	out := PostOut{ID: v.Post.ID, WorkspaceID: v.Post.WorkspaceID, AuthorID: v.Post.AuthorID, Status: v.Post.Status, ScheduledAt: v.Post.ScheduledAt,
		ScheduledLocal: v.Post.ScheduledLocal, Timezone: v.Post.Timezone, Tags: v.Tags, Version: v.Post.Version, DuplicateOf: v.Post.DuplicateOf, Variants: []VariantOut{}}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	for _, vv := range v.Variants {
		out.Variants = append(out.Variants, VariantOut{ID: vv.ID, ChannelID: vv.ChannelID, Network: vv.Channel.Network, Text: vv.Text, Link: vv.Link,
			FirstComment: vv.FirstComment, Thread: vv.Thread, MediaIDs: vv.MediaIDs, State: vv.State, Error: vv.Error, ExternalID: vv.ExternalID,
			ExternalURL: network.WebURL(vv.ExternalURL), Visibility: vv.Visibility, Used: vv.Count.Used, Max: vv.Count.Max})
	}
	return out
}

// Answers that would otherwise be anonymous structs are named types: huma
// names a component schema after the Go type, and an anonymous struct's name
// is a Go type expression, which is not a valid OpenAPI component name.

// setupOut is the first owner and workspace POST /v1/setup created.
type setupOut struct {
	User      userOut      `json:"user"`
	Workspace workspaceOut `json:"workspace"`
}

// secretLinkOut is a secret token and the page path it opens (an invitation
// or a client review link); the token is shown only in this answer.
type secretLinkOut struct {
	Token string `json:"token"`
	Path  string `json:"path"`
}

// authorizeOut is where the user authorises Tribune on a Mastodon instance.
type authorizeOut struct {
	AuthorizeURL string `json:"authorize_url" doc:"Open it in the user's browser; the instance redirects back to Tribune, which connects the channel."`
}
