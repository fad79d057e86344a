package xrpcfake_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network/bluesky/xrpcfake"
)

func token(claims map[string]any) string {
	raw, _ := json.Marshal(claims)
	return "eyJhbGciOiJFUzI1NksifQ." + base64.RawURLEncoding.EncodeToString(raw) + ".c2ln"
}

// A fake accepts a proxied call only with a token for its service and that
// call: anything else is a routing mistake a test must see.
func TestServiceTokenRefusesWhatAPDSWouldNotSend(t *testing.T) {
	t.Parallel()
	const aud, nsid = "did:web:chat.tribune.test", "chat.bsky.convo.getLog"
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		tok     string
		wantIss string
		wantErr string
	}{
		{"for this service and call", token(map[string]any{"iss": "did:plc:us#atproto", "aud": aud, "lxm": nsid, "exp": now.Add(time.Minute).Unix()}), "did:plc:us", ""},
		{"naming no method", token(map[string]any{"iss": "did:plc:us", "aud": aud}), "did:plc:us", ""},
		{"another service", token(map[string]any{"iss": "did:plc:us", "aud": "did:web:appview.test", "lxm": nsid}), "", "service token for"},
		{"another method", token(map[string]any{"iss": "did:plc:us", "aud": aud, "lxm": "chat.bsky.convo.sendMessage"}), "", "for method"},
		{"expired", token(map[string]any{"iss": "did:plc:us", "aud": aud, "lxm": nsid, "exp": now.Add(-time.Minute).Unix()}), "", "expired"},
		{"issued for no DID", token(map[string]any{"iss": "lumiere.test", "aud": aud, "lxm": nsid}), "", "issued by"},
		{"unreadable", "a.!!!.c", "", "unreadable"},
		{"a session token", "session-token", "", "not a service token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := xrpcfake.ServiceToken(tc.tok, aud, nsid, now)
			if tc.wantErr == "" {
				if err != nil || c.Iss != tc.wantIss {
					t.Errorf("got %+v, %v; want issuer %s", c, err, tc.wantIss)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || c.Iss != "" {
				t.Errorf("got %+v, %v; want an error with %q", c, err, tc.wantErr)
			}
		})
	}
}

// Parameters are checked against the lexicon's types, counts and bounds.
func TestCheckQueryHoldsTheLexicon(t *testing.T) {
	t.Parallel()
	spec := map[string]xrpcfake.Param{
		"limit":   {Kind: xrpcfake.Integer, Min: 1, Max: 100},
		"members": {Kind: xrpcfake.DID, Array: true, Required: true, MaxItems: 2},
		"uri":     {Kind: xrpcfake.ATURI},
		"actor":   {Kind: xrpcfake.ATIdentifier},
		"seenAt":  {Kind: xrpcfake.Datetime},
		"flag":    {Kind: xrpcfake.Boolean},
		"cursor":  {Kind: xrpcfake.String},
	}
	with := func(k string, v ...string) map[string][]string {
		q := map[string][]string{"members": {"did:plc:a"}}
		q[k] = v
		return q
	}
	for _, tc := range []struct {
		name    string
		q       map[string][]string
		wantErr string
	}{
		{"valid", with("limit", "100"), ""},
		{"every kind valid", map[string][]string{"members": {"did:plc:a", "did:plc:b"}, "uri": {"at://did:plc:a/app.bsky.feed.post/1"},
			"actor": {"alice.test"}, "seenAt": {"2026-12-04T12:00:00.000Z"}, "flag": {"true"}, "cursor": {"x"}}, ""},
		{"required missing", map[string][]string{}, `missing parameter "members"`},
		{"unknown", with("sort", "new"), "unknown parameter"},
		{"repeated scalar", with("limit", "1", "2"), "given 2 times"},
		{"too many items", with("members", "did:plc:a", "did:plc:b", "did:plc:c"), "at most 2"},
		{"integer out of range", with("limit", "101"), "integer in [1, 100]"},
		{"not an integer", with("limit", "ten"), "integer"},
		{"not a DID", with("members", "alice.test"), "want a DID"},
		{"not an at:// URI", with("uri", "https://bsky.app/post/1"), "at:// URI"},
		{"not an identifier", with("actor", "alice"), "DID or a handle"},
		{"not a datetime", with("seenAt", "yesterday"), "datetime"},
		{"not a boolean", with("flag", "yes"), "true or false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := xrpcfake.CheckQuery(spec, tc.q)
			if (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("got %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// A refusal is answered as an XRPC error and kept for the test to check.
func TestRefuseAnswersAndRecords(t *testing.T) {
	t.Parallel()
	var v xrpcfake.Refusals
	w := httptest.NewRecorder()
	v.Refuse(w, "chat.bsky.convo.getLog", "method %s", "PUT")
	var body struct{ Error, Message string }
	_ = json.NewDecoder(w.Body).Decode(&body)
	want := "chat.bsky.convo.getLog: method PUT"
	if w.Code != 400 || body.Error != "InvalidRequest" || body.Message != want {
		t.Errorf("answer %d %+v, want 400 InvalidRequest %q", w.Code, body, want)
	}
	if got := v.Violations(); len(got) != 1 || got[0] != want {
		t.Errorf("violations %q, want [%q]", got, want)
	}
}
