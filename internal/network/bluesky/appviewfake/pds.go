package appviewfake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
)

// PDSSource reads repositories from a real PDS through
// com.atproto.repo.listRecords, which needs no authentication: what a real
// AppView would learn from the relay. Handles are told by the test (a real
// AppView reads them from the DID document; the test PDS's describeRepo
// cannot resolve its own loopback DIDs).
type PDSSource struct {
	mu      sync.Mutex
	url     string
	handles map[string]string
}

// SetHandle records an account's handle.
func (p *PDSSource) SetHandle(did, handle string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.handles == nil {
		p.handles = map[string]string{}
	}
	p.handles[did] = handle
}

// SetURL says where the PDS is (known only once it started, after the fake
// it proxies to).
func (p *PDSSource) SetURL(u string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.url = u
}

func (p *PDSSource) get(ctx context.Context, nsid string, q url.Values, out any) error {
	p.mu.Lock()
	base := p.url
	p.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/xrpc/"+nsid+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("appviewfake: %s %v: HTTP %d %s", nsid, q, resp.StatusCode, msg)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// Records pages through listRecords.
func (p *PDSSource) Records(ctx context.Context, did, collection string) ([]Record, error) {
	var all []Record
	cursor := ""
	for {
		q := url.Values{"repo": {did}, "collection": {collection}, "limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var out struct {
			Cursor  string   `json:"cursor"`
			Records []Record `json:"records"`
		}
		if err := p.get(ctx, "com.atproto.repo.listRecords", q, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Records...)
		if out.Cursor == "" || len(out.Records) == 0 || out.Cursor == cursor {
			return all, nil
		}
		cursor = out.Cursor
	}
}

// Handle returns the handle SetHandle recorded.
func (p *PDSSource) Handle(_ context.Context, did string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h, ok := p.handles[did]; ok {
		return h, nil
	}
	return "", fmt.Errorf("appviewfake: no handle for %s", did)
}
