package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
)

// The reply box in French: the counter follows the network's rules, a reply
// posted shows "sending" then, refused by the network, "failed" with the
// network's own words; a network that cannot reply shows the button
// disabled with its reason; an analyst has no reply box.
func TestReplyBoxOnTheConversationPage(t *testing.T) {
	t.Parallel()
	f := newFrenchInbox(t, apptest.Start(t, apptest.Options{}))
	env, owner, ws, ctx := f.env, f.owner, f.ws, context.Background()
	analyst := env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst)
	// An item the Sandbox does not know: replying to it is refused there.
	it, conv, itemPath := f.only(t, fanComment("ghost", "Une question", time.Now()))

	b := newBrowser(t, env, owner.Email)
	body := readBody(b.do(http.MethodGet, conv, nil))
	send := fmt.Sprintf(`type="submit" data-testid="reply-send-%d">Envoyer la réponse<`, it.ID)
	if !strings.Contains(body, send) || !strings.Contains(body, fmt.Sprintf(`data-testid="reply-count-%d"`, it.ID)) {
		t.Fatalf("conversation lacks the reply box")
	}
	count := readBody(b.do(http.MethodPost, itemPath+"/reply/count", url.Values{"text": {"Bonjour"}}))
	if !strings.Contains(count, "7 / ") || strings.Contains(count, "over") {
		t.Errorf("counter: %s", count)
	}
	long := readBody(b.do(http.MethodPost, itemPath+"/reply/count", url.Values{"text": {strings.Repeat("a", 5000)}}))
	if !strings.Contains(long, "over") || !strings.Contains(long, "trop long pour ce réseau") {
		t.Errorf("counter over the limit: %s", long)
	}

	if resp := b.do(http.MethodPost, itemPath+"/reply", url.Values{"text": {"Voici la réponse"}}); resp.StatusCode != 303 {
		t.Fatalf("reply: %d %s", resp.StatusCode, readBody(resp))
	}
	replies, err := env.App.Inbox.Replies(ctx, owner, it.ConversationID)
	if err != nil || len(replies) != 1 {
		t.Fatal(replies, err)
	}
	rp := replies[0]
	body = readBody(b.do(http.MethodGet, conv, nil))
	if !strings.Contains(body, "Voici la réponse") || !strings.Contains(body, fmt.Sprintf(`data-testid="reply-state-%d">Envoi en cours…<`, rp.ID)) {
		t.Errorf("the queued reply does not show as sending")
	}
	// The job (run here by hand): the Sandbox refuses, in its own words.
	if err := env.App.Inbox.SendReply(ctx, rp.ID, false); err != nil {
		t.Fatal(err)
	}
	body = readBody(b.do(http.MethodGet, conv, nil))
	if !strings.Contains(body, fmt.Sprintf(`data-testid="reply-state-%d">Échec<`, rp.ID)) || !strings.Contains(body, "the post replied to does not exist") {
		t.Errorf("the refused reply does not show failed with the network's reason")
	}

	// A network that cannot reply: disabled, with the reason.
	env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": likeOnly()}
	body = readBody(b.do(http.MethodGet, conv, nil))
	if !strings.Contains(body, fmt.Sprintf(`type="button" disabled aria-describedby="why-reply-%d"`, it.ID)) ||
		!strings.Contains(body, fmt.Sprintf(`data-testid="why-reply-%d">Ce réseau ne permet pas cette action.<`, it.ID)) {
		t.Errorf("a network without replies does not show the button disabled with its reason")
	}
	if resp := b.do(http.MethodPost, itemPath+"/reply", url.Values{"text": {"encore"}}); resp.StatusCode != http.StatusSeeOther ||
		!strings.Contains(readBody(b.do(http.MethodGet, resp.Header.Get("Location"), nil)), fmt.Sprintf(`data-testid="reply-refused-%d"`, it.ID)) {
		t.Errorf("reply where the network refuses: %d, no refusal on the page it leads to", resp.StatusCode)
	}

	// An analyst reads the replies, without a reply box.
	body = readBody(newBrowser(t, env, analyst.Email).do(http.MethodGet, conv, nil))
	if !strings.Contains(body, "Voici la réponse") || strings.Contains(body, fmt.Sprintf(`data-testid="reply-send-%d"`, it.ID)) {
		t.Errorf("analyst: the reply is missing or the reply box is offered")
	}
}
