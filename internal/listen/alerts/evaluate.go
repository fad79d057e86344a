package alerts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/tribune-social/tribune/internal/listen/signals"
	"github.com/tribune-social/tribune/internal/store"
)

// hourCounts is one hour of a workspace's (or topic's) rollups.
type hourCounts struct{ mentions, negative int64 }

// series is what the rules read: hourly volumes and term counts, loaded
// once per evaluation (one hour) or per test (30 days).
type series struct {
	volume map[time.Time]hourCounts
	terms  signals.Counts
}

// Firing is a rule's verdict for one hour.
type Firing struct {
	Fired    bool
	Value    int64
	Baseline float64
	Terms    []string
}

// termParams are the signals parameters of a new-term rule.
func termParams(r store.ListenAlertRule) signals.Params {
	p := signals.DefaultParams(time.Hour)
	p.MinCount, p.MinRatio = r.MinCount, r.Factor
	return p
}

// fires evaluates r at the hour holding at, on data that covers it.
func fires(r store.ListenAlertRule, d series, at time.Time) Firing {
	h := at.UTC().Truncate(time.Hour)
	switch Kind(r.Kind) {
	case KindVolume:
		// The same hour of each of the previous weeks (a Monday 9:00 against
		// the previous Mondays 9:00), missing hours counting 0.
		var sum float64
		for w := 1; w <= int(r.Weeks); w++ {
			sum += float64(d.volume[h.Add(-time.Duration(w)*7*24*time.Hour)].mentions)
		}
		base := sum / float64(r.Weeks)
		n := d.volume[h].mentions
		return Firing{Fired: n >= r.MinCount && float64(n) >= r.Factor*base, Value: n, Baseline: base}
	case KindNegative:
		c := d.volume[h]
		var share float64
		if c.mentions > 0 {
			share = float64(c.negative) / float64(c.mentions)
		}
		return Firing{Fired: c.negative >= r.MinCount && share >= r.Share, Value: c.negative, Baseline: share}
	case KindWatch:
		var n int64
		var seen []string
		for _, w := range splitList(r.Words) {
			if c := d.terms[w][h]; c > 0 {
				n += c
				seen = append(seen, w)
			}
		}
		return Firing{Fired: n >= r.MinCount, Value: n, Terms: seen}
	case KindNewTerm:
		return risingFiring(signals.Detect(d.terms, h, termParams(r)))
	}
	return Firing{}
}

// risingFiring fires on rising terms: the ten strongest named, the value
// the highest count.
func risingFiring(rising []signals.Rising) Firing {
	f := Firing{Fired: len(rising) > 0}
	for i, x := range rising {
		if i < 10 {
			f.Terms = append(f.Terms, x.Term)
		}
		f.Value = max(f.Value, x.Count)
	}
	return f
}

// load reads the rollups r needs to be evaluated at every hour of [from, to).
func load(ctx context.Context, q store.Queries, r store.ListenAlertRule, from, to time.Time) (series, error) {
	d := series{volume: map[time.Time]hourCounts{}, terms: signals.Counts{}}
	topic := int64(0)
	if r.TopicID != nil {
		topic = *r.TopicID
	}
	switch Kind(r.Kind) {
	case KindVolume, KindNegative:
		// The spans read: [from, to), and for a volume rule the same span
		// on each previous week — one short read per week when evaluating
		// one hour, one long read when testing a rule over days.
		spans := [][2]time.Time{{from, to}}
		if Kind(r.Kind) == KindVolume {
			back := time.Duration(r.Weeks) * 7 * 24 * time.Hour
			if to.Sub(from) <= time.Hour {
				for w := 1; w <= int(r.Weeks); w++ {
					shift := time.Duration(w) * 7 * 24 * time.Hour
					spans = append(spans, [2]time.Time{from.Add(-shift), to.Add(-shift)})
				}
			} else {
				spans[0][0] = from.Add(-back)
			}
		}
		for _, sp := range spans {
			rows, err := q.AlertVolumeByHour(ctx, store.AlertVolumeByHourParams{WorkspaceID: r.WorkspaceID, TopicID: topic, Since: sp[0], Until: sp[1]})
			if err != nil {
				return d, err
			}
			for _, x := range rows {
				d.volume[x.Hour.UTC().Truncate(time.Hour)] = hourCounts{x.Mentions, x.Negative}
			}
		}
	case KindWatch:
		rows, err := q.SignalTermHours(ctx, store.SignalTermHoursParams{WorkspaceID: r.WorkspaceID, TopicID: topic, Since: from, Until: to, Terms: splitList(r.Words)})
		if err != nil {
			return d, err
		}
		for _, x := range rows {
			d.terms.Add(x.Term, x.Hour, x.Mentions)
		}
	case KindNewTerm:
		p := termParams(r)
		since := from.Add(-time.Duration(p.Days)*24*time.Hour - p.Window)
		rows, err := q.SignalAllTermHours(ctx, store.SignalAllTermHoursParams{WorkspaceID: r.WorkspaceID, TopicID: topic, Since: since, Until: to, MaxRows: maxBacktestTerms})
		if err != nil {
			return d, err
		}
		for _, x := range rows {
			d.terms.Add(x.Term, x.Hour, x.Mentions)
		}
	}
	return d, nil
}

// maxBacktestTerms bounds the term-hours a new-term rule's test reads.
const maxBacktestTerms = 500_000

// evaluateHour is r's verdict for the hour starting at h.
func evaluateHour(ctx context.Context, q store.Queries, r store.ListenAlertRule, h time.Time) (Firing, error) {
	if Kind(r.Kind) == KindNewTerm {
		// Only the terms counted often enough this hour are read, then
		// their history: the same verdict as Detect on every term.
		topic := int64(0)
		if r.TopicID != nil {
			topic = *r.TopicID
		}
		rising, err := signals.DetectStored(ctx, q, r.WorkspaceID, topic, h, termParams(r))
		return risingFiring(rising), err
	}
	d, err := load(ctx, q, r, h, h.Add(time.Hour))
	if err != nil {
		return Firing{}, err
	}
	return fires(r, d, h), nil
}

// Storm is a run of firing hours that would have made one alert.
type Storm struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Peak  int64     `json:"peak"`
	Hours int       `json:"hours"`
	Terms []string  `json:"terms,omitempty"`
}

// Backtest evaluates a rule (saved, or an unsaved Input) on every hour of
// the last BacktestDays days and groups the firing hours with the rule's
// cooldown, as the live evaluation would: each Storm is one alert sent.
func (s *Service) Backtest(ctx context.Context, user store.User, workspaceID int64, in Input) ([]Storm, error) {
	if _, _, err := s.Auth.Authorize(ctx, user, workspaceID, permRead); err != nil {
		return nil, err
	}
	if in.Name == "" {
		in.Name = "test"
	}
	in, err := s.check(ctx, workspaceID, Input{Name: in.Name, Kind: in.Kind, TopicID: in.TopicID, Factor: in.Factor, Weeks: in.Weeks,
		MinCount: in.MinCount, Share: in.Share, Words: in.Words, Cooldown: in.Cooldown}, nil)
	if err != nil {
		return nil, err
	}
	r := store.ListenAlertRule{WorkspaceID: workspaceID, Kind: string(in.Kind), TopicID: ptr(in.TopicID), Factor: in.Factor,
		Weeks: int64(in.Weeks), MinCount: in.MinCount, Share: in.Share, Words: strings.Join(in.Words, "\n"),
		CooldownMinutes: int64(in.Cooldown / time.Minute)}
	to := s.now().Truncate(time.Hour).Add(time.Hour)
	from := to.Add(-BacktestDays * 24 * time.Hour)
	d, err := load(ctx, s.Store, r, from, to)
	if err != nil {
		return nil, err
	}
	return storms(r, d, from, to), nil
}

func storms(r store.ListenAlertRule, d series, from, to time.Time) []Storm {
	cooldown := time.Duration(r.CooldownMinutes) * time.Minute
	out := []Storm{}
	for h := from; h.Before(to); h = h.Add(time.Hour) {
		f := fires(r, d, h)
		if !f.Fired {
			continue
		}
		// Live, an alert last fired during hour T closes once nothing fired
		// for the cooldown; hour granularity here: the storm goes on if this
		// hour starts within the cooldown of the end of the last one.
		if n := len(out); n > 0 && h.Sub(out[n-1].To.Add(time.Hour)) < cooldown {
			st := &out[n-1]
			st.To, st.Peak, st.Hours = h, max(st.Peak, f.Value), st.Hours+1
			for _, t := range f.Terms {
				if !containsString(st.Terms, t) && len(st.Terms) < 10 {
					st.Terms = append(st.Terms, t)
				}
			}
			continue
		}
		out = append(out, Storm{From: h, To: h, Peak: f.Value, Hours: 1, Terms: f.Terms})
	}
	return out
}

func containsString(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// EvaluateWorkspace evaluates every enabled rule of the workspace now:
// a rule that fires opens an alert (and delivers it) or, while its alert is
// active, updates it; an alert whose rule stayed quiet for the cooldown is
// closed, which re-arms the rule.
func (s *Service) EvaluateWorkspace(ctx context.Context, workspaceID int64) error {
	rules, err := s.Store.ListAlertRules(ctx, workspaceID)
	if err != nil {
		return err
	}
	now := s.now()
	h := now.UTC().Truncate(time.Hour)
	var errs []error
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		if now.Sub(h) < LateHour {
			if err := s.applyEnded(ctx, r, h.Add(-time.Hour), now); err != nil {
				errs = append(errs, err)
			}
		}
		f, err := evaluateHour(ctx, s.Store, r, h)
		if err == nil {
			err = s.apply(ctx, r, f, h, now)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// LateHour is how long after an hour ends its rules are still evaluated on
// it: a post of 15:59:58 is stored and its evaluation runs after 16:00, when
// the current hour no longer holds it. Without this second look such a
// post never alerted (seen in BenchmarkPDSAlert).
const LateHour = 5 * time.Minute

// applyEnded opens an alert for the hour that just ended (starting at
// prev) if r fires on it and nothing covered that storm yet: no alert of
// the rule is open, and none fired during that hour or since (an alert
// closed after a short cooldown is the same storm, not a new one). It only
// opens: refiring and closing follow the current hour in apply.
func (s *Service) applyEnded(ctx context.Context, r store.ListenAlertRule, prev, now time.Time) error {
	latest, err := s.Store.GetLatestAlert(ctx, r.ID)
	switch {
	case err == nil && (latest.ClosedAt == nil || !latest.LastFiredAt.Before(prev)):
		return nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	}
	f, err := evaluateHour(ctx, s.Store, r, prev)
	if err != nil || !f.Fired {
		return err
	}
	return s.apply(ctx, r, f, prev, now)
}

// Evaluate evaluates the rules of every workspace that has one enabled.
func (s *Service) Evaluate(ctx context.Context) error {
	ws, err := s.Store.ListAlertWorkspaces(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ws {
		if err := s.EvaluateWorkspace(ctx, id); err != nil {
			s.Log.Error("evaluate listening alerts", "workspace", id, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// apply records f, r's verdict on the hour starting at hour.
func (s *Service) apply(ctx context.Context, r store.ListenAlertRule, f Firing, hour, now time.Time) error {
	// An alert "last fired" within the hour whose data fired it: for an
	// ended hour evaluated late, its last second. applyEnded reads it to
	// know which hours a storm's alert already covers, and the cooldown
	// counts from the data, not from the late look.
	fired := now
	if end := hour.Add(time.Hour - time.Second); fired.After(end) {
		fired = end
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		active, err := tx.GetActiveAlert(ctx, r.ID)
		hasActive := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		terms := strings.Join(f.Terms, ",")
		switch {
		case f.Fired && hasActive:
			// The same storm: update the open alert, send nothing.
			return tx.RefireAlert(ctx, store.RefireAlertParams{ID: active.ID, Value: f.Value, Baseline: f.Baseline, Terms: terms, LastFiredAt: fired})
		case f.Fired:
			a, err := tx.OpenAlert(ctx, store.OpenAlertParams{WorkspaceID: r.WorkspaceID, RuleID: r.ID, Title: r.Name,
				Hour: hour, Value: f.Value, Peak: f.Value, Baseline: f.Baseline, Terms: terms, OpenedAt: now, LastFiredAt: fired})
			if errors.Is(err, store.ErrConflict) {
				return nil // another evaluation opened it first
			}
			if err != nil {
				return err
			}
			return s.dispatch(ctx, tx, r, a)
		case hasActive && now.Sub(active.LastFiredAt) >= time.Duration(r.CooldownMinutes)*time.Minute:
			return tx.CloseAlert(ctx, store.CloseAlertParams{ID: active.ID, WorkspaceID: r.WorkspaceID, ClosedAt: &now})
		}
		return nil
	})
}

// EvaluateArgs is the job that evaluates the rules: of one workspace (as
// soon as new rollups land), or of all (the periodic job, WorkspaceID 0).
type EvaluateArgs struct {
	WorkspaceID int64 `json:"workspace_id,omitempty"`
}

// Kind implements river.JobArgs.
func (EvaluateArgs) Kind() string { return "listen_alerts_evaluate" }

// InsertOpts implements river.JobArgsWithInsertOpts: a burst of new rollups
// asks once per workspace and EvaluateEvery.
func (EvaluateArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: EvaluateEvery}}
}

// EvaluateEvery is how often every rule is evaluated.
const EvaluateEvery = time.Minute

// kickStates are the states in which an evaluation of a workspace makes a
// kick redundant: one waiting (it will read the new rollups) or running
// (evaluateKicked looks again when rollups moved under it). A finished one
// does not: the kick after it queues a new evaluation at once.
var kickStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled}

// Kick asks, in tx, for an evaluation of the workspace's rules: the
// ingestion calls it when it moves the rollups, so alerts do not wait for
// the periodic job.
func Kick(ctx context.Context, tx store.Tx, workspaceID int64) error {
	// However many batches arrive (the firehose stores several a second),
	// a workspace has at most one evaluation waiting and one running. A
	// period of uniqueness instead (10 s until 2026-12-03) skipped the
	// kicks after the period's evaluation had run: a lone post then waited
	// for the periodic job, up to a minute (docs/benchmarks.md,
	// BenchmarkPDSAlert).
	_, err := tx.InsertJob(ctx, EvaluateArgs{WorkspaceID: workspaceID}, &river.InsertOpts{
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: kickStates}})
	return err
}

// maxKickRounds bounds how many times one kicked evaluation looks again:
// a stream busy enough to move the rollups under every round queues the
// next evaluation by its next batch anyway.
const maxKickRounds = 3

// evaluateKicked evaluates the workspace's rules, then again while the
// hour's mention count moved under the evaluation: the batches stored
// meanwhile had their kick folded into this running job.
func (s *Service) evaluateKicked(ctx context.Context, workspaceID int64) error {
	count := func() (int64, error) {
		h := s.now().Truncate(time.Hour)
		rows, err := s.Store.AlertVolumeByHour(ctx, store.AlertVolumeByHourParams{WorkspaceID: workspaceID, Since: h, Until: h.Add(time.Hour)})
		var n int64
		for _, r := range rows {
			n += r.Mentions
		}
		return n, err
	}
	before, err := count()
	if err != nil {
		return err
	}
	for range maxKickRounds {
		if err := s.EvaluateWorkspace(ctx, workspaceID); err != nil {
			return err
		}
		after, err := count()
		if err != nil || after == before {
			return err
		}
		before = after
	}
	return nil
}

type evaluateWorker struct {
	river.WorkerDefaults[EvaluateArgs]
	s *Service
}

func (w *evaluateWorker) Work(ctx context.Context, job *river.Job[EvaluateArgs]) error {
	if job.Args.WorkspaceID != 0 {
		return w.s.evaluateKicked(ctx, job.Args.WorkspaceID)
	}
	return w.s.Evaluate(ctx)
}

// Register adds the evaluation and delivery workers.
func (s *Service) Register(workers *river.Workers) {
	river.AddWorker(workers, &evaluateWorker{s: s})
	river.AddWorker(workers, &deliverWorker{s: s})
}

// PeriodicJobs evaluates every workspace's rules every EvaluateEvery.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(EvaluateEvery),
		func() (river.JobArgs, *river.InsertOpts) { return EvaluateArgs{}, nil },
		&river.PeriodicJobOpts{ID: EvaluateArgs{}.Kind(), RunOnStart: true})}
}
