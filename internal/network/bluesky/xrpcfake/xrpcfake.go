// Package xrpcfake is what the fake Bluesky services for tests
// (appviewfake, chatfake) answer and check alike, written from the XRPC
// specification (JSON bodies, errors as {"error", "message"}, query
// parameters typed by the lexicon) and from how a PDS proxies a call (a
// service token naming the service and the method). Keeping it in one place
// means both fakes refuse the same requests for the same reasons.
package xrpcfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WriteJSON answers v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error answers an XRPC error: its name and a message.
func Error(w http.ResponseWriter, status int, name, msg string) {
	WriteJSON(w, status, map[string]string{"error": name, "message": msg})
}

// Refusals keeps the requests a fake refused because they break the
// lexicons or the routing, which a test checks is empty: a refusal the
// connector never sees would otherwise pass unnoticed. A fake embeds it;
// the zero value is ready to use.
type Refusals struct {
	mu   sync.Mutex
	list []string
}

// Refuse records that a call of nsid broke the lexicons and answers it 400
// InvalidRequest with the reason.
func (v *Refusals) Refuse(w http.ResponseWriter, nsid, format string, args ...any) {
	msg := nsid + ": " + fmt.Sprintf(format, args...)
	v.mu.Lock()
	v.list = append(v.list, msg)
	v.mu.Unlock()
	Error(w, http.StatusBadRequest, "InvalidRequest", msg)
}

// Violations are the requests refused, oldest first.
func (v *Refusals) Violations() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.list)
}

// BearerToken is the token of the request's Authorization header, "" if it
// has none.
func BearerToken(r *http.Request) string {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return tok
	}
	return ""
}

// IsServiceToken tells a service token, a JWT a PDS signs when it forwards
// a call, from the session token of a call made to a fake directly.
func IsServiceToken(tok string) bool { return strings.Count(tok, ".") == 2 }

// Claims are what a service token says.
type Claims struct {
	// Iss is the account the PDS forwarded the call for (its DID, without
	// any #fragment).
	Iss string `json:"iss"`
	// Aud is the service the token is for, Lxm the method ("" when the
	// token does not name one).
	Aud string `json:"aud"`
	Lxm string `json:"lxm"`
	// Exp is when it expires, in Unix seconds (0: never).
	Exp int64 `json:"exp"`
}

// ServiceToken reads a service token and checks that it is for the service
// aud, for the method nsid when it names one, unexpired at now, and issued
// for a DID. The signature is the PDS's and is not checked: the fakes trust
// the PDS as the real services do once the signature holds.
func ServiceToken(tok, aud, nsid string, now time.Time) (Claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return Claims{}, fmt.Errorf("not a service token")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c Claims
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	switch {
	case err != nil:
		return Claims{}, fmt.Errorf("unreadable service token: %v", err)
	case c.Aud != aud:
		return Claims{}, fmt.Errorf("service token for %q, not %q", c.Aud, aud)
	case c.Lxm != "" && c.Lxm != nsid:
		return Claims{}, fmt.Errorf("service token for method %q, not %q", c.Lxm, nsid)
	case c.Exp != 0 && time.Unix(c.Exp, 0).Before(now):
		return Claims{}, fmt.Errorf("expired service token")
	case !strings.HasPrefix(c.Iss, "did:"):
		return Claims{}, fmt.Errorf("service token issued by %q", c.Iss)
	}
	c.Iss, _, _ = strings.Cut(c.Iss, "#")
	return c, nil
}

// Kind is the lexicon type of a query parameter.
type Kind int

// The kinds of query parameters the fakes' lexicons use.
const (
	String Kind = iota
	Integer
	Boolean
	DID
	ATURI
	ATIdentifier
	Datetime
)

// Param describes one query parameter of a lexicon.
type Param struct {
	Kind     Kind
	Array    bool
	Required bool
	// MaxItems bounds an array (0: unbounded).
	MaxItems int
	// Min and Max bound an integer.
	Min, Max int
}

// CheckQuery says how a query breaks its lexicon's parameters, nil if it
// does not.
func CheckQuery(spec map[string]Param, q map[string][]string) error {
	for name, vals := range q {
		p, ok := spec[name]
		if !ok {
			return fmt.Errorf("unknown parameter %q", name)
		}
		if len(vals) > 1 && !p.Array {
			return fmt.Errorf("parameter %q given %d times", name, len(vals))
		}
		if p.MaxItems > 0 && len(vals) > p.MaxItems {
			return fmt.Errorf("parameter %q given %d times, at most %d", name, len(vals), p.MaxItems)
		}
		for _, v := range vals {
			if err := p.check(v); err != nil {
				return fmt.Errorf("parameter %q = %q, %v", name, v, err)
			}
		}
	}
	for name, p := range spec {
		if p.Required && len(q[name]) == 0 {
			return fmt.Errorf("missing parameter %q", name)
		}
	}
	return nil
}

func (p Param) check(v string) error {
	switch p.Kind {
	case Integer:
		if n, err := strconv.Atoi(v); err != nil || n < p.Min || n > p.Max {
			return fmt.Errorf("want an integer in [%d, %d]", p.Min, p.Max)
		}
	case Boolean:
		if v != "true" && v != "false" {
			return fmt.Errorf("want true or false")
		}
	case DID:
		if !strings.HasPrefix(v, "did:") {
			return fmt.Errorf("want a DID")
		}
	case ATURI:
		if !strings.HasPrefix(v, "at://did:") {
			return fmt.Errorf("want an at:// URI")
		}
	case ATIdentifier:
		if !strings.HasPrefix(v, "did:") && !strings.Contains(v, ".") {
			return fmt.Errorf("want a DID or a handle")
		}
	case Datetime:
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			return fmt.Errorf("want a datetime")
		}
	}
	return nil
}
