package auth

import (
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestThrottle() (*Throttle, *clock) {
	c := &clock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	return NewThrottle(c.Now), c
}

var (
	home   = netip.MustParseAddr("192.0.2.10")
	office = netip.MustParseAddr("198.51.100.7")
)

// fail makes n attempts that all fail, and fails the test if one is refused.
func fail(t *testing.T, th *Throttle, account string, addr netip.Addr, n int) {
	t.Helper()
	for i := range n {
		if _, err := th.Begin(account, addr); err != nil {
			t.Fatalf("attempt %d of %s refused: %v", i+1, account, err)
		}
	}
}

func retryAfter(t *testing.T, err error) time.Duration {
	t.Helper()
	var te *ThrottledError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a *ThrottledError", err)
	}
	return te.RetryAfter
}

func TestThrottleBacksOffPerAccount(t *testing.T) {
	t.Parallel()
	th, c := newTestThrottle()
	fail(t, th, "ann@example.test", home, 5)
	_, err := th.Begin("ann@example.test", home)
	if got := retryAfter(t, err); got != time.Second {
		t.Errorf("6th attempt: retry after %s, want 1s", got)
	}
	// From another address too: the account is what is guessed.
	if _, err := th.Begin("ann@example.test", office); err == nil {
		t.Error("6th attempt from another address let through")
	}
	// Each failure after the free ones doubles the wait, up to Max.
	for _, want := range []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second} {
		c.Add(th.Max) // any wait is over
		fail(t, th, "ann@example.test", home, 1)
		if got := retryAfter(t, second(th.Begin("ann@example.test", home))); got != want {
			t.Errorf("wait = %s, want %s", got, want)
		}
	}
	for range 20 {
		c.Add(th.Max)
		fail(t, th, "ann@example.test", office, 1)
	}
	if got := retryAfter(t, second(th.Begin("ann@example.test", home))); got != th.Max {
		t.Errorf("wait after many failures = %s, want the cap %s", got, th.Max)
	}
	// The owner is never locked out for good: after the wait, the password is checked again.
	c.Add(th.Max)
	a, err := th.Begin("ann@example.test", home)
	if err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	a.Succeeded()
	fail(t, th, "ann@example.test", home, 5) // a success starts the account afresh
	// And a quiet account forgets its failures.
	c.Add(th.Forget + th.Max)
	fail(t, th, "ann@example.test", home, 5)
}

func second(_ *Attempt, err error) error { return err }

func TestThrottlePerAddress(t *testing.T) {
	t.Parallel()
	th, _ := newTestThrottle()
	fail(t, th, "ann@example.test", office, 5)
	// Ann is throttled, but Bob signs in from the same office.
	a, err := th.Begin("bob@example.test", office)
	if err != nil {
		t.Fatalf("another account from the same address: %v", err)
	}
	a.Succeeded()
	// One address guessing many accounts is throttled after AddressFree failures.
	for i := range 15 {
		fail(t, th, "user"+string(rune('a'+i))+"@example.test", office, 1)
	}
	if _, err := th.Begin("carol@example.test", office); err == nil {
		t.Errorf("attempt %d from one address let through", th.AddressFree+1)
	}
	if _, err := th.Begin("carol@example.test", home); err != nil {
		t.Errorf("same account from another address: %v", err)
	}
	// A whole IPv6 /64 is one client.
	for i := range 20 {
		fail(t, th, "v6"+string(rune('a'+i))+"@example.test", netip.MustParseAddr("2001:db8:1:2::"+string(rune('a'+i%6))), 1)
	}
	if _, err := th.Begin("dave@example.test", netip.MustParseAddr("2001:db8:1:2:ffff::1")); err == nil {
		t.Error("another address of the same /64 let through")
	}
}

// Guesses sent at once are counted before any password is checked.
func TestThrottleCountsConcurrentAttempts(t *testing.T) {
	t.Parallel()
	th, _ := newTestThrottle()
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed := 0
	for range 100 {
		wg.Go(func() {
			if _, err := th.Begin("ann@example.test", home); err == nil {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if passed != th.AccountFree {
		t.Errorf("%d of 100 simultaneous guesses checked, want %d", passed, th.AccountFree)
	}
}
