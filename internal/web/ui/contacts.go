package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/store"
	webi18n "github.com/tribune-social/tribune/internal/web/i18n"
)

// The contacts pages: the list (search, flag filter, suggested merges) and
// a contact (accounts, history across networks, notes, tags, flags, merge,
// split, GDPR export and erasure). Reading takes View; the service checks
// the rest.

var errEraseUnconfirmed = problem.New(http.StatusUnprocessableEntity, "erase_unconfirmed", "Tick the box to confirm the erasure: it cannot be undone.")

// errMergeUnknown answers a merge with a number that is no contact of the
// workspace: the contact on the page was found, so the number is at fault.
var errMergeUnknown = problem.New(http.StatusUnprocessableEntity, "merge_unknown", "There is no contact No. %s in this workspace: the contacts list shows each one's number beside the name.")

type contactListData struct {
	WS          store.Workspace
	Role        auth.Role
	Contacts    []contacts.Contact
	Query, Flag string
	NextURL     string
	Suggestions []contacts.Suggestion
	// NextSuggestionsURL is the next page of suggestions, "" on the last.
	NextSuggestionsURL string
}

func (u *ui) contactsPage(w http.ResponseWriter, r *http.Request) error {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	user := currentUser(r)
	q := r.URL.Query()
	d := contactListData{WS: ws, Role: role, Query: strings.TrimSpace(q.Get("q")), Flag: q.Get("flag")}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	page, err := u.Contacts.List(r.Context(), user, ws.ID, contacts.Filter{Query: d.Query, Flag: contacts.Flag(d.Flag), Before: before})
	if err != nil {
		return err
	}
	d.Contacts = page.Contacts
	if page.Next != 0 {
		v := url.Values{"before": {itoa(page.Next)}}
		if d.Query != "" {
			v.Set("q", d.Query)
		}
		if d.Flag != "" {
			v.Set("flag", d.Flag)
		}
		d.NextURL = "/w/" + itoa(ws.ID) + "/contacts?" + v.Encode()
	}
	if before == 0 && d.Query == "" && d.Flag == "" {
		// ?suggestions= pages through the suggested merges (their own
		// cursor, apart from the contact list's).
		sp, err := u.Contacts.SuggestionsAfter(r.Context(), user, ws.ID, q.Get("suggestions"))
		if err != nil {
			return err
		}
		d.Suggestions = sp.Suggestions
		if sp.Next != "" {
			d.NextSuggestionsURL = "/w/" + itoa(ws.ID) + "/contacts?" + url.Values{"suggestions": {sp.Next}}.Encode()
		}
	}
	return u.render(w, r, u.pageData(r, &ws, u.loc(r).T("Contacts"), "inbox"), contactListPage(u.loc(r), d))
}

type contactData struct {
	WS   store.Workspace
	Role auth.Role
	D    contacts.Detail
	TZ   string
	// Err says why a change was refused; Tag, Merge and Note give back
	// what was typed in its form.
	Err              *problem.Error
	Tag, Merge, Note string
}

// contactOf loads the {id} contact of the {ws} workspace.
func (u *ui) contactOf(r *http.Request) (store.Workspace, auth.Role, contacts.Contact, error) {
	ws, role, err := u.workspace(r, auth.View)
	if err != nil {
		return ws, role, contacts.Contact{}, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return ws, role, contacts.Contact{}, err
	}
	c, err := u.Contacts.Contact(r.Context(), currentUser(r), id)
	if err != nil {
		return ws, role, c, err
	}
	if c.WorkspaceID != ws.ID {
		return ws, role, c, problem.NotFound
	}
	return ws, role, c, nil
}

func contactURL(ws store.Workspace, id int64) string {
	return "/w/" + itoa(ws.ID) + "/contacts/" + itoa(id)
}

func (u *ui) contactPage(w http.ResponseWriter, r *http.Request) error {
	ws, role, c, err := u.contactOf(r)
	if err != nil {
		return err
	}
	return u.renderContact(w, r, contactData{WS: ws, Role: role, D: contacts.Detail{Contact: c}})
}

// renderContact draws the contact d.D.Contact around d's form state,
// answering a refusal with its status.
func (u *ui) renderContact(w http.ResponseWriter, r *http.Request, d contactData) error {
	user := currentUser(r)
	detail, err := u.Contacts.Get(r.Context(), user, d.D.Contact.ID)
	if err != nil {
		return err
	}
	d.D, d.TZ = detail, u.displayTZ(user, d.WS)
	name := detail.Contact.Name()
	if name == "" {
		name = u.loc(r).T("Erased contact")
	}
	if d.Err != nil {
		w.WriteHeader(d.Err.Status)
	}
	return u.render(w, r, u.pageData(r, &d.WS, name, "inbox"), contactPage(u.loc(r), d))
}

// contactByAuthor opens the contact of an inbox item's author.
func (u *ui) contactByAuthor(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cid, err := u.Contacts.ForAuthor(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	c, err := u.Contacts.Contact(r.Context(), currentUser(r), cid)
	if err != nil {
		return err
	}
	if c.WorkspaceID != ws.ID {
		return problem.NotFound
	}
	return redirect(w, r, contactURL(ws, cid))
}

// contactUpdate saves the flags (the form sends all three) and a tag to
// add or remove.
func (u *ui) contactUpdate(w http.ResponseWriter, r *http.Request) error {
	ws, role, c, err := u.contactOf(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var ch contacts.Change
	if r.FormValue("flags") == "1" {
		vip, amb, inf := r.FormValue("vip") == "on", r.FormValue("ambassador") == "on", r.FormValue("influencer") == "on"
		ch.VIP, ch.Ambassador, ch.Influencer = &vip, &amb, &inf
	}
	if t := strings.TrimSpace(r.FormValue("add_tag")); t != "" {
		ch.AddTags = []string{t}
	}
	if t := strings.TrimSpace(r.FormValue("remove_tag")); t != "" {
		ch.RemoveTags = []string{t}
	}
	err = u.Contacts.Update(r.Context(), currentUser(r), c.ID, ch)
	if pe := refused(err); pe != nil {
		return u.renderContact(w, r, contactData{WS: ws, Role: role, D: contacts.Detail{Contact: c}, Err: pe, Tag: r.FormValue("add_tag")})
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Saved"))
	return redirect(w, r, contactURL(ws, c.ID))
}

func (u *ui) contactNote(w http.ResponseWriter, r *http.Request) error {
	ws, role, c, err := u.contactOf(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	err = u.Contacts.AddNote(r.Context(), currentUser(r), c.ID, r.FormValue("body"))
	if pe := refused(err); pe != nil {
		return u.renderContact(w, r, contactData{WS: ws, Role: role, D: contacts.Detail{Contact: c}, Err: pe, Note: r.FormValue("body")})
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Note added"))
	return redirect(w, r, contactURL(ws, c.ID))
}

// contactMerge merges the contact named in the form into this one.
func (u *ui) contactMerge(w http.ResponseWriter, r *http.Request) error {
	ws, role, c, err := u.contactOf(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	typed := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(r.FormValue("other")), "#°nN. "))
	other, err := strconv.ParseInt(typed, 10, 64)
	if err == nil {
		err = u.Contacts.Merge(r.Context(), currentUser(r), c.ID, other)
	} else {
		err = problem.NotFound
	}
	pe := refused(err)
	if problem.As(err).Status == http.StatusNotFound {
		pe = errMergeUnknown.Format(typed)
	}
	if pe != nil {
		return u.renderContact(w, r, contactData{WS: ws, Role: role, D: contacts.Detail{Contact: c}, Err: pe, Merge: r.FormValue("other")})
	}
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("Contacts merged"))
	return redirect(w, r, contactURL(ws, c.ID))
}

func (u *ui) contactSplit(w http.ResponseWriter, r *http.Request) error {
	ws, _, c, err := u.contactOf(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	author, err := strconv.ParseInt(r.FormValue("account"), 10, 64)
	if err != nil {
		return errBadForm.Wrap(err)
	}
	id, err := u.Contacts.Split(r.Context(), currentUser(r), c.ID, author)
	if err != nil {
		return err
	}
	flash(w, u.loc(r).T("The account is now a contact of its own"))
	return redirect(w, r, contactURL(ws, id))
}

// contactExport downloads the person's data as a JSON file.
func (u *ui) contactExport(w http.ResponseWriter, r *http.Request) error {
	_, _, c, err := u.contactOf(r)
	if err != nil {
		return err
	}
	e, err := u.Contacts.Export(r.Context(), currentUser(r), c.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="contact-`+itoa(c.ID)+`.json"`)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(e)
}

func (u *ui) contactErase(w http.ResponseWriter, r *http.Request) error {
	ws, _, c, err := u.contactOf(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if r.FormValue("confirm") != "yes" {
		return errEraseUnconfirmed
	}
	if err := u.Contacts.Erase(r.Context(), currentUser(r), c.ID); err != nil {
		return err
	}
	flash(w, u.loc(r).T("The person's data was erased"))
	return redirect(w, r, contactURL(ws, c.ID))
}

// Labels, one literal per value so the catalogue test sees each of them.

func flagLabel(l *webi18n.Localizer, f contacts.Flag) string {
	switch f {
	case contacts.FlagVIP:
		return l.T("VIP")
	case contacts.FlagAmbassador:
		return l.T("Ambassador")
	case contacts.FlagInfluencer:
		return l.T("Influencer")
	}
	return string(f)
}

func suggestionReason(l *webi18n.Localizer, reason string) string {
	switch reason {
	case contacts.ReasonSameName:
		return l.T("Same name on two networks")
	case contacts.ReasonSameHandle:
		return l.T("Same handle on two networks")
	}
	return reason
}

func contactAuditLabel(l *webi18n.Localizer, action string) string {
	switch action {
	case contacts.ActMerge:
		return l.T("Merged")
	case contacts.ActSplit:
		return l.T("Split")
	case contacts.ActExport:
		return l.T("Data exported")
	case contacts.ActErase:
		return l.T("Data erased")
	}
	return action
}

func contactName(l *webi18n.Localizer, c contacts.Contact) string {
	if c.Erased() {
		return l.T("Erased contact")
	}
	if n := c.Name(); n != "" {
		return n
	}
	return l.T("Contact #%d", c.ID)
}

// contactMessages says how many inbox messages a contact wrote, in the
// singular or plural the language wants ("1 message", not "1 items").
func contactMessages(l *webi18n.Localizer, n int64) string {
	return importCount(l, int(n), "%d message", "%d messages")
}

// networkTitle is a network's name as people write it ("Sandbox",
// "Mastodon"), its key when the network is unknown.
func networkTitle(key string) string {
	if n, ok := rules.Get(key); ok {
		return n.Name
	}
	return key
}
