package moderation

// TryResult is what a rule would have done over past items.
type TryResult struct {
	// Items is how many items were tried.
	Items int `json:"items"`
	// Matched is how many the rule would have acted on.
	Matched int `json:"matched"`
	// Shadowed is how many it matches but would not have reached, because
	// an earlier rule that says "stop here" matched them first.
	Shadowed int `json:"shadowed"`
	// Actions counts, per action kind, how many times it would have run.
	Actions map[ActionKind]int `json:"actions"`
	// Matches are the first matched items (at most the limit asked for),
	// in the order given.
	Matches []TryMatch `json:"matches"`
}

// TryMatch is one item the rule would have acted on.
type TryMatch struct {
	// Index is the item's place in the slice tried.
	Index      int       `json:"index"`
	ExternalID string    `json:"external_id"`
	Actions    []Planned `json:"actions"`
}

// Try runs candidate over past items as if it were switched on among the
// workspace's rules (it takes its place by Order; a stored rule with the
// same ID is replaced) and reports what it would have done, keeping at most
// limit matched items. The inbox feeds it the last 30 days. Nothing is
// performed. An invalid candidate is a *problem.Error as from Validate; an
// invalid stored rule one as from Compile.
func Try(rules []Rule, candidate Rule, items []Input, limit int) (TryResult, error) {
	if err := Validate(candidate); err != nil {
		return TryResult{}, err
	}
	candidate.Enabled = true
	var set []Rule
	for _, r := range rules {
		if candidate.ID == 0 || r.ID != candidate.ID {
			set = append(set, r)
		}
	}
	// The stored rules were checked when saved; checked again so that a
	// rule saved by an older version cannot stop the engine.
	if err := validateAll(set); err != nil {
		return TryResult{}, err
	}
	set = append(set, candidate)
	// The candidate, last in set, is found by its index after ordering,
	// whatever its ID (0 for a rule not stored yet).
	e := &Engine{}
	cand := -1
	for _, i := range order(set) {
		if !set[i].Enabled {
			continue
		}
		if i == len(set)-1 {
			cand = len(e.rules)
		}
		e.rules = append(e.rules, compile(set[i]))
	}
	res := TryResult{Items: len(items), Actions: map[ActionKind]int{}}
	for i := range items {
		f := facts{in: &items[i]}
		c := &e.rules[cand]
		if !c.match(&f) {
			continue
		}
		if shadowedBy(e.rules[:cand], &f) {
			res.Shadowed++
			continue
		}
		res.Matched++
		planned := c.plannedFor(&items[i])
		for _, p := range planned {
			if p.Unsupported == "" {
				res.Actions[p.Action.Kind]++
			}
		}
		if len(res.Matches) < limit {
			res.Matches = append(res.Matches, TryMatch{Index: i, ExternalID: items[i].Item.ExternalID, Actions: planned})
		}
	}
	return res, nil
}

// shadowedBy reports whether one of the rules before the candidate matches
// and stops the evaluation.
func shadowedBy(before []compiledRule, f *facts) bool {
	for i := range before {
		if before[i].stop && before[i].match(f) {
			return true
		}
	}
	return false
}
