package inbox

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
)

// Saved views (issue 14, §2): a member names the inbox list's current
// filters to open them again in one click. A view is the member's own or
// shared with the workspace; only its author renames, shares or deletes it,
// so nobody's list changes under them because a colleague tidied theirs.
// Saving filters changes nothing in the inbox, so reading it is enough.

// ViewFilterKeys are the list filters a view keeps (the list page's query
// parameters); anything else in a saved query — paging, a stray parameter —
// is dropped so opening a view always starts at the top of the list.
var ViewFilterKeys = []string{"channel", "network", "kind", "status", "assignee", "tag", "sentiment", "lang", "since", "until", "q", "sla"}

const (
	maxViewName  = 80
	maxViewQuery = 2000
)

// Problems of saved views.
var (
	errBadViewName   = problem.New(http.StatusUnprocessableEntity, "invalid_view_name", "A view's name is 1 to 80 characters.")
	errBadViewQuery  = problem.New(http.StatusUnprocessableEntity, "invalid_view_query", "A view keeps only the list's filters.")
	errBadViewValue  = problem.New(http.StatusUnprocessableEntity, "invalid_view_query", "The view's filter %s has a value the inbox does not know.")
	errViewBothNames = problem.New(http.StatusUnprocessableEntity, "invalid_view_query", "The view's filter %s is given twice (as %s too) with different values.")
	errViewPastAlone = problem.New(http.StatusUnprocessableEntity, "invalid_view_query", "A view of the items past the response target (sla=past) keeps no other filter: the inbox lists them on their own.")
	errNotViewOwner  = problem.New(http.StatusForbidden, "not_view_owner", "Only the member who saved a view changes or deletes it.")
)

// View is a saved view as a member sees it.
type View struct {
	ID          int64
	WorkspaceID int64
	UserID      int64
	// UserName is the author's name, shown beside a shared view.
	UserName string
	Name     string
	// Query is the list's filters as a query string (ViewFilterKeys only).
	Query  string
	Shared bool
	// Mine is true for the member's own view: they may rename or delete it.
	Mine bool
}

// viewAliases are the API list's names for filters a view keeps under the
// list page's names (the canonical form): a view saved through the API
// with the API's parameters opens the same in the UI, and the API list
// takes the page's names too (see ViewFilterKeys).
var viewAliases = map[string]string{"channel_id": "channel", "assignee_id": "assignee"}

// CleanViewQuery keeps only the filters of a list query string, in a
// stable order, without empty values, under the list page's names (the
// API's channel_id, assignee_id and unassigned=true become channel,
// assignee and assignee=none).
func CleanViewQuery(raw string) (string, error) {
	in, err := url.ParseQuery(raw)
	if err != nil {
		return "", errBadViewQuery.Wrap(err)
	}
	out := url.Values{}
	// Sorted, so a conflict is named the same way every time.
	for _, k := range slices.Sorted(maps.Keys(in)) {
		v := in[k]
		if len(v) == 0 || strings.TrimSpace(v[0]) == "" {
			continue
		}
		key, val := k, strings.TrimSpace(v[0])
		if a, ok := viewAliases[k]; ok {
			key = a
		}
		if k == "unassigned" {
			on, err := strconv.ParseBool(val)
			if err != nil {
				return "", errBadViewValue.Format(k)
			}
			if !on {
				continue
			}
			key, val = "assignee", "none"
		}
		if !slices.Contains(ViewFilterKeys, key) {
			continue
		}
		if !validViewValue(key, val) {
			return "", errBadViewValue.Format(k)
		}
		if key == "network" {
			val = strings.ToLower(val)
		}
		if prev := out.Get(key); prev != "" && prev != val {
			return "", errViewBothNames.Format(key, k)
		}
		out.Set(key, val)
	}
	// The list shows the items past the target on their own (List refuses
	// other filters with them): a view holding both would list something
	// other than its name says.
	if out.Has("sla") && len(out) > 1 {
		return "", errViewPastAlone
	}
	if since, until := out.Get("since"), out.Get("until"); since != "" && until != "" && since > until {
		return "", errBadViewValue.Format("until")
	}
	q := out.Encode()
	if len(q) > maxViewQuery {
		return "", errBadViewQuery
	}
	return q, nil
}

func cleanViewName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxViewName {
		return "", errBadViewName
	}
	return name, nil
}

// Views lists the views a member sees in a workspace: their own and the
// shared ones, by name.
func (s *Service) Views(ctx context.Context, user store.User, workspaceID int64) ([]View, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead); err != nil {
		return nil, err
	}
	rows, err := s.Store.ListInboxViews(ctx, store.ListInboxViewsParams{WorkspaceID: workspaceID, UserID: user.ID})
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(rows))
	for _, r := range rows {
		out = append(out, View{ID: r.ID, WorkspaceID: r.WorkspaceID, UserID: r.UserID, UserName: r.UserName, Name: r.Name, Query: r.Query,
			Shared: r.Shared, Mine: r.UserID == user.ID})
	}
	return out, nil
}

// View reads one view the member may see (their own or a shared one); any
// other is not found, so ids say nothing across members or workspaces.
func (s *Service) View(ctx context.Context, user store.User, viewID int64) (View, error) {
	v, err := s.Store.GetInboxView(ctx, viewID)
	if errors.Is(err, store.ErrNotFound) {
		return View{}, problem.NotFound
	}
	if err != nil {
		return View{}, err
	}
	if _, _, err := s.Auth.Authorize(ctx, user, v.WorkspaceID, permRead); err != nil {
		return View{}, problem.NotFound
	}
	if v.UserID != user.ID && !v.Shared {
		return View{}, problem.NotFound
	}
	return View{ID: v.ID, WorkspaceID: v.WorkspaceID, UserID: v.UserID, Name: v.Name, Query: v.Query, Shared: v.Shared, Mine: v.UserID == user.ID}, nil
}

// SaveView saves the list's filters (a query string) under a name.
func (s *Service) SaveView(ctx context.Context, user store.User, workspaceID int64, name, query string, shared bool) (View, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead); err != nil {
		return View{}, err
	}
	name, err := cleanViewName(name)
	if err != nil {
		return View{}, err
	}
	query, err = CleanViewQuery(query)
	if err != nil {
		return View{}, err
	}
	v, err := s.Store.CreateInboxView(ctx, store.CreateInboxViewParams{WorkspaceID: workspaceID, UserID: user.ID, Name: name, Query: query,
		Shared: shared, CreatedAt: s.Now().UTC()})
	if err != nil {
		return View{}, err
	}
	return View{ID: v.ID, WorkspaceID: v.WorkspaceID, UserID: v.UserID, UserName: user.Name, Name: v.Name, Query: v.Query, Shared: v.Shared, Mine: true}, nil
}

// ownView reads a view its author is about to change.
func (s *Service) ownView(ctx context.Context, user store.User, viewID int64) (View, error) {
	v, err := s.View(ctx, user, viewID)
	if err != nil {
		return v, err
	}
	if !v.Mine {
		return v, errNotViewOwner
	}
	return v, nil
}

// RenameView renames a member's own view and says whether the workspace
// sees it.
func (s *Service) RenameView(ctx context.Context, user store.User, viewID int64, name string, shared bool) (View, error) {
	v, err := s.ownView(ctx, user, viewID)
	if err != nil {
		return v, err
	}
	if v.Name, err = cleanViewName(name); err != nil {
		return v, err
	}
	v.Shared = shared
	return v, s.Store.UpdateInboxView(ctx, store.UpdateInboxViewParams{Name: v.Name, Shared: shared, UpdatedAt: s.Now().UTC(), ID: v.ID})
}

// DeleteView deletes a member's own view.
func (s *Service) DeleteView(ctx context.Context, user store.User, viewID int64) error {
	v, err := s.ownView(ctx, user, viewID)
	if err != nil {
		return err
	}
	return s.Store.DeleteInboxView(ctx, v.ID)
}

// validViewValue says whether a filter's value is one the list accepts
// (the list page's own parameters): a view saved with a value the list
// refuses would fail every time it is opened.
func validViewValue(key, v string) bool {
	positive := func(v string) bool {
		n, err := strconv.ParseInt(v, 10, 64)
		return err == nil && n > 0
	}
	switch key {
	case "channel":
		return positive(v)
	case "assignee":
		return v == "none" || positive(v)
	case "kind":
		return slices.Contains(network.ItemKinds, network.ItemKind(v))
	case "status":
		return Status(v).Valid()
	case "sentiment":
		return validLabel(sentiment.Label(v))
	case "lang":
		return validLang(v)
	case "since", "until":
		_, err := time.Parse(time.DateOnly, v)
		return err == nil
	case "tag":
		return utf8.RuneCountInString(v) <= maxTagLen
	case "q":
		return len(v) <= maxQueryLen
	case "sla":
		return v == "past"
	case "network":
		_, err := networkKey(v)
		return err == nil
	}
	return true
}
