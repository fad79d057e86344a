package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// call sends a request to the sandbox at u with an optional bearer token.
func call(t *testing.T, method, u, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// The control endpoints answer only the holder of the control token, and
// nobody when the sandbox has none.
func TestControlEndpointsNeedTheControlToken(t *testing.T) {
	_, u := start(t, Options{})
	for _, c := range []struct {
		name, method, path, token string
		want                      int
	}{
		{"received, anonymous", http.MethodGet, "/_sandbox/received", "", http.StatusUnauthorized},
		{"received, wrong token", http.MethodGet, "/_sandbox/received", "guess", http.StatusUnauthorized},
		{"received, control token", http.MethodGet, "/_sandbox/received", testControl, http.StatusOK},
		{"faults, anonymous", http.MethodPost, "/_sandbox/faults", "", http.StatusUnauthorized},
		{"faults, control token", http.MethodPost, "/_sandbox/faults", testControl, http.StatusNoContent},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, _ := call(t, c.method, u+c.path, c.token, map[string]string{"mode": "none"}); got != c.want {
				t.Errorf("%s %s: %d, want %d", c.method, c.path, got, c.want)
			}
		})
	}
	// An account's own token is no control token.
	_, acct := call(t, http.MethodPost, u+"/api/accounts", "", map[string]string{"name": "shop"})
	if got, _ := call(t, http.MethodGet, u+"/_sandbox/received", acct["token"].(string), nil); got != http.StatusUnauthorized {
		t.Errorf("received with an account's token: %d, want 401", got)
	}

	s, err := NewServer(Options{}) // no control token at all
	if err != nil {
		t.Fatal(err)
	}
	for _, auth := range []string{"", "Bearer "} {
		rec, req := httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/_sandbox/received", nil)
		req.Header.Set("Authorization", auth)
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("received with %q on a sandbox without a control token: %d, want 403", auth, rec.Code)
		}
	}
}

// Accounts live in namespaces (Tribune's workspaces): the same name in two
// namespaces is two accounts, and an account that exists is signed in to
// only with its own token or the control token; anyone else gets 409 and
// no token.
func TestAccountsAreNamespaced(t *testing.T) {
	_, u := start(t, Options{})
	create := func(ns, name, token string) (int, map[string]any) {
		return call(t, http.MethodPost, u+"/api/accounts", token, map[string]string{"namespace": ns, "name": name})
	}
	st, a := create("w1", "shop", "")
	if st != http.StatusOK || a["id"] != "w1.shop" || a["name"] != "shop" {
		t.Fatalf("sign-up in w1: %d %v", st, a)
	}
	st, b := create("w2", "shop", "")
	if st != http.StatusOK || b["id"] != "w2.shop" || b["token"] == a["token"] {
		t.Fatalf("same name in w2: %d %v, want an account of its own", st, b)
	}
	for _, c := range []struct {
		name, ns, acct, token string
		want                  int
	}{
		{"anonymous, same namespace", "w1", "shop", "", http.StatusConflict},
		{"another account's token", "w1", "shop", b["token"].(string), http.StatusConflict},
		{"its own token", "w1", "shop", a["token"].(string), http.StatusOK},
		{"control token", "w1", "shop", testControl, http.StatusOK},
		{"a dotted name standing in for w1's", "", "w1.shop", "", http.StatusUnprocessableEntity},
		{"a namespace with a dot", "w1.x", "shop", "", http.StatusUnprocessableEntity},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, got := create(c.ns, c.acct, c.token)
			if st != c.want {
				t.Fatalf("%d %v, want %d", st, got, c.want)
			}
			if st != http.StatusOK && got["token"] != nil {
				t.Errorf("a refused sign-in returned a token: %v", got)
			}
			if st == http.StatusOK && got["token"] != a["token"] {
				t.Errorf("signed in to %v, want w1.shop", got["id"])
			}
		})
	}
}
