package store

import (
	"encoding/json"
	"time"
)

// The rows of the batched writes (CreatePublishParts, MarkPartsDone,
// AddPublishLogs, UpsertInboxAuthors, InsertInboxItems, UpsertInboxConversations,
// AddInboxItemTags, AddInboxRuleActions): the publishing jobs that commit together write each kind
// of row with one statement for all of them. A statement's rows travel as
// one JSON array, which SQLite's jsonb_each and PostgreSQL's
// jsonb_to_recordset both read; sqlc can type neither a list of rows nor a
// table parameter, but both dialects take this one text argument.

// PartRow is a message to create (CreatePublishParts).
type PartRow struct {
	VariantID  int64    `json:"variant_id"`
	Seq        int64    `json:"seq"`
	Kind       string   `json:"kind"`
	Text       string   `json:"text"`
	State      string   `json:"state"`
	AttemptKey string   `json:"attempt_key"`
	InFlightAt *RowTime `json:"in_flight_at"`
	// InFlightJob is the River job that puts it in flight (0: none).
	InFlightJob int64 `json:"in_flight_job"`
}

// PartDoneRow is a sent message's network id (MarkPartsDone).
type PartDoneRow struct {
	VariantID   int64   `json:"variant_id"`
	Seq         int64   `json:"seq"`
	ExternalID  string  `json:"external_id"`
	ExternalCID string  `json:"external_cid"`
	ExternalURL string  `json:"external_url"`
	DoneAt      RowTime `json:"done_at"`
}

// LogRow is a publish log line (AddPublishLogs).
type LogRow struct {
	VariantID  int64   `json:"variant_id"`
	Network    string  `json:"network"`
	At         RowTime `json:"at"`
	Step       string  `json:"step"`
	Request    string  `json:"request"`
	Response   string  `json:"response"`
	Outcome    string  `json:"outcome"`
	HTTPStatus int64   `json:"http_status"`
	Node       string  `json:"node"`
}

// AuthorRow is an inbox author to write (UpsertInboxAuthors).
type AuthorRow struct {
	WorkspaceID int64   `json:"workspace_id"`
	Network     string  `json:"network"`
	ExternalID  string  `json:"external_id"`
	Handle      string  `json:"handle"`
	DisplayName string  `json:"display_name"`
	AvatarURL   string  `json:"avatar_url"`
	URL         string  `json:"url"`
	UpdatedAt   RowTime `json:"updated_at"`
}

// InboxItemRow is an inbox item to add (InsertInboxItems).
type InboxItemRow struct {
	WorkspaceID      int64    `json:"workspace_id"`
	ChannelID        int64    `json:"channel_id"`
	Network          string   `json:"network"`
	ExternalID       string   `json:"external_id"`
	Kind             string   `json:"kind"`
	ConversationID   int64    `json:"conversation_id"`
	RefID            string   `json:"ref_id"`
	RefCID           string   `json:"ref_cid"`
	RefURL           string   `json:"ref_url"`
	RootID           string   `json:"root_id"`
	RootCID          string   `json:"root_cid"`
	RootURL          string   `json:"root_url"`
	ParentID         string   `json:"parent_id"`
	PostID           *int64   `json:"post_id"`
	VariantID        *int64   `json:"variant_id"`
	AuthorID         int64    `json:"author_id"`
	Text             string   `json:"text"`
	DeclaredLang     string   `json:"declared_lang"`
	Lang             string   `json:"lang"`
	Rating           int64    `json:"rating"`
	Sentiment        string   `json:"sentiment"`
	SentimentScore   float64  `json:"sentiment_score"`
	NetworkCreatedAt RowTime  `json:"network_created_at"`
	EditedAt         *RowTime `json:"edited_at"`
	DeletedAt        *RowTime `json:"deleted_at"`
	Hidden           bool     `json:"hidden"`
	Status           string   `json:"status"`
	// AssigneeID and Priority are what the moderation rules set before
	// the item is stored (nil priority: normal).
	AssigneeID *int64  `json:"assignee_id"`
	Priority   *int64  `json:"priority"`
	CreatedAt  RowTime `json:"created_at"`
}

// ConversationRow is an inbox conversation to write (UpsertInboxConversations).
type ConversationRow struct {
	WorkspaceID int64   `json:"workspace_id"`
	ChannelID   int64   `json:"channel_id"`
	ExternalID  string  `json:"external_id"`
	Kind        string  `json:"kind"`
	PostID      *int64  `json:"post_id"`
	VariantID   *int64  `json:"variant_id"`
	LastItemAt  RowTime `json:"last_item_at"`
	CreatedAt   RowTime `json:"created_at"`
}

// TagRow is a tag to add to an item (AddInboxItemTags).
type TagRow struct {
	ItemID int64  `json:"item_id"`
	Tag    string `json:"tag"`
}

// RuleActionRow is a moderation rule's action to audit (AddInboxRuleActions).
type RuleActionRow struct {
	WorkspaceID int64   `json:"workspace_id"`
	ItemID      int64   `json:"item_id"`
	Action      string  `json:"action"`
	Detail      string  `json:"detail"`
	Result      string  `json:"result"`
	Error       string  `json:"error"`
	CreatedAt   RowTime `json:"created_at"`
	RuleID      *int64  `json:"rule_id"`
	RuleName    string  `json:"rule_name"`
	Undo        string  `json:"undo"`
	Previous    string  `json:"previous"`
}

// RowTime is a time in a batched row. It is written in UTC in the layout
// SQLite's driver uses for the times it binds (so that the rows written
// either way compare and sort alike), which PostgreSQL reads as a
// timestamptz.
type RowTime time.Time

// rowTimeLayout is modernc.org/sqlite's layout for _time_format=sqlite.
const rowTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// MarshalJSON implements json.Marshaler.
func (t RowTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Time(t).UTC().Format(rowTimeLayout))
}

// TimeOf is t as a RowTime, for the optional times of a row.
func TimeOf(t time.Time) *RowTime {
	rt := RowTime(t)
	return &rt
}

// Rows encodes rows for a batched write.
func Rows[T PartRow | PartDoneRow | LogRow | AuthorRow | InboxItemRow | ConversationRow | TagRow | RuleActionRow | MentionRow | MentionTopicRow | MentionRollupRow | TermRollupRow | AuthorRollupRow | RollupSpanRow | TermSpanRow](rows []T) string {
	// Marshalling these plain structs cannot fail (invalid UTF-8 in a text
	// becomes U+FFFD, as it does in the connectors' own JSON requests).
	b, _ := json.Marshal(rows)
	return string(b)
}

// MentionRow is a listening mention to add (InsertMentions).
type MentionRow struct {
	WorkspaceID     int64   `json:"workspace_id"`
	SourceID        *int64  `json:"source_id"`
	Network         string  `json:"network"`
	ExternalID      string  `json:"external_id"`
	URL             string  `json:"url"`
	Author          string  `json:"author"`
	AuthorName      string  `json:"author_name"`
	AuthorFollowers int64   `json:"author_followers"`
	Text            string  `json:"text"`
	Lang            string  `json:"lang"`
	Sentiment       string  `json:"sentiment"`
	SentimentScore  float64 `json:"sentiment_score"`
	PostedAt        RowTime `json:"posted_at"`
	ReceivedAt      RowTime `json:"received_at"`
}

// MentionTopicRow links a mention to a topic (InsertMentionTopics).
type MentionTopicRow struct {
	MentionID   int64   `json:"mention_id"`
	TopicID     int64   `json:"topic_id"`
	QueryID     *int64  `json:"query_id"`
	WorkspaceID int64   `json:"workspace_id"`
	PostedAt    RowTime `json:"posted_at"`
}

// MentionRollupRow adds to a topic's hour (AddMentionRollups).
type MentionRollupRow struct {
	WorkspaceID int64   `json:"workspace_id"`
	TopicID     int64   `json:"topic_id"`
	Hour        RowTime `json:"hour"`
	Mentions    int64   `json:"mentions"`
	Positive    int64   `json:"positive"`
	Neutral     int64   `json:"neutral"`
	Negative    int64   `json:"negative"`
	Reach       int64   `json:"reach"`
}

// TermRollupRow adds to a term's hour in a topic (AddMentionTermRollups).
type TermRollupRow struct {
	WorkspaceID int64   `json:"workspace_id"`
	TopicID     int64   `json:"topic_id"`
	Hour        RowTime `json:"hour"`
	Term        string  `json:"term"`
	Mentions    int64   `json:"mentions"`
}

// AuthorRollupRow adds to an author's day in a topic
// (AddMentionAuthorRollups).
type AuthorRollupRow struct {
	WorkspaceID int64   `json:"workspace_id"`
	TopicID     int64   `json:"topic_id"`
	Day         RowTime `json:"day"`
	Network     string  `json:"network"`
	Author      string  `json:"author"`
	Mentions    int64   `json:"mentions"`
	Followers   int64   `json:"followers"`
	// Reach sums the followers of the author of each mention, where known.
	Reach int64 `json:"reach"`
}

// The grains of the coarser rollups (RollupSpanRow, TermSpanRow): a UTC
// day or a UTC month.
const (
	GrainDay   = "day"
	GrainMonth = "month"
)

// RollupSpanRow adds to a topic's day or month (AddMentionRollupSpans).
type RollupSpanRow struct {
	WorkspaceID int64   `json:"workspace_id"`
	TopicID     int64   `json:"topic_id"`
	Grain       string  `json:"grain"`
	StartAt     RowTime `json:"start_at"`
	Mentions    int64   `json:"mentions"`
	Positive    int64   `json:"positive"`
	Neutral     int64   `json:"neutral"`
	Negative    int64   `json:"negative"`
	Reach       int64   `json:"reach"`
}

// TermSpanRow adds to a term's day or month in a topic
// (AddMentionTermSpans).
type TermSpanRow struct {
	WorkspaceID int64   `json:"workspace_id"`
	TopicID     int64   `json:"topic_id"`
	Grain       string  `json:"grain"`
	StartAt     RowTime `json:"start_at"`
	Term        string  `json:"term"`
	Mentions    int64   `json:"mentions"`
}
