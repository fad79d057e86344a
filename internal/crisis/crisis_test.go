package crisis_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

type fixture struct {
	env   *apptest.Env
	cr    *crisis.Service
	owner store.User
	ws    store.Workspace
	chs   []store.Channel
	ctx   context.Context
}

func setup(t *testing.T, pg bool, channels int) *fixture {
	t.Helper()
	env := apptest.Start(t, apptest.Options{Postgres: pg, Workers: true})
	owner, ws := env.Owner(t)
	f := &fixture{env: env, cr: env.App.Crisis, owner: owner, ws: ws, ctx: context.Background()}
	for i := range channels {
		ch, err := env.App.Channels.ConnectSandbox(f.ctx, owner, ws.ID, fmt.Sprintf("brand%d", i))
		if err != nil {
			t.Fatal(err)
		}
		f.chs = append(f.chs, ch)
	}
	return f
}

func forEachDialect(t *testing.T, fn func(t *testing.T, pg bool)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, false) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, true) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func kinds(evs []store.CrisisEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

func count(evs []store.CrisisEvent, kind crisis.Kind) int {
	n := 0
	for _, e := range evs {
		if e.Kind == string(kind) {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds or the deadline passes (a loaded
// machine runs jobs late, never wrongly).
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after %s for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestOpenFromAlertPausesNotifiesAndOpensOneIncident(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, pg, 0)
		cm := f.env.Member(t, f.owner, f.ws.ID, "cm@example.test", auth.CommunityMgr)
		must(t, f.cr.OpenFromAlert(f.ctx, f.ws.ID, 7, "Pic de mentions négatives"))
		must(t, f.cr.OpenFromAlert(f.ctx, f.ws.ID, 7, "Pic de mentions négatives")) // the same alert again
		must(t, f.cr.OpenFromAlert(f.ctx, f.ws.ID, 8, "Second alert"))

		list, err := f.cr.List(f.ctx, f.owner, f.ws.ID)
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("incidents = %d, want 1 (a second alert joins the open one)", len(list))
		}
		ws, err := f.env.Store.GetWorkspace(f.ctx, f.ws.ID)
		must(t, err)
		if ws.PausedAt == nil {
			t.Error("publishing not paused by the alert")
		}
		inc, err := f.cr.Current(f.ctx, f.owner, f.ws.ID)
		must(t, err)
		if got := count(inc.Events, crisis.KindAlert); got != 2 {
			t.Errorf("alert entries = %d, want 2 (alert 7 once, alert 8 once): %v", got, kinds(inc.Events))
		}
		if got := count(inc.Events, crisis.KindPause); got != 1 {
			t.Errorf("pause entries = %d, want 1: %v", got, kinds(inc.Events))
		}
		for _, u := range []store.User{f.owner, cm} {
			ns, err := f.env.App.Notifier.List(f.ctx, u)
			must(t, err)
			n := 0
			for _, x := range ns {
				if x.Kind == crisis.NotifyCrisis {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s got %d crisis notifications, want 1", u.Email, n)
			}
		}
		// Opening by hand while one is open joins it too.
		again, err := f.cr.Open(f.ctx, f.owner, f.ws.ID, crisis.OpenInput{Title: "By hand"})
		must(t, err)
		if again.ID != inc.ID {
			t.Errorf("opening by hand made incident %d, want the open one %d", again.ID, inc.ID)
		}
	})
}

func TestStatementGoesOutAloneThroughThePause(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, pg bool) {
		f := setup(t, pg, 2)
		inc, err := f.cr.Open(f.ctx, f.owner, f.ws.ID, crisis.OpenInput{Title: "Rappel produit"})
		must(t, err)
		// A post due now is held by the pause.
		regular, err := f.env.App.Posts.Save(f.ctx, f.owner, f.ws.ID, 0, posts.Input{Variants: []posts.VariantInput{
			{ChannelID: f.chs[0].ID, Text: "Promo du week-end"}, {ChannelID: f.chs[1].ID, Text: "Promo du week-end"}}}, posts.PublishNow)
		must(t, err)
		waitFor(t, "the regular post held", 30*time.Second, func() bool {
			vs, err := f.env.Store.ListVariantsByPost(f.ctx, regular.Post.ID)
			must(t, err)
			return !slices.ContainsFunc(vs, func(v store.PostVariant) bool { return publish.VariantState(v.State) != publish.VariantHeld })
		})

		sc, err := f.cr.SaveScenario(f.ctx, f.owner, f.ws.ID, 0, crisis.ScenarioInput{Name: "Rappel produit", Trigger: "Un lot défectueux",
			Checklist: []string{"Prévenir le juridique", "Geler les publicités"}})
		must(t, err)
		st, err := f.cr.SaveStatement(f.ctx, f.owner, f.ws.ID, sc.ID, 0, crisis.StatementInput{Title: "Attente",
			Texts: map[string]string{"": "Nous avons connaissance de la situation et revenons vers vous très vite."}})
		must(t, err)
		// Not approved yet: refused, nothing created.
		if _, err := f.cr.PublishStatement(f.ctx, f.owner, f.ws.ID, st.ID); !errors.Is(err, crisis.ErrNotApproved) {
			t.Fatalf("publishing an unapproved statement: %v, want ErrNotApproved", err)
		}
		_, err = f.cr.ApproveStatement(f.ctx, f.owner, f.ws.ID, st.ID)
		must(t, err)
		clicked := time.Now()
		pub, err := f.cr.PublishStatement(f.ctx, f.owner, f.ws.ID, st.ID)
		must(t, err)
		if pub.Channels != 2 || pub.Again {
			t.Errorf("publication %+v, want 2 channels, first time", pub)
		}
		again, err := f.cr.PublishStatement(f.ctx, f.owner, f.ws.ID, st.ID) // the second click
		must(t, err)
		if !again.Again || again.PostID != pub.PostID {
			t.Errorf("second click: %+v, want the first publication again (post %d)", again, pub.PostID)
		}
		waitFor(t, "the statement published on both channels", 30*time.Second, func() bool {
			vs, err := f.env.Store.ListVariantsByPost(f.ctx, pub.PostID)
			must(t, err)
			return len(vs) == 2 && !slices.ContainsFunc(vs, func(v store.PostVariant) bool { return publish.VariantState(v.State) != publish.VariantPublished })
		})
		t.Logf("statement published on 2 channels %s after the click (polled every 50 ms)", time.Since(clicked).Round(time.Millisecond))
		got := map[string]map[string]int{}
		for _, p := range f.env.Sandbox.Received() {
			if got[p.Text] == nil {
				got[p.Text] = map[string]int{}
			}
			got[p.Text][p.Account]++
		}
		want := "Nous avons connaissance de la situation et revenons vers vous très vite."
		if len(got) != 1 || len(got[want]) != 2 {
			t.Errorf("the sandbox received %v, want only the statement, once on each of 2 accounts", got)
		}
		for acct, n := range got[want] {
			if n != 1 {
				t.Errorf("statement received %d times on %s, want once", n, acct)
			}
		}
		vs, err := f.env.Store.ListVariantsByPost(f.ctx, regular.Post.ID)
		must(t, err)
		for _, v := range vs {
			if publish.VariantState(v.State) != publish.VariantHeld {
				t.Errorf("regular post's variant %d is %s, want still held", v.ID, v.State)
			}
		}
		var bad *problem.Error
		if err := f.cr.Check(f.ctx, f.owner, f.ws.ID, inc.ID, 0, true); !errors.As(err, &bad) || bad.Status != 422 {
			t.Errorf("ticking without a scenario: %v, want a 422", err)
		}
		must(t, f.cr.SetScenario(f.ctx, f.owner, f.ws.ID, inc.ID, sc.ID))
		must(t, f.cr.Check(f.ctx, f.owner, f.ws.ID, inc.ID, 1, true))
		must(t, f.cr.AddNote(f.ctx, f.owner, f.ws.ID, inc.ID, "Le juridique valide la déclaration."))
		must(t, f.cr.Close(f.ctx, f.owner, f.ws.ID, inc.ID, nil))

		done, err := f.cr.Get(f.ctx, f.owner, f.ws.ID, inc.ID)
		must(t, err)
		if done.Open() {
			t.Error("incident still open after Close")
		}
		got2 := kinds(done.Events)
		wantOrder := []crisis.Kind{crisis.KindOpened, crisis.KindPause, crisis.KindHeld, crisis.KindApproved, crisis.KindStatement, crisis.KindCheck, crisis.KindNote, crisis.KindResume, crisis.KindClosed}
		i := 0
		for _, k := range got2 {
			if i < len(wantOrder) && k == string(wantOrder[i]) {
				i++
			}
		}
		if i != len(wantOrder) {
			t.Errorf("timeline %v, want in order %v", got2, wantOrder)
		}
		if n := count(done.Events, crisis.KindHeld); n != 2 {
			t.Errorf("held entries = %d, want 2 (one per held variant)", n)
		}
		if n := count(done.Events, crisis.KindStatement); n != 1 {
			t.Errorf("statement entries = %d, want 1", n)
		}
		if !done.Checks[1].CheckedAt.After(time.Time{}) {
			t.Errorf("checklist item 1 not ticked: %+v", done.Checks)
		}
		ws, err := f.env.Store.GetWorkspace(f.ctx, f.ws.ID)
		must(t, err)
		if ws.PausedAt != nil {
			t.Error("publishing still paused after the incident closed")
		}
		if _, err := f.cr.PublishStatement(f.ctx, f.owner, f.ws.ID, st.ID); !errors.Is(err, crisis.ErrNoIncident) {
			t.Errorf("publishing with no open incident: %v, want ErrNoIncident", err)
		}
	})
}
