package listen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// SourceStatus is where a source is.
type SourceStatus string

// The statuses.
const (
	// SourceRunning: enabled, a node consumes it.
	SourceRunning SourceStatus = "running"
	// SourceWaiting: enabled, no node holds it yet (or it is reconnecting).
	SourceWaiting SourceStatus = "waiting"
	// SourcePaused: disabled by a member.
	SourcePaused SourceStatus = "paused"
	// SourceFailed: the network refused it for good; editing it tries again.
	SourceFailed SourceStatus = "failed"
)

// Source is a configured source as the pages and the API show it: its
// plain settings, never its secrets (SecretsSet says which are set).
type Source struct {
	ID          int64             `json:"id"`
	WorkspaceID int64             `json:"workspace_id"`
	Kind        string            `json:"kind"`
	Name        string            `json:"name"`
	Config      map[string]string `json:"config"`
	SecretsSet  []string          `json:"secrets_set"`
	Enabled     bool              `json:"enabled"`
	Status      SourceStatus      `json:"status"`
	Cursor      string            `json:"cursor"`
	CursorAt    *time.Time        `json:"cursor_at,omitempty"`
	Node        string            `json:"node,omitempty"`
	LastError   string            `json:"last_error,omitempty"`
	LastErrorAt *time.Time        `json:"last_error_at,omitempty"`
	Seen        int64             `json:"seen"`
	Matched     int64             `json:"matched"`
}

// SourceInput is a source as a form or the API gives it. Values holds the
// kind's fields; a secret field left empty on an edit keeps its value.
type SourceInput struct {
	Kind    string            `json:"kind,omitempty" doc:"Required on creation; an edit keeps the kind"`
	Name    string            `json:"name,omitempty" maxLength:"100"`
	Values  map[string]string `json:"values,omitempty"`
	Enabled *bool             `json:"enabled,omitempty"`
}

var errUnknownKind = problem.Invalidf("kind", "unknown_kind", "Unknown kind of source.")

func (s *Service) sourceOf(r store.ListenSource) Source {
	out := Source{ID: r.ID, WorkspaceID: r.WorkspaceID, Kind: r.Kind, Name: r.Name, Config: map[string]string{}, SecretsSet: []string{}, Enabled: r.Enabled,
		Cursor: r.Cursor, CursorAt: r.CursorAt, LastError: r.LastError, LastErrorAt: r.LastErrorAt, Seen: r.Seen, Matched: r.Matched}
	_ = json.Unmarshal([]byte(r.Config), &out.Config)
	if sec, err := s.openSecret(r.ID, r.Secret); err == nil {
		for k := range sec {
			out.SecretsSet = append(out.SecretsSet, k)
		}
	}
	now := s.now()
	switch {
	case r.Failed:
		out.Status = SourceFailed
	case !r.Enabled:
		out.Status = SourcePaused
	case r.NodeID != "" && r.LeaseUntil != nil && r.LeaseUntil.After(now):
		out.Status, out.Node = SourceRunning, r.NodeID
	default:
		out.Status = SourceWaiting
	}
	return out
}

func secretAD(id int64) string { return fmt.Sprintf("listen_source:%d", id) }

// sealSecret seals the secret fields as "key id\x00ciphertext".
func (s *Service) sealSecret(id int64, sec map[string]string) ([]byte, error) {
	if len(sec) == 0 {
		return nil, nil
	}
	if s.Keys == nil {
		return nil, problem.Invalidf("values", "no_keys", "This server has no key to seal secrets with.")
	}
	b, err := json.Marshal(sec)
	if err != nil {
		return nil, err
	}
	ct, kid := s.Keys.Seal(b, secretAD(id))
	return append(append([]byte(kid), 0), ct...), nil
}

func (s *Service) openSecret(id int64, blob []byte) (map[string]string, error) {
	out := map[string]string{}
	if len(blob) == 0 {
		return out, nil
	}
	if s.Keys == nil {
		return nil, fmt.Errorf("no keyring to open source %d's secrets", id)
	}
	i := strings.IndexByte(string(blob), 0)
	if i < 0 {
		return nil, fmt.Errorf("source %d: malformed secret", id)
	}
	pt, err := s.Keys.Open(blob[i+1:], string(blob[:i]), secretAD(id))
	if err != nil {
		return nil, err
	}
	return out, json.Unmarshal(pt, &out)
}

// Config is a stored source's full configuration, secrets opened, for the
// runner.
func (s *Service) config(r store.ListenSource) (source.Config, error) {
	cfg := source.Config{Kind: r.Kind, Name: r.Name, Values: map[string]string{}}
	if err := json.Unmarshal([]byte(r.Config), &cfg.Values); err != nil {
		return cfg, err
	}
	sec, err := s.openSecret(r.ID, r.Secret)
	if err != nil {
		return cfg, err
	}
	for k, v := range sec {
		cfg.Values[k] = v
	}
	return cfg, nil
}

// split checks in against its kind and splits plain values from secrets;
// old holds the secrets already stored (kept when left empty).
func (s *Service) split(in SourceInput, old map[string]string) (plain, sec map[string]string, err error) {
	k, ok := s.Kinds[in.Kind]
	if !ok {
		return nil, nil, errUnknownKind
	}
	plain, sec = map[string]string{}, map[string]string{}
	var details []problem.Detail
	if n := strings.TrimSpace(in.Name); n == "" || utf8.RuneCountInString(n) > 100 {
		details = append(details, problem.Detail{Location: "name", Code: "invalid_name", Message: "A source has a name of 1 to 100 characters."})
	}
	for _, f := range k.Fields {
		v := strings.TrimSpace(in.Values[f.Name])
		if f.Secret && v == "" {
			v = old[f.Name]
		}
		if f.Required && v == "" {
			details = append(details, problem.Detail{Location: "values." + f.Name, Code: "required", Message: "This field is required."})
			continue
		}
		if v == "" {
			continue
		}
		if f.Secret {
			sec[f.Name] = v
		} else {
			plain[f.Name] = v
		}
	}
	if details != nil {
		return nil, nil, problem.Invalid.With(details...)
	}
	// The kind validates its settings the way it will use them.
	all := map[string]string{}
	for k, v := range plain {
		all[k] = v
	}
	for k, v := range sec {
		all[k] = v
	}
	if _, err := k.New(source.Config{Kind: in.Kind, Name: in.Name, Values: all}, s.Deps); err != nil {
		return nil, nil, problem.New(http.StatusUnprocessableEntity, "invalid_source", "The source's settings are not valid: %s").Format(err.Error())
	}
	return plain, sec, nil
}

// Sources lists the workspace's sources.
func (s *Service) Sources(ctx context.Context, user store.User, workspaceID int64) ([]Source, error) {
	if err := s.authorize(ctx, user, workspaceID, permRead); err != nil {
		return nil, err
	}
	rows, err := s.Store.ListListenSources(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]Source, len(rows))
	for i, r := range rows {
		out[i] = s.sourceOf(r)
	}
	return out, nil
}

func (s *Service) sourceIn(ctx context.Context, workspaceID, id int64) (store.ListenSource, error) {
	r, err := s.Store.GetListenSource(ctx, id)
	if err != nil {
		return r, notFound(err, errSourceNotFound)
	}
	if r.WorkspaceID != workspaceID {
		return r, errSourceNotFound
	}
	return r, nil
}

// Source returns one of the workspace's sources.
func (s *Service) Source(ctx context.Context, user store.User, workspaceID, id int64) (Source, error) {
	if err := s.authorize(ctx, user, workspaceID, permRead); err != nil {
		return Source{}, err
	}
	r, err := s.sourceIn(ctx, workspaceID, id)
	if err != nil {
		return Source{}, err
	}
	return s.sourceOf(r), nil
}

// CreateSource adds a source; the runner starts it within a tick.
func (s *Service) CreateSource(ctx context.Context, user store.User, workspaceID int64, in SourceInput) (Source, error) {
	if err := s.authorize(ctx, user, workspaceID, permSources); err != nil {
		return Source{}, err
	}
	plain, sec, err := s.split(in, nil)
	if err != nil {
		return Source{}, err
	}
	cfg, _ := json.Marshal(plain)
	enabled := in.Enabled == nil || *in.Enabled
	var id int64
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		var err error
		id, err = tx.CreateListenSource(ctx, store.CreateListenSourceParams{WorkspaceID: workspaceID, Kind: in.Kind, Name: strings.TrimSpace(in.Name),
			Config: string(cfg), Enabled: enabled, CreatedAt: s.now()})
		if err != nil || len(sec) == 0 {
			return err
		}
		// The secret is bound to the row's id, known only now.
		blob, err := s.sealSecret(id, sec)
		if err != nil {
			return err
		}
		return tx.UpdateListenSource(ctx, store.UpdateListenSourceParams{Name: strings.TrimSpace(in.Name), Config: string(cfg), Secret: blob, Enabled: enabled, UpdatedAt: s.now(), ID: id})
	})
	if err != nil {
		return Source{}, err
	}
	return s.Source(ctx, user, workspaceID, id)
}

// UpdateSource saves an edit (and tries a failed source again). The kind
// does not change.
func (s *Service) UpdateSource(ctx context.Context, user store.User, workspaceID, id int64, in SourceInput) (Source, error) {
	if err := s.authorize(ctx, user, workspaceID, permSources); err != nil {
		return Source{}, err
	}
	r, err := s.sourceIn(ctx, workspaceID, id)
	if err != nil {
		return Source{}, err
	}
	in.Kind = r.Kind
	if in.Name == "" {
		in.Name = r.Name
	}
	old, err := s.openSecret(id, r.Secret)
	if err != nil {
		return Source{}, err
	}
	if in.Values == nil {
		// Only the name or the switch changes: keep the settings.
		in.Values = map[string]string{}
		_ = json.Unmarshal([]byte(r.Config), &in.Values)
	}
	plain, sec, err := s.split(in, old)
	if err != nil {
		return Source{}, err
	}
	blob, err := s.sealSecret(id, sec)
	if err != nil {
		return Source{}, err
	}
	cfg, _ := json.Marshal(plain)
	enabled := r.Enabled
	if in.Enabled != nil {
		enabled = *in.Enabled
	}
	if err := s.Store.UpdateListenSource(ctx, store.UpdateListenSourceParams{Name: strings.TrimSpace(in.Name), Config: string(cfg), Secret: blob, Enabled: enabled, UpdatedAt: s.now(), ID: id}); err != nil {
		return Source{}, err
	}
	return s.Source(ctx, user, workspaceID, id)
}

// SetSourceEnabled pauses or resumes a source.
func (s *Service) SetSourceEnabled(ctx context.Context, user store.User, workspaceID, id int64, enabled bool) (Source, error) {
	return s.UpdateSource(ctx, user, workspaceID, id, SourceInput{Enabled: &enabled})
}

// ForgetTimeout bounds how long deleting a source waits for the network
// to remove what the source left there (X's rule).
const ForgetTimeout = 15 * time.Second

// SourceDeleted is what deleting a source did beyond Tribune.
type SourceDeleted struct {
	// Leftover, when set, is what the source left on its network because
	// the network could not be reached or refused (X's rule, named by its
	// value and tag): the user removes it there. The source is deleted in
	// Tribune all the same.
	Leftover string `json:"leftover,omitempty"`
	// Reason is why the leftover could not be removed.
	Reason string `json:"reason,omitempty"`
}

// DeleteSource deletes a source; its mentions stay. A source that left
// something on its network (X's filtered-stream rule) is asked to remove
// it, after the row is gone so that no runner puts it back; a network that
// cannot be reached does not keep the source: the answer names what is
// left there instead.
func (s *Service) DeleteSource(ctx context.Context, user store.User, workspaceID, id int64) (SourceDeleted, error) {
	if err := s.authorize(ctx, user, workspaceID, permSources); err != nil {
		return SourceDeleted{}, err
	}
	r, err := s.sourceIn(ctx, workspaceID, id)
	if err != nil {
		return SourceDeleted{}, err
	}
	// Built before the row goes: the secrets are sealed to it.
	var forget source.Forgetter
	var buildErr error
	if k, ok := s.Kinds[r.Kind]; ok {
		if cfg, err := s.config(r); err != nil {
			buildErr = err
		} else if src, err := k.New(cfg, s.Deps); err != nil {
			buildErr = err
		} else {
			forget, _ = src.(source.Forgetter)
		}
	}
	if err := s.Store.DeleteListenSource(ctx, id); err != nil {
		return SourceDeleted{}, err
	}
	if buildErr != nil {
		s.logger().Warn("listen: a deleted source could not be rebuilt to clean up after it", "source", id, "kind", r.Kind, "err", buildErr)
		return SourceDeleted{}, nil
	}
	if forget == nil {
		return SourceDeleted{}, nil
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ForgetTimeout)
	defer cancel()
	if err := forget.Forget(fctx); err != nil {
		s.logger().Warn("listen: a deleted source's leftover stays on the network", "source", id, "kind", r.Kind, "leftover", forget.Leftover(), "err", err)
		return SourceDeleted{Leftover: forget.Leftover(), Reason: err.Error()}, nil
	}
	return SourceDeleted{}, nil
}

// KindList lists the kinds a user may add, by name.
func (s *Service) KindList() []source.Kind {
	out := make([]source.Kind, 0, len(s.Kinds))
	for _, k := range s.Kinds {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b source.Kind) int { return strings.Compare(a.Name, b.Name) })
	return out
}
