package moderation

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/sentiment"
)

func keyword(terms ...string) []Condition {
	return []Condition{{Kind: CondKeywords, Terms: terms}}
}

func ruleNames(ds []Decision) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.RuleName)
	}
	return out
}

func TestOrderAndStop(t *testing.T) {
	t.Parallel()
	hide := []Action{{Kind: ActHide}}
	tag := func(s string) []Action { return []Action{{Kind: ActTag, Tag: s}} }
	rules := []Rule{
		// Given out of order: Order decides, then ID.
		{ID: 5, Name: "urgent", Enabled: true, Order: 2, Conditions: keyword("urgent"), Actions: []Action{{Kind: ActPriority, Priority: PriorityUrgent}}},
		{ID: 3, Name: "refund-tag", Enabled: true, Order: 1, Conditions: keyword("refund", "remboursement"), Actions: tag("refund")},
		{ID: 2, Name: "insults", Enabled: true, Order: 1, Conditions: keyword("connard", "idiot"), Actions: hide, Stop: true},
		{ID: 9, Name: "disabled", Enabled: false, Order: 0, Conditions: keyword("refund"), Actions: hide},
		{ID: 7, Name: "negative", Enabled: true, Order: 3, Conditions: []Condition{{Kind: CondSentimentBelow, Threshold: -0.5}}, Actions: []Action{{Kind: ActAssign, MemberID: 12}}},
	}
	e, err := Compile(rules)
	if err != nil {
		t.Fatal(err)
	}
	if e.Len() != 4 {
		t.Errorf("Len %d, want the 4 enabled rules", e.Len())
	}
	neg := func(text string) Input {
		return input(itemOpts{text: text, label: sentiment.Negative, score: -0.8})
	}
	for _, c := range []struct {
		name string
		in   Input
		want []string
		stop bool
	}{
		{"every matching rule, in order", neg("URGENT refund please"), []string{"refund-tag", "urgent", "negative"}, false},
		{"order before id", input(itemOpts{text: "urgent refund"}), []string{"refund-tag", "urgent"}, false},
		{"a stop rule ends the evaluation", neg("urgent refund, idiot"), []string{"insults"}, true},
		{"a stop rule that does not match stops nothing", neg("refund"), []string{"refund-tag", "negative"}, false},
		{"a disabled rule never runs", input(itemOpts{text: "bonjour"}), nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := e.Evaluate(c.in)
			if names := ruleNames(got); !slices.Equal(names, c.want) {
				t.Fatalf("rules %q, want %q", names, c.want)
			}
			if len(got) > 0 && got[len(got)-1].Stopped != c.stop {
				t.Errorf("last Stopped %v, want %v", got[len(got)-1].Stopped, c.stop)
			}
		})
	}
	// The id and name identify the rule in the audit trail.
	got := e.Evaluate(neg("idiot"))
	if got[0].RuleID != 2 || got[0].Actions[0].Action.Kind != ActHide {
		t.Errorf("decision %+v", got[0])
	}
}

// Agorapulse's behaviour (first match only) is a stop on every rule.
func TestFirstMatchOnly(t *testing.T) {
	t.Parallel()
	e, err := Compile([]Rule{
		{Name: "a", Enabled: true, Order: 1, Conditions: keyword("x"), Actions: []Action{{Kind: ActTag, Tag: "a"}}, Stop: true},
		{Name: "b", Enabled: true, Order: 2, Conditions: keyword("x"), Actions: []Action{{Kind: ActTag, Tag: "b"}}, Stop: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := ruleNames(e.Evaluate(input(itemOpts{text: "x"}))); !slices.Equal(got, []string{"a"}) {
		t.Errorf("got %q, want only a", got)
	}
}

func TestActionsKeepTheirOrderAndUndo(t *testing.T) {
	t.Parallel()
	actions := []Action{
		{Kind: ActHide}, {Kind: ActTag, Tag: "spam"}, {Kind: ActAssign, MemberID: 4}, {Kind: ActPriority, Priority: PriorityHigh},
		{Kind: ActDone}, {Kind: ActDelete}, {Kind: ActAutoReply, ReplyID: 8}, {Kind: ActEmail, Emails: []string{"crise@example.com"}},
		{Kind: ActWebhook, WebhookID: 3},
	}
	e, err := Compile([]Rule{{Name: "all", Enabled: true, Conditions: keyword("x"), Actions: actions}})
	if err != nil {
		t.Fatal(err)
	}
	got := e.Evaluate(input(itemOpts{text: "x"}))[0].Actions
	want := []Undo{
		{OK: true, Inverse: UndoUnhide},
		{OK: true, Inverse: UndoUntag},
		{OK: true, Inverse: UndoAssignee, Restores: true},
		{OK: true, Inverse: UndoPriority, Restores: true},
		{OK: true, Inverse: UndoStatus, Restores: true},
		{Reason: "A deleted item cannot be restored on the network."},
		{Reason: "A reply once published stays on the network: delete it from the thread if it must go."},
		{Reason: "An e-mail once sent cannot be recalled."},
		{Reason: "A webhook once delivered cannot be recalled."},
	}
	for i, p := range got {
		if !reflect.DeepEqual(p.Action, actions[i]) {
			t.Errorf("action %d: %+v, want %+v", i, p.Action, actions[i])
		}
		if p.Undo != want[i] {
			t.Errorf("%s undo %+v, want %+v", p.Action.Kind, p.Undo, want[i])
		}
	}
	// Every reason why an action cannot be undone reads in French.
	for _, k := range ActionKinds {
		u := UndoOf(k)
		if u.OK != (u.Reason == "") {
			t.Errorf("%s: OK %v with reason %q", k, u.OK, u.Reason)
		}
		if !u.OK && (!i18n.Has("fr", u.Reason) || UndoReason("fr", k) == u.Reason) {
			t.Errorf("%s: no French for %q", k, u.Reason)
		}
		if u.OK && UndoReason("fr", k) != "" {
			t.Errorf("%s is undoable but has a reason", k)
		}
	}
}

// A rule that hides on a network that cannot hide says so with the
// network's reason, and the inbox records a refusal instead of a call.
func TestNetworkRefusal(t *testing.T) {
	t.Parallel()
	e, err := Compile([]Rule{{Name: "hide", Enabled: true, Conditions: keyword("x"),
		Actions: []Action{{Kind: ActHide}, {Kind: ActDelete}, {Kind: ActTag, Tag: "t"}}}})
	if err != nil {
		t.Fatal(err)
	}
	caps := network.InboxCapabilities{Actions: map[network.Action]network.Support{
		network.ActHide:   network.Unsupported("Mastodon has no way to hide a reply from others."),
		network.ActDelete: network.Supported,
	}}
	in := input(itemOpts{text: "x"})
	in.Capabilities = &caps
	got := e.Evaluate(in)[0].Actions
	if got[0].Unsupported != "Mastodon has no way to hide a reply from others." || got[1].Unsupported != "" || got[2].Unsupported != "" {
		t.Errorf("unsupported %q %q %q", got[0].Unsupported, got[1].Unsupported, got[2].Unsupported)
	}
	// The engine's shared plan is not changed by one item's network.
	in.Capabilities = nil
	if again := e.Evaluate(in)[0].Actions; again[0].Unsupported != "" {
		t.Errorf("a refusal leaked into the next evaluation: %q", again[0].Unsupported)
	}
}

// Rules are stored as JSON; what is read back evaluates the same.
func TestRuleJSON(t *testing.T) {
	t.Parallel()
	r := Rule{ID: 4, Name: "Insultes", Enabled: true, Order: 2, Stop: true,
		Conditions: []Condition{{Kind: CondKeywords, Terms: []string{"idiot", "l'arnaque"}}, {Kind: CondLanguage, Not: true, Values: []string{"other"}}},
		AnyOf:      [][]Condition{{{Kind: CondSentimentBelow, Threshold: -0.4}, {Kind: CondAllCaps, MinLetters: 6}}},
		Actions:    []Action{{Kind: ActHide}, {Kind: ActPriority, Priority: PriorityHigh}, {Kind: ActEmail, Emails: []string{"a@example.com"}}}}
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Rule
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip\n got %+v\nwant %+v\njson %s", back, r, raw)
	}
	const stored = `{"name":"spam","enabled":true,"order":1,"conditions":[{"kind":"has_link"}],"actions":[{"kind":"tag","tag":"spam"}]}`
	var read Rule
	if err := json.Unmarshal([]byte(stored), &read); err != nil {
		t.Fatal(err)
	}
	e, err := Compile([]Rule{read})
	if err != nil {
		t.Fatal(err)
	}
	if d := e.Evaluate(input(itemOpts{text: "https://spam.example.com"})); len(d) != 1 || d[0].Actions[0].Action.Tag != "spam" {
		t.Errorf("stored rule decided %+v", d)
	}
}

// A deleted item gets no decision: nothing is left to hide or answer.
func TestDeletedItem(t *testing.T) {
	t.Parallel()
	e, err := Compile([]Rule{{Name: "r", Enabled: true, Conditions: keyword("x"), Actions: []Action{{Kind: ActHide}}}})
	if err != nil {
		t.Fatal(err)
	}
	in := input(itemOpts{text: "x"})
	if len(e.Evaluate(in)) != 1 {
		t.Fatal("the rule does not match the live item")
	}
	in.Item.Deleted = true
	if got := e.Evaluate(in); got != nil {
		t.Errorf("deleted item: %+v", got)
	}
}

// A rule's priority maps to the inbox's numbers, lowest first.
func TestPriorityIndex(t *testing.T) {
	t.Parallel()
	for want, p := range Priorities {
		if got := p.Index(); got != want {
			t.Errorf("%s: %d, want %d", p, got, want)
		}
	}
	if got := Priority("asap").Index(); got != -1 {
		t.Errorf("unknown priority: %d", got)
	}
}

// One engine serves every ingestion worker at once (run with -race).
func TestConcurrentEvaluate(t *testing.T) {
	t.Parallel()
	e, err := Compile(benchRules())
	if err != nil {
		t.Fatal(err)
	}
	items := benchItems()
	want := make([][]Decision, len(items))
	for i, in := range items {
		want[i] = e.Evaluate(in)
	}
	done := make(chan error)
	for w := 0; w < 4; w++ {
		go func() {
			for n := 0; n < 200; n++ {
				i := n % len(items)
				if got := e.Evaluate(items[i]); !reflect.DeepEqual(got, want[i]) {
					done <- fmt.Errorf("item %d: %+v, want %+v", i, got, want[i])
					return
				}
			}
			done <- nil
		}()
	}
	for w := 0; w < 4; w++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
