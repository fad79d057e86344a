// Package limit keeps one client from exhausting a Tribune node: it resolves
// each request's client address (behind trusted proxies only), rate-limits
// the API per token and per address with token buckets, and admits a bounded
// number of writes at once so a flood of creates never starves publishing or
// the health check of the database.
//
// Its state is in memory, per node: a client spread over N nodes gets N
// times the rate, which is acceptable for a limit meant to stop floods (the
// login throttle of package auth explains the same choice).
package limit

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
)

// Config is what the limits allow.
type Config struct {
	// TokenPerMinute and AddressPerMinute are the API's request units per
	// minute per bearer token and per client address (a bucket that holds a
	// whole minute, so a client may spend it at once); 0 turns one off.
	TokenPerMinute   int
	AddressPerMinute int
	// WriteCost is the units a write (any method but GET, HEAD and OPTIONS)
	// costs; a read costs 1.
	WriteCost int
	// MaxWritesInFlight is how many UI and API writes run at once; 0 is no
	// bound. WriteWait is how long a write waits for its turn before a 503.
	MaxWritesInFlight int
	WriteWait         time.Duration
	// Tarpit is the longest a refused API request is held before its 429
	// (never past its Retry-After; at most maxTarpitted at once). A client
	// that waits for each answer, as floods do, then sends a few requests a
	// second instead of thousands of refusals that eat the CPU publishing
	// needs. 0: answer at once.
	Tarpit time.Duration
	// TrustedProxies are the addresses allowed to say, in X-Forwarded-For,
	// which client they forward.
	TrustedProxies []netip.Prefix
	Now            func() time.Time
}

// Limits are the middlewares of one node.
type Limits struct {
	cfg    Config
	tokens *buckets
	addrs  *buckets
	slots  chan struct{}
	pit    chan struct{}
}

// maxTarpitted bounds the refused requests held at once (a goroutine and a
// connection each); past it, refusals are answered at once.
const maxTarpitted = 1000

// New returns the limits of cfg.
func New(cfg Config) *Limits {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.WriteCost = max(cfg.WriteCost, 1)
	l := &Limits{cfg: cfg, tokens: newBuckets(cfg.TokenPerMinute), addrs: newBuckets(cfg.AddressPerMinute), pit: make(chan struct{}, maxTarpitted)}
	if cfg.MaxWritesInFlight > 0 {
		l.slots = make(chan struct{}, cfg.MaxWritesInFlight)
	}
	return l
}

// Problems a client may see.
var (
	ErrRateLimited = problem.New(http.StatusTooManyRequests, "rate_limited",
		"Too many requests: slow down and retry after the delay in Retry-After.")
	ErrBusy = problem.New(http.StatusServiceUnavailable, "busy",
		"Tribune is busy with other changes: try again in a moment.")
)

// ClientAddr is the address a request comes from: the connection's peer,
// or, when that peer is a trusted proxy, the nearest address of
// X-Forwarded-For that is not a trusted proxy (read from the right, since
// a client can write anything on the left).
func ClientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	var a netip.Addr
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		a = ap.Addr().Unmap()
	} else if p, err := netip.ParseAddr(r.RemoteAddr); err == nil {
		a = p.Unmap()
	}
	if !isTrusted(a, trusted) {
		return a
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return a // garbage: the last proxy we trust is all we know
		}
		a = h.Unmap()
		if !isTrusted(a, trusted) {
			return a
		}
	}
	return a
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Addresses stores each request's client address in its context, where
// auth.Login reads it to throttle password guessing per address.
func (l *Limits) Addresses(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := auth.WithClientAddr(r.Context(), ClientAddr(r, l.cfg.TrustedProxies))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func isWrite(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// API rate-limits then admits API requests. Every answer carries the
// RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset and RateLimit-Policy
// fields of draft-ietf-httpapi-ratelimit-headers-06 for the bucket closest
// to empty; a refused request gets 429 with Retry-After.
func (l *Limits) API(next http.Handler) http.Handler {
	return l.rateLimit(l.admit(next, true))
}

// UI admits the browser UI's writes (its reads are not bounded).
func (l *Limits) UI(next http.Handler) http.Handler {
	return l.admit(next, false)
}

func (l *Limits) rateLimit(next http.Handler) http.Handler {
	if l.tokens == nil && l.addrs == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := l.cfg.Now()
		cost := 1
		if isWrite(r) {
			cost = l.cfg.WriteCost
		}
		var vs []*verdict
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && l.tokens != nil {
			// The hash keeps the map's keys from being usable tokens.
			sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
			vs = append(vs, l.tokens.take(string(sum[:16]), now, cost))
		}
		if l.addrs != nil {
			vs = append(vs, l.addrs.take(auth.ClientAddr(r.Context()).String(), now, cost))
		}
		worst := settle(vs, now)
		if worst == nil { // only a token limit, and no token
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("RateLimit-Limit", strconv.Itoa(worst.limit))
		h.Set("RateLimit-Remaining", strconv.Itoa(worst.remaining))
		h.Set("RateLimit-Reset", strconv.Itoa(seconds(worst.reset)))
		h.Set("RateLimit-Policy", strconv.Itoa(worst.limit)+";w=60")
		if !worst.ok {
			h.Set("Retry-After", strconv.Itoa(max(seconds(worst.retry), 1)))
			l.tarpit(r, min(worst.retry, l.cfg.Tarpit))
			writeProblem(w, ErrRateLimited)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tarpit holds a refused request for d, unless too many are held already.
func (l *Limits) tarpit(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	select {
	case l.pit <- struct{}{}:
		defer func() { <-l.pit }()
	default:
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// admit bounds the writes in flight. SQLite has one writer connection that
// River's fetches, the publisher's marks and /healthz's ping share with every
// create; on PostgreSQL writes share the pool and the CPU. A write over the
// bound waits WriteWait for a slot, then gets 503 with Retry-After, so the
// queue in front of the database stays short whatever a client sends.
func (l *Limits) admit(next http.Handler, api bool) http.Handler {
	if l.slots == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isWrite(r) {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case l.slots <- struct{}{}:
		default:
			t := time.NewTimer(l.cfg.WriteWait)
			select {
			case l.slots <- struct{}{}:
				t.Stop()
			case <-t.C:
				w.Header().Set("Retry-After", "1")
				if api {
					writeProblem(w, ErrBusy)
				} else {
					http.Error(w, ErrBusy.Localized("en")+"\n"+ErrBusy.Localized("fr"), ErrBusy.Status)
				}
				return
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		defer func() { <-l.slots }()
		next.ServeHTTP(w, r)
	})
}

func seconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// writeProblem writes pe as the API writes its errors.
func writeProblem(w http.ResponseWriter, pe *problem.Error) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(pe.Status)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": pe.Status, "code": pe.Code, "message": pe.Localized("en"), "message_fr": pe.Localized("fr")})
}

// buckets are token buckets by key, each refilled at perMinute/60 per
// second and holding perMinute.
type buckets struct {
	perMinute int
	every     rate.Limit
	mu        sync.Mutex
	m         map[string]*rate.Limiter
	lastSweep time.Time
}

// maxBuckets bounds memory: past it, full buckets (clients that have been
// quiet long enough to owe nothing) are dropped, since a new one is full too.
const maxBuckets = 100_000

func newBuckets(perMinute int) *buckets {
	if perMinute <= 0 {
		return nil
	}
	return &buckets{perMinute: perMinute, every: rate.Limit(float64(perMinute) / 60), m: map[string]*rate.Limiter{}}
}

type verdict struct {
	b                *buckets
	lim              *rate.Limiter
	res              *rate.Reservation
	ok               bool
	limit, remaining int
	reset, retry     time.Duration
}

// take reserves cost units of key's bucket; settle decides.
func (b *buckets) take(key string, now time.Time, cost int) *verdict {
	b.mu.Lock()
	lim, ok := b.m[key]
	if !ok {
		if len(b.m) >= maxBuckets && now.Sub(b.lastSweep) > time.Second {
			b.lastSweep = now
			for k, l := range b.m {
				if l.TokensAt(now) >= float64(b.perMinute) {
					delete(b.m, k)
				}
			}
		}
		lim = rate.NewLimiter(b.every, b.perMinute)
		b.m[key] = lim
	}
	b.mu.Unlock()
	v := &verdict{b: b, lim: lim, res: lim.ReserveN(now, cost), ok: true, limit: b.perMinute}
	if !v.res.OK() { // costs more than the bucket holds (config refuses it)
		v.ok, v.retry = false, time.Minute
	} else if d := v.res.DelayFrom(now); d > 0 {
		v.ok, v.retry = false, d
	}
	return v
}

// settle spends the reservations when every bucket agrees, or gives them
// all back (a request refused by one bucket costs the others nothing), and
// returns the verdict to report: a refusal, or the bucket closest to empty.
func settle(vs []*verdict, now time.Time) *verdict {
	allowed := true
	for _, v := range vs {
		allowed = allowed && v.ok
	}
	var worst *verdict
	for _, v := range vs {
		if !allowed {
			v.res.CancelAt(now)
		}
		tokens := max(v.lim.TokensAt(now), 0)
		v.remaining = int(tokens)
		v.reset = time.Duration((float64(v.b.perMinute) - tokens) / float64(v.b.every) * float64(time.Second))
		if worst == nil || (worst.ok && !v.ok) || (worst.ok == v.ok && v.remaining < worst.remaining) {
			worst = v
		}
	}
	return worst
}
