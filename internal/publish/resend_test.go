package publish_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/network/httpx/httpxtest"
	"github.com/tribune-social/tribune/internal/network/mastodon/mastodonfake"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
)

// A server like GoToSocial (which ignores Idempotency-Key) creates each
// status of a thread with a first comment, then closes the kept-alive
// connection before answering. Only Tribune decides what happens next: it
// asks the instance, finds the status, and goes on. Each message is created
// once; Go's transport, left alone, would have sent each lost one again.
func TestALostAnswerIsRecoveredNotResent(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.Options{}, 0)
	fake := mastodonfake.New(t)
	fake.IgnoreIdempotency = true
	// Every status's answer is lost once (the count is read when a request
	// comes, after Front returned).
	var lose *httpxtest.LoseAnswers
	srv, lose := httpxtest.Front(t, fake.URL(), func(r *http.Request) bool {
		return lose.Lost() < 3 && r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses"
	})
	ctx := context.Background()
	authURL, err := f.env.App.Channels.StartMastodon(ctx, f.owner, f.ws.ID, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasSuffix(back.Path, "/oauth/mastodon/callback") {
		t.Fatalf("the instance sent the browser to %q", resp.Header.Get("Location"))
	}
	ch, err := f.env.App.Channels.FinishMastodon(ctx, f.owner, back.Query().Get("state"), back.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	view := f.publishNow(t, posts.VariantInput{ChannelID: ch.ID, Text: "Toot one", Thread: []string{"Toot two"}, FirstComment: "Toot comment"})
	vs := f.waitVariants(t, view.Post.ID, 30*time.Second)
	if publish.VariantState(vs[0].State) != publish.VariantPublished {
		t.Fatalf("variant %+v, want published", vs[0])
	}
	if lose.Lost() == 0 {
		t.Fatal("no answer was lost: the scenario did not happen")
	}
	got := fake.Statuses()
	if len(got) != 3 || got[0].Text != "Toot one" || got[1].InReplyToID != got[0].ID || got[2].InReplyToID != got[1].ID || got[2].Text != "Toot comment" {
		t.Errorf("statuses %+v: want the thread then the first comment, each once, each replying to the previous (%d answers lost)", got, lose.Lost())
	}
}
