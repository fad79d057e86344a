package network_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

// ReadBudget reads both families of rate-limit headers with their own
// units for the reset, and nothing from an answer that does not tell a
// budget.
func TestReadBudget(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	reset := now.Add(4*time.Minute + 30*time.Second)
	for _, c := range []struct {
		name string
		h    http.Header
		want *network.RateBudget
	}{
		{"Mastodon: X-RateLimit-*, reset as an ISO 8601 time", http.Header{
			"X-Ratelimit-Limit": {"300"}, "X-Ratelimit-Remaining": {"42"}, "X-Ratelimit-Reset": {reset.Format(time.RFC3339Nano)}},
			&network.RateBudget{Limit: 300, Remaining: 42, Reset: reset}},
		{"atproto PDS: RateLimit-*, reset as Unix seconds", http.Header{
			"Ratelimit-Limit": {"3000"}, "Ratelimit-Remaining": {"12"}, "Ratelimit-Reset": {"1796378670"}, "Ratelimit-Policy": {"3000;w=300"}},
			&network.RateBudget{Limit: 3000, Remaining: 12, Reset: time.Unix(1796378670, 0)}},
		{"a reset already past is now", http.Header{
			"Ratelimit-Limit": {"3000"}, "Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"1796378000"}},
			&network.RateBudget{Limit: 3000, Remaining: 0, Reset: now}},
		{"Retry-After does not stand in for the reset", http.Header{
			"Ratelimit-Limit": {"3000"}, "Ratelimit-Remaining": {"5"}, "Retry-After": {"600"}},
			&network.RateBudget{Limit: 3000, Remaining: 5, Reset: now}},
		{"no headers", http.Header{}, nil},
		{"a 429's Retry-After alone", http.Header{"Retry-After": {"30"}}, nil},
		{"unreadable numbers", http.Header{"Ratelimit-Limit": {"many"}, "Ratelimit-Remaining": {"12"}}, nil},
		{"a limit of zero", http.Header{"Ratelimit-Limit": {"0"}, "Ratelimit-Remaining": {"0"}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := network.ReadBudget(c.h, now)
			switch {
			case got == nil && c.want == nil:
			case got == nil || c.want == nil:
				t.Fatalf("got %+v, want %+v", got, c.want)
			case got.Limit != c.want.Limit || got.Remaining != c.want.Remaining || !got.Reset.Equal(c.want.Reset):
				t.Errorf("got %+v, want %+v", *got, *c.want)
			}
		})
	}
}

// A PDS's 429 says how long to wait twice, in Retry-After (seconds) and in
// RateLimit-Reset (a Unix time): Retry-After wins, the reset stands in
// when it is missing, and a reset already past asks for no wait.
func TestRetryAfterReadsAPDSAnswer(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	end := strconv.FormatInt(now.Add(4*time.Minute).Unix(), 10)
	for _, c := range []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"both", http.Header{"Retry-After": {"240"}, "Ratelimit-Reset": {end}}, 4 * time.Minute},
		{"Retry-After wins", http.Header{"Retry-After": {"30"}, "Ratelimit-Reset": {end}}, 30 * time.Second},
		{"the reset alone", http.Header{"Ratelimit-Reset": {end}}, 4 * time.Minute},
		{"a reset already past", http.Header{"Ratelimit-Reset": {strconv.FormatInt(now.Add(-time.Minute).Unix(), 10)}}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := network.RetryAfter(c.h, now); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}
