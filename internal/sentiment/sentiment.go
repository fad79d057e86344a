//go:generate go run ./train -o data/fr.weights

// Package sentiment tells whether a short social-media text is positive,
// neutral or negative, with a score in [-1, 1], and which language it is in
// (French, English or other). It runs in the process, on one core, with no
// network service and nothing downloaded at run time: the inbox uses it on
// every item it stores, and listening on every mention it collects.
package sentiment

// Label is the class of a text.
type Label string

// The labels.
const (
	Positive Label = "positive"
	Neutral  Label = "neutral"
	Negative Label = "negative"
)

// The languages Detect tells apart; anything else is Other.
const (
	French  = "fr"
	English = "en"
	Other   = "other"
)

// Result is what Analyze says of one text.
type Result struct {
	Label Label `json:"label"`
	// Score is in [-1, 1]: below zero negative, above zero positive.
	Score float64 `json:"score"`
	// Lang is "fr", "en" or "other".
	Lang string `json:"lang"`
}
