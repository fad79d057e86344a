package httpx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// MaxRedirects is how many redirects one call may follow.
const MaxRedirects = 5

// Options shape an outgoing client.
type Options struct {
	// Timeout bounds a whole call, redirects included; 0 means 30 seconds.
	Timeout time.Duration
	// MaxIdleConnsPerHost is how many kept-alive connections to one host are
	// kept for reuse; 0 means 2 (Go's default).
	MaxIdleConnsPerHost int
	// AllowPrivate lets the client use http:// and reach loopback, private
	// and link-local addresses (the -allow-private-networks setting, for
	// development and tests). Off, only https to public addresses is allowed.
	AllowPrivate bool
	// Origin, when set (scheme://host[:port]), pins the client to that one
	// origin: a request or redirect anywhere else is refused. The Sandbox
	// connector uses it so that its unguarded client reaches the configured
	// sandbox and nothing else.
	Origin string
	// Permit decides whether an address may be dialled when AllowPrivate is
	// off; nil means Public. Tests set it to treat one loopback listener as
	// a public server.
	Permit func(netip.AddrPort) bool
}

// BlockedError is a call Tribune refused to make: a scheme, host or
// resolved address that the client's rules do not allow.
type BlockedError struct {
	// Reason says which rule refused it (for logs; users get a generic message).
	Reason string
}

func (e *BlockedError) Error() string { return "httpx: refused: " + e.Reason }

// NewClient returns the client for calls to addresses a user supplied (a
// Mastodon instance, a Bluesky PDS; later link previews, media by URL and
// webhooks). Unless o.AllowPrivate is set it speaks https only and refuses,
// at connect time, every address that is not public (see Public): the check
// runs on the IP actually dialled, after DNS resolution, so it holds for
// every connection and every redirect, and against a name that resolves
// differently from one look-up to the next. At most MaxRedirects redirects
// are followed. Proxy environment variables are ignored: a proxy would dial
// the target itself, out of the check's reach.
func NewClient(o Options) *http.Client {
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxIdleConnsPerHost == 0 {
		o.MaxIdleConnsPerHost = 2
	}
	permit := o.Permit
	if permit == nil {
		permit = func(ap netip.AddrPort) bool { return Public(ap.Addr()) }
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !o.AllowPrivate {
		dialer.ControlContext = func(_ context.Context, _, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &BlockedError{Reason: "unparsable address " + address}
			}
			if !permit(ap) {
				return &BlockedError{Reason: "address " + address + " is not public"}
			}
			return nil
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = dialer.DialContext
	tr.MaxIdleConnsPerHost = o.MaxIdleConnsPerHost
	tr.MaxIdleConns = 4 * o.MaxIdleConnsPerHost
	check := &checkURL{next: tr, allowPrivate: o.AllowPrivate}
	if o.Origin != "" {
		check.origin = "invalid origin " + o.Origin // matches no URL: a bad setting refuses everything
		if u, err := url.Parse(o.Origin); err == nil && u.Host != "" {
			check.origin = u.Scheme + "://" + u.Host
		}
	}
	return &http.Client{
		Timeout:   o.Timeout,
		Transport: check,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return &BlockedError{Reason: fmt.Sprintf("more than %d redirects", MaxRedirects)}
			}
			return nil
		},
	}
}

// checkURL refuses, before any connection, a request whose URL the rules
// do not allow. The client sends every redirect through it too.
type checkURL struct {
	next         http.RoundTripper
	allowPrivate bool
	origin       string // scheme://host, empty for any
}

func (c *checkURL) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := c.check(req.URL); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, err
	}
	return c.next.RoundTrip(req)
}

func (c *checkURL) check(u *url.URL) error {
	if c.origin != "" && !strings.EqualFold(u.Scheme+"://"+u.Host, c.origin) {
		return &BlockedError{Reason: "only " + c.origin + " may be reached with this client"}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && c.allowPrivate:
	default:
		return &BlockedError{Reason: "scheme " + u.Scheme + " is not allowed"}
	}
	if ambiguousHost(u.Hostname()) {
		return &BlockedError{Reason: "host " + u.Hostname() + " is a number that is not an IP address"}
	}
	return nil
}

// ambiguousHost reports whether host ends in a numeric label without being
// a plain IP address: 2130706433, 0177.0.0.1, 0x7f.0.0.1, 127.1. Browsers
// (WHATWG URL) and C's inet_aton read these as IPv4 addresses, Go's own
// resolver as DNS names; no real name ends in a number, so refusing them
// outright means no resolver can turn them into an address the dialer did
// not expect.
func ambiguousHost(host string) bool {
	if _, err := netip.ParseAddr(host); err == nil {
		return false
	}
	host = strings.TrimSuffix(host, ".")
	last := host[strings.LastIndex(host, ".")+1:]
	if last == "" {
		return false
	}
	if l := strings.ToLower(last); strings.HasPrefix(l, "0x") {
		return strings.Trim(l[2:], "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}

// Blocked address ranges beyond what netip's predicates cover.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT, shared address space
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and the broadcast address
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use IPv4/IPv6 translation
}

// Embedded IPv4 addresses: IPv4-compatible (::a.b.c.d, deprecated) and the
// NAT64 well-known prefix reach the IPv4 address they carry.
var embedsIPv4 = []netip.Prefix{
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

// Public reports whether addr is a public unicast address: not loopback,
// private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16,
// fe80::/10, which holds cloud metadata services), multicast, unspecified,
// carrier-grade NAT (100.64/10) or otherwise reserved; an IPv4 address
// written in IPv6 form (mapped, compatible, NAT64) is judged as the IPv4
// address it carries.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	if addr.Is6() {
		for _, p := range embedsIPv4 {
			if p.Contains(addr) {
				b := addr.As16()
				return Public(netip.AddrFrom4([4]byte(b[12:])))
			}
		}
	}
	if !addr.IsGlobalUnicast() || addr.IsPrivate() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// Blocked reports whether err is (or wraps) a call the rules refused.
func Blocked(err error) bool {
	var be *BlockedError
	return errors.As(err, &be)
}
