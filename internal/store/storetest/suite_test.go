package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

type noopArgs struct{}

func (noopArgs) Kind() string { return "storetest_noop" }

// fixture is a workspace with one user and two channels.
type fixture struct {
	org      store.Organization
	user     store.User
	ws       store.Workspace
	ch1, ch2 store.Channel
}

var t0 = time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)

func setup(t *testing.T, s store.Store) fixture {
	t.Helper()
	ctx := context.Background()
	var f fixture
	var err error
	if f.org, err = s.CreateOrganization(ctx, store.CreateOrganizationParams{Name: "Acme", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if f.user, err = s.CreateUser(ctx, store.CreateUserParams{OrganizationID: f.org.ID, Email: "a@example.test", Name: "Ana", PasswordHash: "x", OrgRole: "owner", Locale: "fr", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if f.ws, err = s.CreateWorkspace(ctx, store.CreateWorkspaceParams{OrganizationID: f.org.ID, Name: "Brand", Timezone: "Europe/Paris", DuplicateWindowHours: 24, IcalTokenHash: "tok-" + t.Name(), CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	for i, p := range []*store.Channel{&f.ch1, &f.ch2} {
		if *p, err = s.CreateChannel(ctx, store.CreateChannelParams{WorkspaceID: f.ws.ID, Network: "sandbox", Name: []string{"one", "two"}[i], Handle: "h", ExternalID: "e", BaseURL: "http://x", TokenCiphertext: []byte{1}, TokenKeyID: "k1", Status: string(channels.Active), CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func ptr[T any](v T) *T { return &v }

func TestSentinels(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		if _, err := s.GetUser(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUser(unknown) error = %v, want ErrNotFound", err)
		}
		_, err := s.CreateUser(ctx, store.CreateUserParams{OrganizationID: f.org.ID, Email: "a@example.test", Name: "Dup", PasswordHash: "x", OrgRole: "member", CreatedAt: t0})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreateUser(duplicate email) error = %v, want ErrConflict", err)
		}
	})
}

func TestTimesRoundTripInUTC(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		at := time.Date(2026, 10, 25, 1, 30, 0, 123_000_000, time.UTC)
		p, err := s.CreatePost(ctx, store.CreatePostParams{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Status: string(posts.Scheduled), ScheduledAt: &at, ScheduledLocal: "2026-10-25T02:30", Timezone: "Europe/Paris", Tags: "[]", CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetPost(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ScheduledAt == nil || !got.ScheduledAt.Equal(at) {
			t.Errorf("ScheduledAt = %v, want %v", got.ScheduledAt, at)
		}
	})
}

func TestCalendarRangeAndFilters(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		mk := func(day int, tags string, ch store.Channel, status posts.Status) store.Post {
			at := t0.Add(time.Duration(day) * 24 * time.Hour)
			p, err := s.CreatePost(ctx, store.CreatePostParams{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Status: string(status), ScheduledAt: &at, Tags: tags, CreatedAt: t0})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateVariant(ctx, store.CreateVariantParams{PostID: p.ID, ChannelID: ch.ID, Text: "hello", Thread: "[]", MediaIDs: "[]", State: string(publish.VariantPending), UpdatedAt: t0}); err != nil {
				t.Fatal(err)
			}
			return p
		}
		a := mk(0, `["launch"]`, f.ch1, posts.Scheduled)
		a2 := mk(0, `[]`, f.ch2, posts.Scheduled) // the same instant as a
		b := mk(1, `["promo","launch"]`, f.ch2, posts.Draft)
		mk(40, `[]`, f.ch1, posts.Scheduled) // outside the range

		base := store.ListPostsInRangeParams{WorkspaceID: f.ws.ID, RangeFrom: &t0, RangeTo: ptr(t0.Add(31 * 24 * time.Hour)), MaxRows: 100}
		ids := func(ps []store.Post) []int64 {
			var out []int64
			for _, p := range ps {
				out = append(out, p.ID)
			}
			return out
		}
		cases := []struct {
			name string
			edit func(*store.ListPostsInRangeParams)
			want []int64
		}{
			{"all in range", func(*store.ListPostsInRangeParams) {}, []int64{a.ID, a2.ID, b.ID}},
			{"first page", func(p *store.ListPostsInRangeParams) { p.MaxRows = 1 }, []int64{a.ID}},
			// The next page starts after the last one read, inside its instant.
			{"after a", func(p *store.ListPostsInRangeParams) { p.AfterID = a.ID }, []int64{a2.ID, b.ID}},
			{"after a2", func(p *store.ListPostsInRangeParams) { p.AfterID = a2.ID }, []int64{b.ID}},
			{"later instants ignore the cursor", func(p *store.ListPostsInRangeParams) {
				p.RangeFrom, p.AfterID = ptr(t0.Add(time.Hour)), b.ID+1
			}, []int64{b.ID}},
			{"by tag", func(p *store.ListPostsInRangeParams) { p.Tag = ptr("promo") }, []int64{b.ID}},
			{"by channel", func(p *store.ListPostsInRangeParams) { p.ChannelID = ptr(f.ch1.ID) }, []int64{a.ID}},
			{"by status", func(p *store.ListPostsInRangeParams) { p.Status = ptr(string(posts.Draft)) }, []int64{b.ID}},
			{"by author", func(p *store.ListPostsInRangeParams) { p.AuthorID = ptr(f.user.ID + 1) }, nil},
		}
		for _, c := range cases {
			p := base
			c.edit(&p)
			got, err := s.ListPostsInRange(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if g := ids(got); fmt.Sprint(g) != fmt.Sprint(c.want) {
				t.Errorf("%s: got posts %v, want %v", c.name, g, c.want)
			}
			// The views' light form answers the same, with what they show.
			heads, err := s.ListPostHeadsInRange(ctx, store.ListPostHeadsInRangeParams(p))
			if err != nil {
				t.Fatal(err)
			}
			if len(heads) != len(got) {
				t.Errorf("%s: %d heads for %d posts", c.name, len(heads), len(got))
				continue
			}
			for i, h := range heads {
				if h.ID != got[i].ID || h.Status != got[i].Status || !h.ScheduledAt.Equal(*got[i].ScheduledAt) {
					t.Errorf("%s: head %+v differs from post %d (%s at %v)", c.name, h, got[i].ID, got[i].Status, got[i].ScheduledAt)
				}
			}
		}
		vs, err := s.ListVariantsByPosts(ctx, []int64{a.ID, b.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 {
			t.Errorf("ListVariantsByPosts got %d variants, want 2", len(vs))
		}
	})
}

func TestPartInFlightIsTakenOnce(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		p, _ := s.CreatePost(ctx, store.CreatePostParams{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Status: string(posts.Scheduled), Tags: "[]", CreatedAt: t0})
		v, err := s.CreateVariant(ctx, store.CreateVariantParams{PostID: p.ID, ChannelID: f.ch1.ID, Text: "x", Thread: "[]", MediaIDs: "[]", State: string(publish.VariantQueued), UpdatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ { // creating parts twice is harmless
			if err := s.CreatePublishPart(ctx, store.CreatePublishPartParams{VariantID: v.ID, Seq: 0, Kind: string(publish.KindPost), Text: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		first, err := s.MarkPartInFlight(ctx, store.MarkPartInFlightParams{AttemptKey: "k1", InFlightAt: &t0, InFlightJob: 41, VariantID: v.ID, Seq: 0})
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.MarkPartInFlight(ctx, store.MarkPartInFlightParams{AttemptKey: "k2", InFlightAt: &t0, InFlightJob: 42, VariantID: v.ID, Seq: 0})
		if err != nil {
			t.Fatal(err)
		}
		if first != 1 || second != 0 {
			t.Errorf("MarkPartInFlight rows = %d then %d, want 1 then 0", first, second)
		}
		parts, _ := s.ListPublishParts(ctx, v.ID)
		if len(parts) != 1 || parts[0].AttemptKey != "k1" || publish.PartState(parts[0].State) != publish.PartInFlight || parts[0].InFlightJob != 41 {
			t.Errorf("parts = %+v, want one in_flight part with key k1, by job 41", parts)
		}
	})
}

// postOnBothChannels creates a post in status with a variant in state on
// each of the fixture's two channels.
func postOnBothChannels(t *testing.T, s store.Store, f fixture, status posts.Status, state publish.VariantState) (store.Post, []store.PostVariant) {
	t.Helper()
	ctx := context.Background()
	p, err := s.CreatePost(ctx, store.CreatePostParams{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Status: string(status), Tags: "[]", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	var vs []store.PostVariant
	for _, ch := range []store.Channel{f.ch1, f.ch2} {
		v, err := s.CreateVariant(ctx, store.CreateVariantParams{PostID: p.ID, ChannelID: ch.ID, Text: "x", Thread: "[]", MediaIDs: "[]", State: string(state), UpdatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return p, vs
}

// The publishing jobs' shared reads and the first message written already
// in flight, on both databases.
func TestPublishTargetsAndPartsOfSeveralVariants(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		p, vs := postOnBothChannels(t, s, f, posts.Scheduled, publish.VariantQueued)
		rows, err := s.GetPublishTargets(ctx, []int64{vs[1].ID, vs[0].ID, vs[1].ID + 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("GetPublishTargets gave %d rows, want the 2 that exist", len(rows))
		}
		for _, r := range rows {
			if r.Post.ID != p.ID || r.Workspace.ID != f.ws.ID || r.Channel.ID != r.PostVariant.ChannelID || r.Workspace.Timezone != "Europe/Paris" {
				t.Errorf("target %+v does not hold its post, workspace and channel", r)
			}
		}
		if rows, err := s.GetPublishTargets(ctx, nil); err != nil || len(rows) != 0 {
			t.Errorf("no ids: %d rows, %v", len(rows), err)
		}

		at := t0.Add(time.Minute + 123456*time.Microsecond)
		// Written in flight when new; left alone when it exists.
		inFlight := func(v store.PostVariant, key string) store.PartRow {
			return store.PartRow{VariantID: v.ID, Seq: 0, Kind: string(publish.KindPost), Text: "x", State: string(publish.PartInFlight), AttemptKey: key, InFlightAt: store.TimeOf(at),
				InFlightJob: 7}
		}
		// Each call returns the messages it wrote, not the ones that existed.
		written := func(rows []store.PartRow) string {
			t.Helper()
			got, err := s.CreatePublishParts(ctx, store.Rows(rows))
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, w := range got {
				out = append(out, fmt.Sprintf("%d/%d %s", w.VariantID-vs[0].ID, w.Seq, w.AttemptKey))
			}
			sort.Strings(out)
			return fmt.Sprint(out)
		}
		if got := written([]store.PartRow{inFlight(vs[0], "k1")}); got != "[0/0 k1]" {
			t.Errorf("first write returned %s", got)
		}
		if got := written([]store.PartRow{inFlight(vs[0], "k2"),
			{VariantID: vs[0].ID, Seq: 1, Kind: string(publish.KindComment), Text: "c", State: string(publish.PartPending)},
			{VariantID: vs[1].ID, Seq: 0, Kind: string(publish.KindPost), Text: "y", State: string(publish.PartPending)}}); got != "[0/1  1/0 ]" {
			t.Errorf("second write returned %s, want the two new messages only", got)
		}
		if got := written([]store.PartRow{inFlight(vs[1], "k3")}); got != "[]" {
			t.Errorf("third write returned %s, want nothing (the message exists)", got)
		}
		// Two runs racing in one statement: one message is written, and the
		// row returned holds the key that was stored.
		_, race := postOnBothChannels(t, s, f, posts.Scheduled, publish.VariantQueued)
		raced, err := s.CreatePublishParts(ctx, store.Rows([]store.PartRow{inFlight(race[0], "r1"), inFlight(race[0], "r2")}))
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := s.ListPublishParts(ctx, race[0].ID)
		if len(raced) != 1 || len(stored) != 1 || raced[0].AttemptKey != stored[0].AttemptKey {
			t.Errorf("racing rows: returned %+v, stored %+v; want one, the same", raced, stored)
		}
		parts, err := s.ListPublishPartsOf(ctx, []int64{vs[1].ID, vs[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, pt := range parts {
			got = append(got, fmt.Sprintf("%d/%d %s %s %v %d", pt.VariantID-vs[0].ID, pt.Seq, pt.State, pt.AttemptKey, pt.InFlightAt != nil, pt.InFlightJob))
		}
		want := "[0/0 in_flight k1 true 7 0/1 pending  false 0 1/0 pending  false 0]"
		if fmt.Sprint(got) != want {
			t.Errorf("ListPublishPartsOf = %v, want %s (by variant, then seq)", got, want)
		}
		if parts[0].InFlightAt == nil || !parts[0].InFlightAt.Equal(at) {
			t.Errorf("in-flight time %v, want %v", parts[0].InFlightAt, at)
		}
	})
}

// The batched writes of the publishing jobs that commit together, on both
// databases: texts that need escaping arrive as they were, times to the
// microsecond, a message that does not exist is skipped, and the variants
// take their first message's network id.
func TestBatchedPublishWrites(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		p, vs := postOnBothChannels(t, s, f, posts.Publishing, publish.VariantPublishing)
		odd := "l'été \"cité\" \\ ?1 $1 -- ; 😀\n\u2028 <b>"
		if _, err := s.CreatePublishParts(ctx, store.Rows([]store.PartRow{
			{VariantID: vs[0].ID, Seq: 0, Kind: string(publish.KindPost), Text: odd, State: string(publish.PartPending)},
			{VariantID: vs[0].ID, Seq: 1, Kind: string(publish.KindThread), Text: "2", State: string(publish.PartPending)},
			{VariantID: vs[1].ID, Seq: 0, Kind: string(publish.KindPost), Text: "y", State: string(publish.PartPending)}})); err != nil {
			t.Fatal(err)
		}
		at := t0.Add(90*time.Second + 654321*time.Microsecond)
		err := s.InTx(ctx, func(tx store.Tx) error {
			if err := tx.MarkPartsDone(ctx, store.Rows([]store.PartDoneRow{
				{VariantID: vs[0].ID, Seq: 0, ExternalID: "A0", ExternalCID: "cid", ExternalURL: "https://n.example/A0", DoneAt: store.RowTime(at)},
				{VariantID: vs[1].ID, Seq: 0, ExternalID: "B0", ExternalURL: "https://n.example/B0", DoneAt: store.RowTime(at)},
				{VariantID: vs[1].ID + 1000, Seq: 0, ExternalID: "nobody", DoneAt: store.RowTime(at)}})); err != nil {
				return err
			}
			if err := tx.AddPublishLogs(ctx, store.Rows([]store.LogRow{
				{VariantID: vs[0].ID, Network: "sandbox", At: store.RowTime(at), Step: string(publish.KindPost), Request: odd, Response: "created A0", Outcome: string(publish.OutcomeOK), Node: "n1"},
				{VariantID: vs[0].ID, Network: "sandbox", At: store.RowTime(at), Step: "check_live", Request: "A0", Response: "visible", Outcome: string(publish.OutcomeOK), HTTPStatus: 200},
				{VariantID: vs[1].ID, Network: "sandbox", At: store.RowTime(at), Step: string(publish.KindPost), Outcome: string(publish.OutcomeOK)}})); err != nil {
				return err
			}
			return tx.MarkVariantsPublished(ctx, store.MarkVariantsPublishedParams{PublishedAt: &at, Ids: []int64{vs[0].ID, vs[1].ID, vs[1].ID}})
		})
		if err != nil {
			t.Fatal(err)
		}
		parts, err := s.ListPublishPartsOf(ctx, []int64{vs[0].ID, vs[1].ID})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, pt := range parts {
			got = append(got, fmt.Sprintf("%d/%d %s %s %s %s", pt.VariantID-vs[0].ID, pt.Seq, pt.State, pt.ExternalID, pt.ExternalCID, pt.ExternalURL))
		}
		if want := "[0/0 done A0 cid https://n.example/A0 0/1 pending    1/0 done B0  https://n.example/B0]"; fmt.Sprint(got) != want {
			t.Errorf("parts %v, want %s", got, want)
		}
		if parts[0].Text != odd || parts[0].DoneAt == nil || !parts[0].DoneAt.Equal(at) || parts[1].DoneAt != nil {
			t.Errorf("first part text %q done at %v (want %q at %v); second done at %v", parts[0].Text, parts[0].DoneAt, odd, at, parts[1].DoneAt)
		}
		logs, err := s.ListPublishLog(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(logs) != 3 || logs[0].Request != odd || logs[0].Node != "n1" || logs[1].Step != "check_live" || logs[1].HTTPStatus != 200 || !logs[2].At.Equal(at) {
			t.Errorf("publish log %+v", logs)
		}
		for i, v := range vs {
			got, err := s.GetVariant(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			id := []string{"A0", "B0"}[i]
			if publish.VariantState(got.State) != publish.VariantPublished || got.ExternalID != id || got.ExternalURL != "https://n.example/"+id || got.PublishedAt == nil || !got.PublishedAt.Equal(at) {
				t.Errorf("variant %d: %s %q %q %v, want published as %s at %v", i, got.State, got.ExternalID, got.ExternalURL, got.PublishedAt, id, at)
			}
		}
	})
}

func TestTransactionRollsBackJobsWithData(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		if err := s.SetupJobs(&river.Config{}); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx store.Tx) error {
			if _, err := tx.CreatePost(ctx, store.CreatePostParams{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Status: string(posts.Draft), Tags: "[]", CreatedAt: t0}); err != nil {
				return err
			}
			if _, err := tx.InsertJob(ctx, noopArgs{}, nil); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx error = %v, want boom", err)
		}
		posts, _ := s.ListUnscheduledPosts(ctx, store.ListUnscheduledPostsParams{WorkspaceID: f.ws.ID, MaxRows: 10})
		counts, _ := s.JobCounts(ctx)
		if len(posts) != 0 || len(counts) != 0 {
			t.Errorf("after rollback: %d posts, job counts %v; want none", len(posts), counts)
		}
		err = s.InTx(ctx, func(tx store.Tx) error {
			_, err := tx.InsertJob(ctx, noopArgs{}, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		counts, _ = s.JobCounts(ctx)
		if len(counts) != 1 || counts[0].Count != 1 {
			t.Errorf("after commit: job counts %v, want one job", counts)
		}
	})
}

func TestDuplicateVariantWithinWindow(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		at := t0.Add(time.Hour)
		p, _ := s.CreatePost(ctx, store.CreatePostParams{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Status: string(posts.Scheduled), ScheduledAt: &at, Tags: "[]", CreatedAt: t0})
		if _, err := s.CreateVariant(ctx, store.CreateVariantParams{PostID: p.ID, ChannelID: f.ch1.ID, Text: "Hello", Thread: "[]", MediaIDs: "[]", State: string(publish.VariantQueued), ContentHash: "h1", UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		find := func(ch int64, from, to time.Time) (int64, error) {
			return s.FindDuplicateVariant(ctx, store.FindDuplicateVariantParams{ChannelID: ch, ContentHash: "h1", PostID: p.ID + 1, WindowFrom: &from, WindowTo: &to})
		}
		if got, err := find(f.ch1.ID, t0, t0.Add(2*time.Hour)); err != nil || got != p.ID {
			t.Errorf("same channel in window: got %d, %v; want %d", got, err, p.ID)
		}
		if _, err := find(f.ch2.ID, t0, t0.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other channel: error %v, want ErrNotFound", err)
		}
		if _, err := find(f.ch1.ID, t0.Add(3*time.Hour), t0.Add(5*time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("outside window: error %v, want ErrNotFound", err)
		}
	})
}

func TestMembershipsAndWorkspaces(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		for _, role := range []string{"contributor", "admin"} { // upsert changes the role
			if err := s.UpsertMembership(ctx, store.UpsertMembershipParams{WorkspaceID: f.ws.ID, UserID: f.user.ID, Role: role, CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		m, err := s.GetMembership(ctx, store.GetMembershipParams{WorkspaceID: f.ws.ID, UserID: f.user.ID})
		if err != nil || m.Role != "admin" {
			t.Errorf("membership = %+v, %v; want role admin", m, err)
		}
		ws, err := s.ListMemberWorkspaces(ctx, f.user.ID)
		if err != nil || len(ws) != 1 || ws[0].Role != "admin" {
			t.Errorf("ListMemberWorkspaces = %+v, %v", ws, err)
		}
	})
}

// A pipelined transaction (PostgreSQL sends its plain writes in batches) is
// still one transaction: reads see the writes queued before them, a refused
// write rolls back every write around it, and River inserts commit with it.
func TestPipelinedTransactions(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		if err := s.SetupJobs(&river.Config{}); err != nil {
			t.Fatal(err)
		}
		p, err := s.CreatePost(ctx, store.CreatePostParams{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Status: string(posts.Scheduled), Tags: "[]", CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.CreateVariant(ctx, store.CreateVariantParams{PostID: p.ID, ChannelID: f.ch1.ID, Text: "x", Thread: "[]", MediaIDs: "[]", State: string(publish.VariantQueued), UpdatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		parts := func() []store.PublishPart {
			ps, err := s.ListPublishParts(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ps
		}
		for _, o := range []store.TxOptions{{Pipelined: true}, {Pipelined: true, Relaxed: true}, {Relaxed: true}} {
			// Writes only, then a refused one (no such variant): nothing stays.
			err := s.InTxWith(ctx, o, func(tx store.Tx) error {
				if err := tx.SetVariantState(ctx, store.SetVariantStateParams{State: string(publish.VariantPublishing), UpdatedAt: t0, ID: v.ID}); err != nil {
					return err
				}
				if err := tx.CreatePublishPart(ctx, store.CreatePublishPartParams{VariantID: v.ID, Seq: 0, Kind: string(publish.KindPost), Text: "x"}); err != nil {
					return err
				}
				return tx.CreatePublishPart(ctx, store.CreatePublishPartParams{VariantID: v.ID + 1000, Seq: 0, Kind: string(publish.KindPost), Text: "x"})
			})
			if err == nil {
				t.Fatalf("%+v: a write refused by a foreign key committed", o)
			}
			if got, _ := s.GetVariant(ctx, v.ID); publish.VariantState(got.State) != publish.VariantQueued || len(parts()) != 0 {
				t.Fatalf("%+v: after a refused write: variant %s, %d parts; want queued, none", o, got.State, len(parts()))
			}
			// fn's own error rolls back the queued writes.
			boom := errors.New("boom")
			if err := s.InTxWith(ctx, o, func(tx store.Tx) error {
				if err := tx.CreatePublishPart(ctx, store.CreatePublishPartParams{VariantID: v.ID, Seq: 0, Kind: string(publish.KindPost), Text: "x"}); err != nil {
					return err
				}
				return boom
			}); !errors.Is(err, boom) || len(parts()) != 0 {
				t.Fatalf("%+v: error %v and %d parts after fn failed; want boom, none", o, err, len(parts()))
			}
		}
		// Writes, a read that sees them, a counted write, a job: all commit.
		var n int64
		err = s.InTxWith(ctx, store.TxOptions{Pipelined: true}, func(tx store.Tx) error {
			if err := tx.CreatePublishPart(ctx, store.CreatePublishPartParams{VariantID: v.ID, Seq: 0, Kind: string(publish.KindPost), Text: "a"}); err != nil {
				return err
			}
			if err := tx.CreatePublishPart(ctx, store.CreatePublishPartParams{VariantID: v.ID, Seq: 1, Kind: string(publish.KindThread), Text: "b"}); err != nil {
				return err
			}
			ps, err := tx.ListPublishParts(ctx, v.ID)
			if err != nil {
				return err
			}
			if len(ps) != 2 {
				return fmt.Errorf("the read inside the transaction saw %d parts, want 2", len(ps))
			}
			if n, err = tx.MarkPartInFlight(ctx, store.MarkPartInFlightParams{AttemptKey: "k", InFlightAt: &t0, VariantID: v.ID, Seq: 0}); err != nil {
				return err
			}
			if err := tx.SetVariantState(ctx, store.SetVariantStateParams{State: string(publish.VariantPublishing), UpdatedAt: t0, ID: v.ID}); err != nil {
				return err
			}
			if _, err := tx.InsertJob(ctx, noopArgs{}, nil); err != nil {
				return err
			}
			return tx.MarkPostsPublishing(ctx, store.MarkPostsPublishingParams{UpdatedAt: t0, Ids: []int64{p.ID}})
		})
		if err != nil {
			t.Fatal(err)
		}
		ps := parts()
		got, _ := s.GetVariant(ctx, v.ID)
		post, _ := s.GetPost(ctx, p.ID)
		counts, _ := s.JobCounts(ctx)
		if n != 1 || len(ps) != 2 || publish.PartState(ps[0].State) != publish.PartInFlight || publish.VariantState(got.State) != publish.VariantPublishing || posts.Status(post.Status) != posts.Publishing || len(counts) != 1 {
			t.Errorf("after commit: marked %d, parts %+v, variant %s, post %s, jobs %v", n, ps, got.State, post.Status, counts)
		}
		targets, err := s.GetPublishTargets(ctx, []int64{v.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(targets) != 1 || targets[0].PostVariant.ID != v.ID || targets[0].Post.ID != p.ID || targets[0].Workspace.ID != f.ws.ID || targets[0].Channel.ID != f.ch1.ID {
			t.Errorf("GetPublishTargets = %+v", targets)
		}
	})
}

// A Mastodon channel keeps how its server counts and its default
// visibility, and a variant its own visibility, on both databases.
func TestChannelCountingAndVisibility(t *testing.T) {
	t.Parallel()
	ForEachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		ch, err := s.CreateChannel(ctx, store.CreateChannelParams{WorkspaceID: f.ws.ID, Network: "mastodon", Name: "gts", Handle: "@a@social.example", ExternalID: "1",
			BaseURL: "https://gts.example", TokenCiphertext: []byte{1}, TokenKeyID: "k1", MaxChars: 500, URLLength: 25, TextCounting: "characters",
			DefaultVisibility: "public", Status: string(channels.Active), CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateChannelVisibility(ctx, store.UpdateChannelVisibilityParams{DefaultVisibility: "private", ID: ch.ID}); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetChannel(ctx, ch.ID)
		if err != nil || got.TextCounting != "characters" || got.DefaultVisibility != "private" {
			t.Fatalf("channel %+v %v: want characters and private", got, err)
		}
		if f.ch1.TextCounting != "" || f.ch1.DefaultVisibility != "" {
			t.Errorf("a sandbox channel got %q %q", f.ch1.TextCounting, f.ch1.DefaultVisibility)
		}
		p, err := s.CreatePost(ctx, store.CreatePostParams{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Status: string(posts.Draft), Tags: "[]", CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.CreateVariant(ctx, store.CreateVariantParams{PostID: p.ID, ChannelID: ch.ID, Text: "x", Thread: "[]", MediaIDs: "[]", Visibility: "direct", State: string(publish.VariantPending), UpdatedAt: t0})
		if err != nil || v.Visibility != "direct" {
			t.Fatalf("variant %+v %v", v, err)
		}
		if err := s.UpdateVariantContent(ctx, store.UpdateVariantContentParams{Text: "y", Thread: "[]", MediaIDs: "[]", Visibility: "unlisted", UpdatedAt: t0, ID: v.ID}); err != nil {
			t.Fatal(err)
		}
		if v, err = s.GetVariant(ctx, v.ID); err != nil || v.Visibility != "unlisted" {
			t.Errorf("variant %+v %v: want unlisted", v, err)
		}
	})
}
