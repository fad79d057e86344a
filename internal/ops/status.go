// Package ops is what an operator looks at: each node's heartbeat (are the
// workers and the scheduler alive?), queue depths, the oldest overdue post,
// and the last errors per network — so that "posts silently never go out"
// is seen on a page instead of discovered by a customer.
package ops

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
)

// HeartbeatEvery is how often a node says it is alive.
const HeartbeatEvery = 10 * time.Second

// Heartbeat records this node in node_heartbeats until ctx ends.
type Heartbeat struct {
	Store   store.Store
	NodeID  string
	Roles   []string
	Version string
	Log     *slog.Logger
	Now     func() time.Time
	// Scheduler, when set, reports whether this node's job client is running
	// (River's producers fetch due jobs: that is Tribune's scheduler).
	Scheduler func() bool
}

// Run beats until ctx is done.
func (h *Heartbeat) Run(ctx context.Context) {
	host, _ := os.Hostname()
	started := h.Now().UTC()
	beat := func() {
		now := h.Now().UTC()
		var sched *time.Time
		if h.Scheduler != nil && h.Scheduler() {
			sched = &now
		}
		err := h.Store.UpsertHeartbeat(ctx, store.UpsertHeartbeatParams{NodeID: h.NodeID, Hostname: host, PID: int64(os.Getpid()),
			Roles: strings.Join(h.Roles, ","), Version: h.Version, StartedAt: started, SeenAt: now, SchedulerAt: sched})
		if err != nil && ctx.Err() == nil {
			h.Log.Warn("heartbeat", "err", err)
		}
		_ = h.Store.DeleteHeartbeatsBefore(ctx, now.Add(-24*time.Hour))
	}
	beat()
	t := time.NewTicker(HeartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			beat()
		}
	}
}

// Status reads the status page.
type Status struct {
	Store store.Store
	Now   func() time.Time
}

// Node is one process on the status page.
type Node struct {
	store.NodeHeartbeat
	Alive          bool `json:"alive"`
	SchedulerAlive bool `json:"scheduler_alive"`
	// InboxStreams is how many networks' push streams the node runs for
	// the inbox (each channel's stream runs on one node of the cluster).
	InboxStreams int64 `json:"inbox_streams"`
}

// Report is the whole status page.
type Report struct {
	Healthy       bool                 `json:"healthy"`
	Nodes         []Node               `json:"nodes"`
	Jobs          []store.JobCount     `json:"jobs"`
	Variants      map[string]int64     `json:"variants_by_state"`
	OldestOverdue *Overdue             `json:"oldest_overdue,omitempty"`
	Errors        map[string][]LastErr `json:"last_errors_by_network"`
	// Paused lists the workspaces whose publishing is on hold (crisis
	// switch): their due posts wait on purpose, not because of a fault.
	Paused []PausedWorkspace `json:"paused_workspaces"`
}

// PausedWorkspace is one workspace held by the crisis switch.
type PausedWorkspace struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	PausedAt time.Time `json:"paused_at"`
}

// Overdue is the earliest post whose time passed without going out.
type Overdue struct {
	PostID      int64     `json:"post_id"`
	WorkspaceID int64     `json:"workspace_id"`
	DueAt       time.Time `json:"due_at"`
	LateBy      string    `json:"late_by"`
}

// LastErr is one recent failure.
type LastErr struct {
	At        time.Time `json:"at"`
	VariantID int64     `json:"variant_id"`
	Step      string    `json:"step"`
	Outcome   string    `json:"outcome"`
	Message   string    `json:"message"`
}

// Read builds the report for the organisation's owner: it spans every
// workspace of the installation, so nobody else may read it. A post counts
// as overdue a minute after its time.
func (s *Status) Read(ctx context.Context, user store.User) (Report, error) {
	now := s.Now().UTC()
	r := Report{Variants: map[string]int64{}, Errors: map[string][]LastErr{}}
	if user.OrgRole != string(auth.Owner) {
		return r, problem.Forbidden
	}
	hbs, err := s.Store.ListHeartbeats(ctx)
	if err != nil {
		return r, err
	}
	streams, err := s.Store.CountInboxStreamsByNode(ctx, now)
	if err != nil {
		return r, err
	}
	perNode := map[string]int64{}
	for _, c := range streams {
		perNode[c.NodeID] = c.N
	}
	anyScheduler := false
	for _, h := range hbs {
		n := Node{NodeHeartbeat: h, Alive: now.Sub(h.SeenAt) < 3*HeartbeatEvery, InboxStreams: perNode[h.NodeID]}
		n.SchedulerAlive = n.Alive && h.SchedulerAt != nil && now.Sub(*h.SchedulerAt) < 3*HeartbeatEvery
		anyScheduler = anyScheduler || n.SchedulerAlive
		r.Nodes = append(r.Nodes, n)
	}
	if r.Jobs, err = s.Store.JobCounts(ctx); err != nil {
		return r, err
	}
	counts, err := s.Store.CountVariantsByState(ctx)
	if err != nil {
		return r, err
	}
	for _, c := range counts {
		r.Variants[c.State] = c.N
	}
	row, err := s.Store.OldestOverdue(ctx, ptr(now.Add(-time.Minute)))
	if err == nil && row.ScheduledAt != nil {
		r.OldestOverdue = &Overdue{PostID: row.ID, WorkspaceID: row.WorkspaceID, DueAt: *row.ScheduledAt, LateBy: now.Sub(*row.ScheduledAt).Round(time.Second).String()}
	}
	logs, err := s.Store.LastPublishErrors(ctx, store.LastPublishErrorsParams{Since: now.Add(-24 * time.Hour), MaxRows: 200})
	if err != nil {
		return r, err
	}
	for _, l := range logs {
		if len(r.Errors[l.Network]) < 5 {
			r.Errors[l.Network] = append(r.Errors[l.Network], LastErr{At: l.At, VariantID: l.VariantID, Step: l.Step, Outcome: l.Outcome, Message: l.Response})
		}
	}
	wss, err := s.Store.ListOrganizationWorkspaces(ctx, user.OrganizationID)
	if err != nil {
		return r, err
	}
	r.Paused = []PausedWorkspace{}
	for _, w := range wss {
		if w.PausedAt != nil {
			r.Paused = append(r.Paused, PausedWorkspace{ID: w.ID, Name: w.Name, PausedAt: *w.PausedAt})
		}
	}
	r.Healthy = anyScheduler && (r.OldestOverdue == nil || now.Sub(r.OldestOverdue.DueAt) < 10*time.Minute)
	return r, nil
}

func ptr[T any](v T) *T { return &v }
