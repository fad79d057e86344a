package calendar_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/bulk"
	"github.com/tribune-social/tribune/internal/calendar"
)

// A row names its channel by name, by handle (with or without the @) or by
// id; a name that matches none is that row's error.
func TestImportChannelsByNameHandleOrID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.Start(t, apptest.Options{})
	owner, ws := e.Owner(t)
	ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "bakery")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Handle == "" {
		t.Fatal("the sandbox channel has no handle")
	}
	handle := strings.TrimPrefix(ch.Handle, "@")
	day := time.Now().AddDate(0, 0, 4).Format("2006-01-02")
	file := "scheduled_at,channel,text\n" +
		day + " 09:00," + ch.Name + ",by name\n" +
		day + " 10:00,@" + handle + ",by handle with the at sign\n" +
		day + " 11:00," + strings.ToUpper(handle) + ",by handle in capitals\n" +
		day + " 12:00," + fmt.Sprint(ch.ID) + ",by id\n" +
		day + " 13:00,nobody,unknown\n"
	rep, err := e.App.Importer.Import(ctx, owner, ws.ID, strings.NewReader(file), calendar.ImportOptions{ImportValid: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != bulk.Tribune || rep.Imported != 4 || len(rep.Errors) != 1 || rep.Errors[0].Line != 6 || rep.Errors[0].Code != "unknown_channel" {
		t.Fatalf("report %+v: want 4 imported and line 6 an unknown channel", rep)
	}
	if len(rep.Created) != 4 || rep.Created[3].Line != 5 || rep.Created[3].PostID != rep.PostIDs[3] {
		t.Errorf("created %+v: want each line with its post", rep.Created)
	}
}

// pngBytes is a small valid PNG.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mediaServer serves a PNG at /photo.png, a web page at /page.html and a
// 404 elsewhere, and counts the requests for the PNG.
func mediaServer(t *testing.T) (*httptest.Server, *int) {
	t.Helper()
	img, hits := pngBytes(t), new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/photo.png":
			*hits++
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(img)
		case "/page.html":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>not an image</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

// Media by URL are downloaded through the outgoing client into the media
// library and attached to the row's post; a URL used by two rows is
// downloaded once; a URL that fails is that row's error, and the other
// rows are imported.
func TestImportFetchesMediaByURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.Start(t, apptest.Options{}) // -allow-private-networks: the server is on 127.0.0.1
	owner, ws := e.Owner(t)
	ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "shop")
	if err != nil {
		t.Fatal(err)
	}
	srv, hits := mediaServer(t)
	day := time.Now().AddDate(0, 0, 5).Format("2006-01-02")
	file := "post_content,post_link,image_url,video_url,publishing_date\n" +
		"New window display,," + srv.URL + "/photo.png,," + day + " 09:00\n" +
		"Same photo again later,," + srv.URL + "/photo.png,," + day + " 15:00\n" +
		"A missing file,," + srv.URL + "/gone.png,," + day + " 16:00\n" +
		"A web page,," + srv.URL + "/page.html,," + day + " 17:00\n"
	rep, err := e.App.Importer.Import(ctx, owner, ws.ID, strings.NewReader(file), calendar.ImportOptions{ChannelIDs: []int64{ch.ID}, ImportValid: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != bulk.Agorapulse || rep.Imported != 2 {
		t.Fatalf("report %+v: want the Agorapulse layout and 2 imported", rep)
	}
	codes := map[int]string{}
	for _, e := range rep.Errors {
		codes[e.Line] = e.Code
	}
	if codes[4] != "media_fetch_failed" || codes[5] != "media_type" || len(codes) != 2 {
		t.Errorf("errors %+v: want line 4 media_fetch_failed, line 5 media_type", rep.Errors)
	}
	// The reason is part of the translated message: a French report has
	// no English in it (the server's "404 Not Found" once was).
	for _, e := range rep.Errors {
		if e.Line != 4 {
			continue
		}
		if got, want := e.Localized("fr"), "Le média à cette adresse n’a pas pu être téléchargé : le serveur a répondu par l’erreur 404."; got != want {
			t.Errorf("line 4 in French: %q, want %q", got, want)
		}
	}
	if *hits != 1 {
		t.Errorf("the photo was downloaded %d times, want once", *hits)
	}
	lib, err := e.App.Media.List(ctx, owner, ws.ID)
	if err != nil || len(lib) != 1 || lib[0].MIME != "image/png" {
		t.Fatalf("library %+v (%v): want the one PNG", lib, err)
	}
	for _, id := range rep.PostIDs {
		v, _, _, err := e.App.Posts.Get(ctx, owner, id)
		if err != nil || len(v.Variants) != 1 || fmt.Sprint(v.Variants[0].MediaIDs) != fmt.Sprint([]int64{lib[0].ID}) {
			t.Errorf("post %d: %+v (%v), want the photo attached", id, v.Variants, err)
		}
	}
}

// Without -allow-private-networks a media URL on a private address is
// refused before any connection, as that row's error.
func TestImportRefusesPrivateMediaURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.Start(t, apptest.Options{RefusePrivateNetworks: true})
	owner, ws := e.Owner(t)
	ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "shop")
	if err != nil {
		t.Fatal(err)
	}
	srv, hits := mediaServer(t)
	day := time.Now().AddDate(0, 0, 5).Format("2006-01-02")
	file := "text,link,imageUrls,postAtSpecificTime\n" +
		"Inside job,," + srv.URL + "/photo.png," + day + " 09:00:00\n" +
		"Plain text,,," + day + " 10:00:00\n"
	rep, err := e.App.Importer.Import(ctx, owner, ws.ID, strings.NewReader(file), calendar.ImportOptions{ChannelIDs: []int64{ch.ID}, ImportValid: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != bulk.SocialBee || rep.Imported != 1 || len(rep.Errors) != 1 || rep.Errors[0].Code != "media_url_refused" || rep.Errors[0].Line != 2 {
		t.Fatalf("report %+v: want line 2 refused and line 3 imported", rep)
	}
	if *hits != 0 {
		t.Errorf("the private server was reached %d times", *hits)
	}
}

// No 350-row cap: a file of 5,000 rows imports. The time it takes is
// logged, not asserted.
func TestImportFiveThousandRows(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 rows")
	}
	t.Parallel()
	ctx := context.Background()
	e := apptest.Start(t, apptest.Options{})
	owner, ws := e.Owner(t)
	ch, err := e.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "big")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().AddDate(0, 0, 2).Truncate(24 * time.Hour)
	var b strings.Builder
	b.WriteString("Text,Scheduled At,Profile\n")
	for i := range bulk.MaxRows {
		fmt.Fprintf(&b, "Post number %d of the big migration,%s,%d\n", i, start.Add(time.Duration(i)*10*time.Minute).Format("2006-01-02 15:04"), ch.ID)
	}
	began := time.Now()
	rep, err := e.App.Importer.Import(ctx, owner, ws.ID, strings.NewReader(b.String()), calendar.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("5,000 rows imported in %s", time.Since(began).Round(time.Millisecond))
	if rep.Format != bulk.Buffer || rep.Rows != 5000 || rep.Imported != 5000 || len(rep.Errors) != 0 {
		t.Fatalf("report: %d rows, %d imported, errors %+v", rep.Rows, rep.Imported, rep.Errors[:min(len(rep.Errors), 3)])
	}
}
