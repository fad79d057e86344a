package api

import (
	"encoding/base64"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
)

// The API carries what differs per item kind and what the account misses,
// each reason in English and French, as the UI shows them.
func TestCapabilitiesCarryKindActionsAndNotices(t *testing.T) {
	t.Parallel()
	enc := base64.RawURLEncoding.EncodeToString
	// A session opened with an app password without access to direct messages.
	plain := network.Account{ExternalID: "did:plc:x", Token: network.Token{AccessToken: enc([]byte(`{}`)) + "." + enc([]byte(`{"scope":"com.atproto.appPass"}`)) + ".sig"}}
	out := toCapabilities(bluesky.New(nil).InboxCapabilities(plain), true)
	like := out.KindActions["message"]["like"]
	if like.OK || like.Reason == "" || like.ReasonFR == "" || like.ReasonFR == like.Reason {
		t.Errorf("like on a message: %+v, want refused in English and French", like)
	}
	if !out.Actions["like"].OK || out.Kinds["message"].OK || out.KindActions["message"]["reply"].OK {
		t.Errorf("actions %+v, kinds %+v, kind actions %+v", out.Actions, out.Kinds, out.KindActions)
	}
	if len(out.Notices) != 1 || out.Notices[0].Text != bluesky.NoChatAccess || out.Notices[0].TextFR == "" || out.Notices[0].TextFR == bluesky.NoChatAccess {
		t.Errorf("notices %+v, want the app password's in English and French", out.Notices)
	}
}
