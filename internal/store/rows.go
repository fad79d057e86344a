package store

import (
	"encoding/json"
	"time"
)

// The rows of the batched writes (CreatePublishParts, MarkPartsDone,
// AddPublishLogs): the publishing jobs that commit together write each kind
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
func Rows[T PartRow | PartDoneRow | LogRow](rows []T) string {
	// Marshalling these plain structs cannot fail (invalid UTF-8 in a text
	// becomes U+FFFD, as it does in the connectors' own JSON requests).
	b, _ := json.Marshal(rows)
	return string(b)
}
