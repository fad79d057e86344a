package sandbox

import (
	"net/http"
	"strconv"
	"testing"
)

// A backlog asked through the control endpoint is listed once, item by
// item, across the pages of the inbox; only the control token asks for one.
func TestBacklogIsListedOnceAcrossPages(t *testing.T) {
	_, u := start(t, Options{})
	_, acct := call(t, http.MethodPost, u+"/api/accounts", "", map[string]string{"name": "shop"})
	token := acct["token"].(string)
	id := acct["id"].(string)
	if got, _ := call(t, http.MethodPost, u+"/_sandbox/backlog", token, Backlog{Account: id, Count: 10}); got != http.StatusUnauthorized {
		t.Fatalf("backlog with the account's token: %d, want 401", got)
	}
	if got, _ := call(t, http.MethodPost, u+"/_sandbox/backlog", testControl, Backlog{Account: "nobody", Count: 10}); got != http.StatusNotFound {
		t.Fatalf("backlog of an unknown account: %d, want 404", got)
	}
	const n = 1234
	code, out := call(t, http.MethodPost, u+"/_sandbox/backlog", testControl, Backlog{Account: id, Count: n})
	if code != http.StatusOK || len(out["ids"].([]any)) != n {
		t.Fatalf("backlog: %d %v", code, out["error"])
	}
	seen := map[string]int{}
	after := "0"
	for pages := 0; ; pages++ {
		if pages > n/MaxInboxPage+2 {
			t.Fatal("the listing does not end")
		}
		code, page := call(t, http.MethodGet, u+"/api/inbox?after="+after, token, nil)
		if code != http.StatusOK {
			t.Fatalf("list: %d", code)
		}
		for _, it := range page["items"].([]any) {
			seen[it.(map[string]any)["id"].(string)]++
		}
		after = strconv.FormatInt(int64(page["next"].(float64)), 10)
		if page["more"] != true {
			break
		}
	}
	if len(seen) != n {
		t.Fatalf("listed %d distinct items, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("item %s listed %d times", id, c)
		}
	}
}
