package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/problem"
)

// ErrThrottled is the problem of a password check refused because of too
// many recent failures for the account or from the address; the
// *ThrottledError that carries it says how long to wait, and the HTTP layers
// send it as 429 with Retry-After.
var ErrThrottled = problem.New(http.StatusTooManyRequests, "too_many_attempts",
	"Too many failed sign-in attempts. Wait a moment, then try again.")

// ThrottledError is a refused password check and when to try again.
type ThrottledError struct {
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%s (retry after %s)", ErrThrottled.Error(), e.RetryAfter)
}

// Unwrap is ErrThrottled with the wait in its messages, so problem.As finds
// the 429 and a user reads how long to wait.
func (e *ThrottledError) Unwrap() error {
	n := e.Seconds()
	c := *ErrThrottled
	c.Message, c.Args = "Too many failed sign-in attempts. Try again in %d s.", []any{n}
	return &c
}

// Seconds is RetryAfter rounded up to whole seconds, as Retry-After says it.
func (e *ThrottledError) Seconds() int {
	return int((e.RetryAfter + time.Second - 1) / time.Second)
}

type clientAddrKey struct{}

// WithClientAddr returns ctx carrying the address of the client a request
// came from, as the HTTP layer resolved it (behind a trusted proxy, from
// X-Forwarded-For). Login reads it to throttle per address, so every caller
// of Login is throttled without passing it along.
func WithClientAddr(ctx context.Context, addr netip.Addr) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddr returns the address WithClientAddr stored (invalid when none:
// the command line, tests of the use case alone).
func ClientAddr(ctx context.Context) netip.Addr {
	a, _ := ctx.Value(clientAddrKey{}).(netip.Addr)
	return a
}

// Throttle slows password guessing down. Every account (e-mail) and every
// client address gets a few free failures; after them each failure makes the
// next attempt wait twice as long as the previous one, from Base up to Max,
// and an attempt during the wait is refused without looking at the password
// (so a right guess during it tells nothing). A successful sign-in clears the
// account's failures; a key quiet for Forget starts afresh. Nothing locks an
// account for good: at worst its owner waits Max.
//
// The counters live in memory, per node, on purpose. A database table would
// share them between nodes, but then every failed attempt of a flood would
// be a write, and on SQLite the one writer connection is what publishing
// needs most (issue 12, point 5: a flood must not delay publishing). In
// memory, an attacker who reaches N nodes gets N times the attempts, still
// one guess per Max and node once the back-off is saturated, and a restart
// forgets the counters, which never locks anyone out.
//
// The address key is the /64 prefix for IPv6 (one client usually holds a
// whole /64), and an address gets more free failures than an account since
// an office behind one NAT address shares it.
type Throttle struct {
	Now         func() time.Time
	AccountFree int           // failures of one account before the back-off starts
	AddressFree int           // failures from one address before the back-off starts
	Base, Max   time.Duration // first and longest wait
	Forget      time.Duration // a key with no attempt for this long starts afresh
	MaxKeys     int           // past this many keys, idle ones are swept

	mu        sync.Mutex
	keys      map[string]*strikes
	lastSweep time.Time
}

type strikes struct {
	failures int
	seen     time.Time // last attempt
	until    time.Time // no attempt before this
}

// NewThrottle returns a Throttle with Tribune's defaults: 5 free failures
// per account and 20 per address, then waits of 1 s, 2 s, 4 s… up to 5 min;
// counters forgotten after 30 quiet minutes.
func NewThrottle(now func() time.Time) *Throttle {
	return &Throttle{Now: now, AccountFree: 5, AddressFree: 20, Base: time.Second, Max: 5 * time.Minute,
		Forget: 30 * time.Minute, MaxKeys: 100_000}
}

// Attempt is a password check let through; tell it how it went.
type Attempt struct {
	t             *Throttle
	account, addr string
}

func addrKey(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + a.String()
}

// Begin lets a password check for account from addr through, or refuses it
// with a *ThrottledError. The attempt counts as a failure from the start, so
// a hundred guesses sent at once are counted before any is checked;
// Succeeded takes it back.
func (t *Throttle) Begin(account string, addr netip.Addr) (*Attempt, error) {
	now := t.Now()
	a := &Attempt{t: t, account: "account:" + account, addr: addrKey(addr)}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.keys == nil {
		t.keys = map[string]*strikes{}
	}
	var wait time.Duration
	for _, k := range a.list() {
		if s := t.get(k, now); s != nil && now.Before(s.until) {
			wait = max(wait, s.until.Sub(now))
		}
	}
	if wait > 0 {
		return nil, &ThrottledError{RetryAfter: wait}
	}
	t.sweep(now)
	for _, k := range a.list() {
		s := t.get(k, now)
		if s == nil {
			s = &strikes{}
			t.keys[k] = s
		}
		s.failures++
		s.seen = now
		s.until = now.Add(t.delay(s.failures, t.free(k)))
	}
	return a, nil
}

// Succeeded records a right password: the account starts afresh and the
// address's count loses the failure Begin counted in advance.
func (a *Attempt) Succeeded() {
	t := a.t
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, a.account)
	if s, ok := t.keys[a.addr]; ok {
		s.failures = max(s.failures-1, 0)
		s.until = s.seen.Add(t.delay(s.failures, t.AddressFree))
	}
}

func (a *Attempt) list() []string {
	if a.addr == "" {
		return []string{a.account}
	}
	return []string{a.account, a.addr}
}

func (t *Throttle) free(key string) int {
	if key[:5] == "addr:" {
		return t.AddressFree
	}
	return t.AccountFree
}

// delay is the wait after the given number of failures.
func (t *Throttle) delay(failures, free int) time.Duration {
	if failures < free {
		return 0
	}
	d := t.Base
	for i := free; i < failures && d < t.Max; i++ {
		d *= 2
	}
	return min(d, t.Max)
}

// get returns the live strikes of k, forgetting them when they are stale.
func (t *Throttle) get(k string, now time.Time) *strikes {
	s := t.keys[k]
	if s != nil && t.stale(s, now) {
		delete(t.keys, k)
		return nil
	}
	return s
}

func (t *Throttle) stale(s *strikes, now time.Time) bool {
	return !now.Before(s.until) && now.Sub(s.seen) >= t.Forget
}

// sweep bounds memory: past MaxKeys, stale keys go, then keys that block
// nothing now (at most once a second, so a flood of new keys cannot make
// every attempt walk the map).
func (t *Throttle) sweep(now time.Time) {
	if len(t.keys) < t.MaxKeys || now.Sub(t.lastSweep) < time.Second {
		return
	}
	t.lastSweep = now
	for k, s := range t.keys {
		if t.stale(s, now) {
			delete(t.keys, k)
		}
	}
	if len(t.keys) < t.MaxKeys {
		return
	}
	for k, s := range t.keys {
		if !now.Before(s.until) {
			delete(t.keys, k)
		}
	}
}
