package bluesky_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
	"github.com/tribune-social/tribune/internal/network/bluesky/pdstest"
	"github.com/tribune-social/tribune/internal/network/httpx"
)

// onPDS is our account and alice's on a real PDS with its fake AppView and
// chat service, both logged in through one connector that reads direct
// messages through that chat service.
type onPDS struct {
	*pdstest.Network
	c               *bluesky.Connector
	us, alice       network.Account
	usDID, aliceDID string
}

const (
	usPassword    = "lumiere-password-1"
	alicePassword = "alice-password-1"
)

func startOnPDS(t *testing.T) *onPDS {
	t.Helper()
	p := &onPDS{Network: pdstest.StartNetwork(t)}
	p.usDID = p.Account(t, "lumiere.test", usPassword)
	p.aliceDID = p.Account(t, "alice.test", alicePassword)
	p.c = p.connector()
	var err error
	if p.us, err = p.c.Login(context.Background(), p.URL(), "lumiere.test", usPassword); err != nil {
		t.Fatal(err)
	}
	if p.alice, err = p.c.Login(context.Background(), p.URL(), "alice.test", alicePassword); err != nil {
		t.Fatal(err)
	}
	return p
}

// connector is a new connector to the PDS, with no session of its own.
func (p *onPDS) connector() *bluesky.Connector {
	c := bluesky.New(httpx.NewClient(httpx.Options{AllowPrivate: true}))
	c.ChatService = p.Chat.Proxy
	return c
}

// xrpcAs calls the PDS as acct, routed by proxy when set, as the Bluesky
// app does for direct messages.
func xrpcAs(t *testing.T, acct network.Account, method, nsid string, q url.Values, body any, proxy string) map[string]any {
	t.Helper()
	out, _ := xrpcHeaders(t, acct, method, nsid, q, body, proxy)
	return out
}

// xrpcHeaders is xrpcAs, with the answer's headers.
func xrpcHeaders(t *testing.T, acct network.Account, method, nsid string, q url.Values, body any, proxy string) (map[string]any, http.Header) {
	t.Helper()
	u := acct.BaseURL + "/xrpc/" + nsid
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, _ := http.NewRequest(method, u, http.NoBody)
	if body != nil {
		raw, _ := json.Marshal(body)
		req, _ = http.NewRequest(method, u, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+acct.Token.AccessToken)
	if proxy != "" {
		req.Header.Set("Atproto-Proxy", proxy)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %v", nsid, resp.StatusCode, out)
	}
	return out, resp.Header
}

// createRecord writes a record as acct straight through the PDS (a quote:
// Tribune does not publish quotes).
func createRecord(t *testing.T, acct network.Account, collection string, record map[string]any) network.Ref {
	t.Helper()
	out := xrpcAs(t, acct, http.MethodPost, "com.atproto.repo.createRecord", nil,
		map[string]any{"repo": acct.ExternalID, "collection": collection, "record": record}, "")
	uri, _ := out["uri"].(string)
	cid, _ := out["cid"].(string)
	if uri == "" {
		t.Fatalf("createRecord %s: %v", collection, out)
	}
	return network.Ref{ID: uri, CID: cid}
}

func rkey(uri string) string { return uri[strings.LastIndex(uri, "/")+1:] }
