// Package xrpcfake is what the fake Bluesky services for tests
// (appviewfake, chatfake) answer and check alike, written from the XRPC
// specification (JSON bodies, errors as {"error", "message"}, query
// parameters typed by the lexicon) and from how a PDS proxies a call (a
// service token naming the service and the method). Keeping it in one place
// means both fakes refuse the same requests for the same reasons. It also
// holds the PDS's rate limiter (RateLimit), which the in-memory PDS
// (pdstest.Mem) puts in front of both.
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

// RateLimit plays the rate limiter a PDS puts in front of every XRPC call,
// the proxied ones included (xrpc-server's rate-limiter-http.ts; docs.bsky.app
// "Rate Limits": 3,000 requests per 5 minutes per IP address). Once Set,
// every answer carries RateLimit-Limit, RateLimit-Remaining (after this
// call), RateLimit-Reset (the window's end as a Unix time in seconds, not
// the IETF draft's delta) and RateLimit-Policy ("3000;w=300", the window in
// seconds), and a call past the limit is answered 429 RateLimitExceeded
// with the same headers and Retry-After in seconds. The zero value limits
// nothing and sends no header, as a PDS whose rate limits are off (the
// default of a self-hosted one).
type RateLimit struct {
	mu     sync.Mutex
	points int
	window time.Duration
	start  time.Time
	used   int
}

// Set turns the limit on: points calls per window, the window starting now.
func (l *RateLimit) Set(points int, window time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.points, l.window, l.start, l.used = points, window, time.Now(), 0
}

// Spend uses n calls of the current window, as other clients behind the
// same address would.
func (l *RateLimit) Spend(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.used += n
}

// Reset is the end of the current window, to the second, as RateLimit-Reset
// says it.
func (l *RateLimit) Reset() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Unix(l.start.Add(l.window).Unix(), 0)
}

// Remaining is what is left of the current window, as the last answer's
// RateLimit-Remaining said it.
func (l *RateLimit) Remaining() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(l.points-l.used, 0)
}

// Wrap limits the XRPC calls h answers.
func (l *RateLimit) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/xrpc/") {
			h.ServeHTTP(w, r)
			return
		}
		l.mu.Lock()
		on := l.points > 0
		var over bool
		if on {
			now := time.Now()
			if now.Sub(l.start) >= l.window {
				l.start, l.used = now, 0
			}
			l.used++
			over = l.used > l.points
			end := l.start.Add(l.window)
			hd := w.Header()
			hd.Set("RateLimit-Limit", strconv.Itoa(l.points))
			hd.Set("RateLimit-Remaining", strconv.Itoa(max(l.points-l.used, 0)))
			hd.Set("RateLimit-Reset", strconv.FormatInt(end.Unix(), 10))
			hd.Set("RateLimit-Policy", fmt.Sprintf("%d;w=%d", l.points, int(l.window/time.Second)))
			if over {
				hd.Set("Retry-After", strconv.Itoa(int((end.Sub(now)+time.Second-1)/time.Second)))
			}
		}
		l.mu.Unlock()
		if over {
			Error(w, http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded")
			return
		}
		h.ServeHTTP(w, r)
	})
}
