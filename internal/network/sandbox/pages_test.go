package sandbox

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
)

// The sandbox's public pages show, with each post, the media it carried and
// the alt text sent with each one (or that none was).
func TestPublicPagesShowMediaAndAlt(t *testing.T) {
	t.Parallel()
	_, u := start(t, Options{})
	ctx := context.Background()
	c := NewConnector(nil)
	acct, err := c.CreateAccount(ctx, u, "", "shop")
	if err != nil {
		t.Fatal(err)
	}
	upload := func(alt string) network.UploadedMedia {
		t.Helper()
		up, err := c.UploadMedia(ctx, acct, network.Media{Filename: "a.png", MIME: "image/png", Alt: alt,
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("png")), nil }})
		if err != nil {
			t.Fatal(err)
		}
		return up
	}
	ref, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: "k1", Text: "Lamps", Media: []network.UploadedMedia{upload("a brass lamp <lit>"), upload("")}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ref.URL, "/u/") { // no PublicURL in Options: a path

		t.Fatalf("the post's address %q is not a page of the sandbox", ref.URL)
	}
	for _, page := range []string{"/", ref.URL} {
		t.Run(page, func(t *testing.T) {
			resp, err := http.Get(u + page)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			body := string(raw)
			for _, want := range []string{"image/png, 3 bytes", "alt: <q>a brass lamp &lt;lit&gt;</q>", "no alt text"} {
				if !strings.Contains(body, want) {
					t.Errorf("page %s lacks %q: %.600s", page, want, body)
				}
			}
		})
	}
}
