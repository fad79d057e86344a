// Package listentest builds a workspace's listening for the tests that walk
// every route as another tenant (internal/web/api and internal/web/ui): a
// topic with its query, a source, a topic with a mention of today, and an
// alert rule that has fired. The walks check afterwards that none of it
// moved, counting what Build made rather than literals, so a new listening
// fixture changes one place.
package listentest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/listen/analysis/analysistest"
	"github.com/tribune-social/tribune/internal/listen/signals/rolluptest"
	"github.com/tribune-social/tribune/internal/store"
)

// Names are the words a fixture is made of: a walk looks for them in what
// another tenant gets back.
type Names struct {
	Topic, Query, Source string // a topic, its one query, a Sandbox source
	// MentionTopic holds one mention of an hour ago by Author, saying
	// Mention, with the term Term (dashboard, mention list, CSV).
	MentionTopic, Mention, Author, Term string
	// AlertTopic's volume fires the volume rule AlertRule.
	AlertTopic, AlertRule string
}

// Fixture is what Build made in a workspace.
type Fixture struct {
	Names        Names
	WorkspaceID  int64
	Topic        listen.Topic
	Query        listen.Query
	Source       listen.Source
	MentionTopic int64
	Rule         alerts.Rule
	Alert        alerts.Alert
}

// Build makes the listening of Names in the workspace, as its owner.
func Build(t testing.TB, env *apptest.Env, owner store.User, wsID int64, n Names) Fixture {
	t.Helper()
	ctx := context.Background()
	f := Fixture{Names: n, WorkspaceID: wsID}
	var err error
	if f.Topic, err = env.App.Listen.CreateTopic(ctx, owner, wsID, listen.TopicInput{Name: n.Topic, Kind: listen.KindBrand}); err != nil {
		t.Fatal(err)
	}
	if f.Query, err = env.App.Listen.CreateQuery(ctx, owner, wsID, listen.QueryInput{TopicID: f.Topic.ID, Query: n.Query}); err != nil {
		t.Fatal(err)
	}
	if f.Source, err = env.App.Listen.CreateSource(ctx, owner, wsID, listen.SourceInput{Kind: "sandbox", Name: n.Source}); err != nil {
		t.Fatal(err)
	}
	if f.MentionTopic, err = analysistest.Topic(ctx, env.Store, wsID, n.MentionTopic, "brand"); err != nil {
		t.Fatal(err)
	}
	if _, err := analysistest.Add(ctx, env.Store, wsID, analysistest.Mention{Topics: []int64{f.MentionTopic}, Author: n.Author, Followers: 5,
		At: time.Now().Add(-time.Hour), Text: n.Mention, Terms: []string{n.Term}}); err != nil {
		t.Fatal(err)
	}
	f.Rule, f.Alert = FiredAlert(t, env, owner, wsID, n.AlertTopic, n.AlertRule)
	return f
}

// FiredAlert makes a volume rule named rule in the workspace and fires it
// once with the volume of a topic named topic.
func FiredAlert(t testing.TB, env *apptest.Env, owner store.User, wsID int64, topic, rule string) (alerts.Rule, alerts.Alert) {
	t.Helper()
	ctx := context.Background()
	db := rolluptest.Open(t, env.Store)
	tp := db.Topic(wsID, topic)
	r, err := env.App.Alerts.Create(ctx, owner, wsID, alerts.Input{Name: rule, Kind: alerts.KindVolume, MinCount: 5, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Volume(wsID, tp, time.Now(), 10, 0)
	if err := env.App.Alerts.EvaluateWorkspace(ctx, wsID); err != nil {
		t.Fatal(err)
	}
	list, err := env.App.Alerts.Alerts(ctx, owner, wsID)
	if err != nil || len(list) != 1 {
		t.Fatalf("alerts: %+v %v", list, err)
	}
	return r, list[0]
}

// Topics are the names of the topics Build made: all of the workspace's
// when it had none before.
func (f Fixture) Topics() []string {
	return []string{f.Names.Topic, f.Names.MentionTopic, f.Names.AlertTopic}
}

// Secrets are the words of the fixture another tenant must never see.
func (f Fixture) Secrets() []string {
	n := f.Names
	return []string{n.Topic, n.Query, n.Source, n.MentionTopic, n.Mention, n.Author, n.Term, n.AlertTopic, n.AlertRule}
}

// Unchanged reports (t.Errorf) whatever of the fixture moved: the
// workspace's topics are still exactly the fixture's, the first with its
// query, the source is enabled under its name, the rule enabled, the alert
// open.
func (f Fixture) Unchanged(t testing.TB, env *apptest.Env, owner store.User) {
	t.Helper()
	ctx := context.Background()
	ts, err := env.App.Listen.Topics(ctx, owner, f.WorkspaceID)
	if err != nil {
		t.Fatalf("workspace %d's listening topics: %v", f.WorkspaceID, err)
	}
	var names []string
	for _, tp := range ts {
		names = append(names, tp.Name)
		if tp.ID == f.Topic.ID && (tp.Name != f.Names.Topic || len(tp.Queries) != 1 || tp.Queries[0].Query != f.Names.Query) {
			t.Errorf("workspace %d's topic changed: %+v", f.WorkspaceID, tp)
		}
	}
	slices.Sort(names)
	want := f.Topics()
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("workspace %d's listening topics are %q, want %q", f.WorkspaceID, names, want)
	}
	if src, err := env.App.Listen.Source(ctx, owner, f.WorkspaceID, f.Source.ID); err != nil || !src.Enabled || src.Name != f.Names.Source {
		t.Errorf("workspace %d's source changed: %+v %v", f.WorkspaceID, src, err)
	}
	if r, err := env.App.Alerts.Rule(ctx, owner, f.WorkspaceID, f.Rule.ID); err != nil || r.Name != f.Names.AlertRule || !r.Enabled {
		t.Errorf("workspace %d's alert rule changed: %+v %v", f.WorkspaceID, r, err)
	}
	if a, err := env.App.Alerts.Get(ctx, owner, f.WorkspaceID, f.Alert.ID); err != nil || a.State != alerts.StateOpen {
		t.Errorf("workspace %d's alert changed: %+v %v", f.WorkspaceID, a, err)
	}
}
