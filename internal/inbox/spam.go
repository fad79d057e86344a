package inbox

import "github.com/tribune-social/tribune/internal/moderation"

// tryAuthorRecent fills each tried item's AuthorRecent with the same
// author's older items among those tried (rows are newest first).
func tryAuthorRecent(inputs []moderation.Input) {
	seen := map[string][]string{}
	for i := len(inputs) - 1; i >= 0; i-- {
		in := &inputs[i]
		k := in.Network + "\x00" + in.Item.Author.ExternalID
		prev := seen[k]
		if n := len(prev); n > moderation.AuthorRecentMax {
			prev = prev[n-moderation.AuthorRecentMax:]
		}
		in.AuthorRecent = prev
		seen[k] = append(seen[k][:len(seen[k]):len(seen[k])], in.Item.Text)
	}
}
