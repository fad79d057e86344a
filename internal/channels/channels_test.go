package channels_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/problem"
)

// Connecting a channel makes Tribune call the address the user typed. With
// -allow-private-networks off (production), an address inside Tribune's own
// network is refused with a 422 on the field, before any connection is made,
// whatever form it takes; the Sandbox, which the operator configured, still
// works.
func TestConnectRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{RefusePrivateNetworks: true})
	owner, ws := env.Owner(t)
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	ctx := context.Background()
	type connect func(addr string) error
	bluesky := func(addr string) error {
		_, err := env.App.Channels.ConnectBluesky(ctx, owner, ws.ID, addr, "lumiere.test", "app-password")
		return err
	}
	mastodon := func(addr string) error {
		_, err := env.App.Channels.StartMastodon(ctx, owner, ws.ID, addr)
		return err
	}
	for _, tc := range []struct {
		field, addr string
		call        connect
	}{
		{"pds_url", "https://127.0.0.1:" + port, bluesky},
		{"pds_url", "https://localhost:" + port, bluesky},
		{"pds_url", "https://[::ffff:127.0.0.1]:" + port, bluesky},
		{"pds_url", "https://[::1]:" + port, bluesky},
		{"pds_url", "http://127.0.0.1:" + port, bluesky},
		{"pds_url", "https://169.254.169.254", bluesky},
		{"pds_url", "https://2130706433:" + port, bluesky},
		{"instance_url", "https://127.0.0.1:" + port, mastodon},
		{"instance_url", "localhost:" + port, mastodon},
		{"instance_url", "https://0177.0.0.1:" + port, mastodon},
		{"instance_url", "https://0x7f.0.0.1:" + port, mastodon},
		{"instance_url", "https://10.0.0.1", mastodon},
		{"instance_url", "https://[fe80::1]", mastodon},
		{"instance_url", "https://[fc00::1]", mastodon},
		{"instance_url", "https://0.0.0.0:" + port, mastodon},
	} {
		t.Run(tc.field+" "+tc.addr, func(t *testing.T) {
			pe := problem.As(tc.call(tc.addr))
			if pe.Status != http.StatusUnprocessableEntity || len(pe.Details) != 1 || pe.Details[0].Location != tc.field || pe.Details[0].Code != "address_not_allowed" {
				t.Fatalf("got %d %s %+v, want 422 address_not_allowed on %s", pe.Status, pe.Code, pe.Details, tc.field)
			}
		})
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("%d connections reached the private server", n)
	}
	if _, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "shop"); err != nil {
		t.Errorf("the sandbox on 127.0.0.1: %v, want it connected without -allow-private-networks", err)
	}
}

// When the connection fails, the user gets Tribune's words, never what the
// remote side sent (here a database's greeting on the port the user typed).
func TestConnectDoesNotEchoTheRemoteSide(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{}) // -allow-private-networks on, as in development
	owner, ws := env.Owner(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(conn, "SECRET-GREETING FATAL: password authentication failed for user \"postgres\"\r\n\r\n")
			_ = conn.Close()
		}
	}()
	ctx := context.Background()
	addr := "http://" + ln.Addr().String()
	_, errBluesky := env.App.Channels.ConnectBluesky(ctx, owner, ws.ID, addr, "lumiere.test", "app-password")
	_, errMastodon := env.App.Channels.StartMastodon(ctx, owner, ws.ID, addr)
	for name, err := range map[string]error{"bluesky": errBluesky, "mastodon": errMastodon} {
		pe := problem.As(err)
		if pe.Status != http.StatusBadGateway || pe.Code != "network_unreachable" {
			t.Errorf("%s: got %d %s, want 502 network_unreachable", name, pe.Status, pe.Code)
		}
		shown := pe.Localized("en") + pe.Localized("fr")
		for _, d := range pe.Details {
			shown += d.Localized("en") + d.Localized("fr")
		}
		if strings.Contains(shown, "SECRET") || strings.Contains(shown, "FATAL") {
			t.Errorf("%s: the user is shown %q", name, shown)
		}
		if !strings.Contains(err.Error(), "FATAL") { // Go quotes the malformed status line
			t.Errorf("%s: the logged cause %q lost the detail", name, err)
		}
	}
}
