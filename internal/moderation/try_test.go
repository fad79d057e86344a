package moderation

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
)

func TestTry(t *testing.T) {
	t.Parallel()
	var past []Input
	texts := []string{"c'est de l'ARNAQUE", "merci beaucoup", "Arnaque totale, idiot", "super produit", "arnaque ?", "idiot"}
	for i, s := range texts {
		in := input(itemOpts{text: s})
		in.Item.ExternalID = fmt.Sprint("p", i)
		past = append(past, in)
	}
	stored := []Rule{
		{ID: 1, Name: "insults", Enabled: true, Order: 1, Conditions: keyword("idiot"), Actions: []Action{{Kind: ActDelete}}, Stop: true},
		{ID: 2, Name: "off", Enabled: false, Order: 0, Conditions: keyword("arnaque"), Actions: []Action{{Kind: ActHide}}, Stop: true},
	}
	candidate := Rule{Name: "scam", Order: 2, Conditions: keyword("arnaque"),
		Actions: []Action{{Kind: ActHide}, {Kind: ActTag, Tag: "scam"}}}

	got, err := Try(stored, candidate, past, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Items 0, 2 and 4 say arnaque; 2 also says idiot, which the earlier
	// stop rule takes. The disabled rule shadows nothing. Only the first
	// match is kept (limit 1), the counts cover all.
	want := TryResult{Items: 6, Matched: 2, Shadowed: 1, Actions: map[ActionKind]int{ActHide: 2, ActTag: 2},
		Matches: []TryMatch{{Index: 0, ExternalID: "p0", Actions: []Planned{
			{Action: Action{Kind: ActHide}, Undo: UndoOf(ActHide)}, {Action: Action{Kind: ActTag, Tag: "scam"}, Undo: UndoOf(ActTag)}}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Try\n got %+v\nwant %+v", got, want)
	}

	// Placed first, nothing shadows it.
	candidate.Order = 0
	if got, _ := Try(stored, candidate, past, 10); got.Matched != 3 || got.Shadowed != 0 || len(got.Matches) != 3 {
		t.Errorf("first rule: %+v", got)
	}

	// Trying a stored rule replaces it (its stored self does not shadow
	// it), and it is tried although disabled.
	edited := stored[0]
	edited.Enabled = false
	if got, _ := Try(stored, edited, past, 10); got.Matched != 2 || got.Actions[ActDelete] != 2 {
		t.Errorf("stored rule tried again: %+v", got)
	}

	// A network that refuses an action: the match is shown, the refused
	// action is not counted.
	caps := network.InboxCapabilities{Actions: map[network.Action]network.Support{network.ActHide: network.Unsupported("no")}}
	for i := range past {
		past[i].Capabilities = &caps
	}
	if got, _ := Try(nil, candidate, past, 10); got.Matched != 3 || got.Actions[ActHide] != 0 || got.Actions[ActTag] != 3 || got.Matches[0].Actions[0].Unsupported != "no" {
		t.Errorf("refused hide: %+v", got)
	}

	// An invalid rule is reported as by Validate.
	var pe *problem.Error
	if _, err := Try(nil, Rule{Name: "x"}, past, 10); !errors.As(err, &pe) || pe.Details[0].Location != "conditions" {
		t.Errorf("invalid candidate: %v", err)
	}
	// A broken stored rule is an error, not a panic.
	broken := okRule(func(r *Rule) { r.Conditions = []Condition{{Kind: CondRegex, Pattern: "("}} })
	if _, err := Try([]Rule{broken}, candidate, past, 10); !errors.As(err, &pe) || pe.Details[0].Location != "rules[0].conditions[0].pattern" {
		t.Errorf("broken stored rule: %v", err)
	}
}
