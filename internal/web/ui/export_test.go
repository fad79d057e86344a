package ui

import "net/http"

// patternRecorder keeps the patterns routes registers.
type patternRecorder []string

func (p *patternRecorder) Handle(pattern string, _ http.Handler) { *p = append(*p, pattern) }

// RoutePatterns lists every pattern of the UI's route table, as registered,
// so that a walk over the routes cannot miss one.
func RoutePatterns() []string {
	var rec patternRecorder
	(&ui{}).routes(&rec)
	return rec
}
