package moderation_test

import (
	"fmt"

	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/sentiment"
)

// The inbox compiles a workspace's rules once (again when they change) and
// evaluates every item it stores, after the sentiment analysis; it then
// performs each planned action, audits it with its Undo, and records a
// refused one with the network's reason.
func Example() {
	engine, err := moderation.Compile([]moderation.Rule{
		{ID: 1, Name: "Insultes", Enabled: true, Order: 1, Stop: true,
			Conditions: []moderation.Condition{{Kind: moderation.CondKeywords, Terms: []string{"idiot", "escroc*"}}},
			Actions:    []moderation.Action{{Kind: moderation.ActHide}, {Kind: moderation.ActTag, Tag: "insulte"}}},
		{ID: 2, Name: "Clients mécontents", Enabled: true, Order: 2,
			Conditions: []moderation.Condition{{Kind: moderation.CondSentimentBelow, Threshold: -0.5}},
			Actions:    []moderation.Action{{Kind: moderation.ActPriority, Priority: moderation.PriorityHigh}}},
	})
	if err != nil {
		panic(err)
	}
	item := network.Item{ExternalID: "42", Kind: network.KindComment, Text: "Bande d’ESCROCS, remboursez-moi !"}
	caps := network.InboxCapabilities{Actions: map[network.Action]network.Support{
		network.ActHide: network.Unsupported("Mastodon has no way to hide a reply from others."),
	}}
	decisions := engine.Evaluate(moderation.Input{
		Item: item, Network: "mastodon", Capabilities: &caps,
		Sentiment: sentiment.Result{Label: sentiment.Negative, Score: -0.8, Lang: sentiment.French},
	})
	for _, d := range decisions {
		for _, p := range d.Actions {
			fmt.Printf("rule %d %q: %s undo=%v %s\n", d.RuleID, d.RuleName, p.Action.Kind, p.Undo.OK, p.Unsupported)
		}
	}
	// Output:
	// rule 1 "Insultes": hide undo=true Mastodon has no way to hide a reply from others.
	// rule 1 "Insultes": tag undo=true
}
