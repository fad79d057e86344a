// Package app wires Tribune together from a Config: the store, the use
// cases, the River client with its workers, the HTTP surface, the heartbeat.
// cmd/tribune and the end-to-end tests both start Tribune through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/calendar"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/contacts"
	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/idempotency"
	"github.com/tribune-social/tribune/internal/inbox"
	"github.com/tribune-social/tribune/internal/linkcard"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/listen/analysis"
	"github.com/tribune-social/tribune/internal/listen/signals"
	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/firehose"
	"github.com/tribune-social/tribune/internal/listen/source/jetstream"
	listenmastodon "github.com/tribune-social/tribune/internal/listen/source/mastodon"
	"github.com/tribune-social/tribune/internal/listen/source/reddit"
	"github.com/tribune-social/tribune/internal/listen/source/rss"
	listensandbox "github.com/tribune-social/tribune/internal/listen/source/sandbox"
	"github.com/tribune-social/tribune/internal/listen/source/x"
	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/media"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/mastodon"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/notify"
	"github.com/tribune-social/tribune/internal/ops"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/sentiment"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/postgres"
	"github.com/tribune-social/tribune/internal/store/sqlite"
	"github.com/tribune-social/tribune/internal/web"
	"github.com/tribune-social/tribune/internal/web/api"
	"github.com/tribune-social/tribune/internal/web/limit"
	"github.com/tribune-social/tribune/internal/web/ui"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// Version is set at build time.
var Version = "dev"

// Roles of a process.
type Roles struct {
	Web     bool // UI, API, health, metrics
	Workers bool // River workers (publishing, notifications)
}

// App is a running Tribune.
type App struct {
	Cfg      config.Config
	Log      *slog.Logger
	Store    store.Store
	Keys     *secret.Keyring
	Auth     *auth.Service
	Posts    *posts.Service
	Channels *channels.Service
	Media    *media.Service
	Calendar *calendar.Service
	Importer *calendar.Importer
	// LinkCards reads the pages links point to, for the composer's cards.
	LinkCards *linkcard.Service
	Status    *ops.Status
	Publisher *publish.Publisher
	Inbox     *inbox.Service
	Contacts  *contacts.Service
	Crisis    *crisis.Service
	Notifier  *notify.Notifier
	Metrics   *prometheus.Registry
	Sandbox   *sandbox.Server
	// Sentiment scores texts; one model per process (it weighs a few MB).
	Sentiment *sentiment.Model

	// ListenAnalysis is the listening dashboard and mention list.
	ListenAnalysis *analysis.Service

	// Live carries workspace events and presence to open pages, across
	// nodes on PostgreSQL.
	Live     *live.Broker
	Webhooks *webhooks.Service
	Signals  *signals.Service // listening's weak signals
	Alerts   *alerts.Service  // listening's alert rules
	Handler  http.Handler
	roles    Roles
	jobsUp   atomic.Bool
	// metricsAddr is where Run serves /metrics when Cfg.MetricsAddr is set,
	// known once Run has sent its ready address.
	metricsAddr string

	// Idempotency holds the API's recorded answers (Idempotency-Key).
	Idempotency *idempotency.Records

	// InboxStreams runs the push streams of the channels this node holds
	// the lease of (workers only).
	InboxStreams *inbox.Streams

	// Listen is listening (issue 15); ListenRunner runs the sources this
	// node holds the lease of (workers only).
	Listen       *listen.Service
	ListenRunner *listen.Runner
}

// OpenStore opens and migrates the configured database.
func OpenStore(ctx context.Context, cfg config.Config) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		s, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		if err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	}
	s, err := sqlite.Open(cfg.SQLitePath())
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// keyring reads the configured keys, or the key generated into the data
// directory on first start (so `make run` needs no setup).
func keyring(cfg config.Config) (*secret.Keyring, error) {
	if cfg.SecretKeys != "" {
		return secret.ParseKeyring(cfg.SecretKeys)
	}
	path := filepath.Join(cfg.DataDir, "secret.key")
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		// Owner-only, like the database and media created in it.
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, err
		}
		spec := secret.NewKeySpec("k1")
		// O_EXCL: two nodes starting together on one data directory agree on one key.
		f, werr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if werr == nil {
			_, werr = f.WriteString(spec + "\n")
			f.Close()
		}
		if werr != nil && !errors.Is(werr, os.ErrExist) {
			return nil, werr
		}
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return secret.ParseKeyring(strings.TrimSpace(string(raw)))
}

// New builds an App. It opens and migrates the database.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, roles Roles) (*App, error) {
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, Store: st, roles: roles, Metrics: prometheus.NewRegistry()}
	// Loaded before the web and worker parts that share it (the inbox scores
	// every item it stores).
	a.Sentiment = sentiment.New()
	a.Live = newLive(ctx, st, log)
	if err := a.build(); err != nil {
		a.Live.Stop()
		st.Close()
		return nil, err
	}
	return a, nil
}

// newLive starts the live layer: through LISTEN/NOTIFY when the store is
// PostgreSQL (every node sharing the database hears every event), in process
// on SQLite. A database that does not answer LISTEN within a few seconds
// does not stop the node: the broker keeps trying in the background, and
// pages get a resync once it listens.
func newLive(ctx context.Context, st store.Store, log *slog.Logger) *live.Broker {
	o := live.Options{Log: log.With("part", "live")}
	if pg, ok := st.(interface{ Pool() *pgxpool.Pool }); ok {
		o.Pool = pg.Pool()
	}
	b := live.New(o)
	startCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := b.Start(startCtx); err != nil {
		log.Warn("live: not listening yet", "err", err)
	}
	return b
}

// River's fetch timing: a due job is picked within FetchPollInterval when
// LISTEN/NOTIFY is unavailable (SQLite), and a busy producer fetches again
// after FetchCooldown. The bare-River benchmark uses the same values.
const (
	FetchPollInterval = 200 * time.Millisecond
	FetchCooldown     = 10 * time.Millisecond
)

// NetworkClient is the HTTP client of the connectors that call addresses
// users supply (Mastodon instances, Bluesky PDSes): https to public
// addresses only, unless -allow-private-networks is set (httpx.NewClient).
// Connections to a network are kept for reuse by every worker: with Go's
// default of two idle connections per host, a burst of publishing jobs would
// open (and close) a new connection for nearly every call.
func NetworkClient(cfg config.Config) *http.Client {
	return httpx.NewClient(httpx.Options{Timeout: cfg.NetworkTimeout, MaxIdleConnsPerHost: max(cfg.Workers, 2),
		AllowPrivate: cfg.AllowPrivateNetworks})
}

// SandboxClient is the Sandbox connector's client: the operator chose the
// sandbox's address (built in, or -sandbox-url), so it may be private or
// http, but the client reaches that origin and nothing else.
func SandboxClient(cfg config.Config, sandboxURL string) *http.Client {
	return httpx.NewClient(httpx.Options{Timeout: cfg.NetworkTimeout, MaxIdleConnsPerHost: max(cfg.Workers, 2),
		AllowPrivate: true, Origin: sandboxURL})
}

func (a *App) build() error {
	cfg, now := a.Cfg, time.Now
	keys, err := keyring(cfg)
	if err != nil {
		return err
	}
	a.Keys = keys
	a.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	sandboxURL, control := cfg.SandboxURL, cfg.SandboxControlToken
	if control == "" && sandboxURL == "" {
		// The mounted Sandbox and this process's connector share it; nobody
		// else needs it (Tribune's own routes check the member's role).
		control = secret.NewToken("sbx_")
	}
	if sandboxURL == "" && a.roles.Web {
		a.Sandbox, err = sandbox.NewServer(sandbox.Options{DataFile: filepath.Join(cfg.DataDir, "sandbox.jsonl"), Idempotency: true,
			Logger: a.Log.With("part", "sandbox"), PublicURL: cfg.PublicURL + "/sandbox", ControlToken: control})
		if err != nil {
			return err
		}
	}
	if sandboxURL == "" {
		sandboxURL = cfg.PublicURL + "/sandbox"
	}
	sb := sandbox.NewConnector(SandboxClient(cfg, sandboxURL))
	sb.ControlToken = control
	client := NetworkClient(cfg)
	md := mastodon.New(client)
	bs := bluesky.New(client)
	a.Auth = &auth.Service{Store: a.Store, Now: now}
	a.Notifier = &notify.Notifier{Store: a.Store, Now: now, SMTP: notify.SMTP{Host: cfg.SMTPHost, Port: cfg.SMTPPort, User: cfg.SMTPUser,
		Password: cfg.SMTPPassword, From: cfg.SMTPFrom, PublicURL: cfg.PublicURL}}
	a.Auth.PublicURL = cfg.PublicURL
	if cfg.SMTPHost != "" {
		a.Auth.Mailer = a.Notifier.SMTP // password-reset links by e-mail
	}
	a.Channels = &channels.Service{Store: a.Store, Auth: a.Auth, Keys: keys, Sandbox: sb, Mastodon: md, Bluesky: bs,
		SandboxURL: sandboxURL, PublicURL: cfg.PublicURL, Now: now}
	a.Media = &media.Service{Store: a.Store, Auth: a.Auth, Dir: cfg.MediaDir(), Now: now}
	if err := a.Media.RemoveStaleUploads(); err != nil {
		a.Log.Warn("remove stale uploads", "err", err)
	}
	a.Posts = &posts.Service{Store: a.Store, Auth: a.Auth, Notifier: a.Notifier, Now: now}
	a.Calendar = &calendar.Service{Store: a.Store, Auth: a.Auth, PublicURL: cfg.PublicURL, Now: now}
	a.Importer = &calendar.Importer{Calendar: a.Calendar, Posts: a.Posts, Media: a.Media, Fetch: client}
	a.LinkCards = linkcard.New(a.Auth, client, now, linkcard.CacheSize)
	a.Status = &ops.Status{Store: a.Store, Now: now}
	a.Idempotency = &idempotency.Records{Store: a.Store, Keys: keys, Now: now}
	a.Publisher = &publish.Publisher{Store: a.Store, Accounts: a.Channels, Media: a.Media, Notifier: a.Notifier,
		Metrics: publish.NewMetrics(a.Metrics), Node: cfg.NodeID, Log: a.Log.With("part", "publish"), Now: now, CallTimeout: cfg.NetworkTimeout,
		Connectors: map[string]network.Connector{"sandbox": sb, "mastodon": md, "bluesky": bs}}
	// The inbox reads the connectors that implement network.Inbox, and
	// analyses every item with the process's one sentiment model.
	a.Inbox = &inbox.Service{Store: a.Store, Auth: a.Auth, Connectors: a.Publisher.Connectors, Accounts: a.Channels,
		Analyzer: a.Sentiment, Notifier: a.Notifier, Log: a.Log.With("part", "inbox"), Now: now}
	a.Contacts = &contacts.Service{Store: a.Store, Auth: a.Auth, Now: now}
	// The crisis cell hears of held posts and inbox replies, and clears its holding statements through the pause.
	a.Crisis = &crisis.Service{Store: a.Store, Auth: a.Auth, Posts: a.Posts, Email: cfg.SMTPHost != "", Log: a.Log.With("part", "crisis"), Now: now}
	a.Publisher.Crisis, a.Inbox.Crisis = a.Crisis, a.Crisis
	a.ListenAnalysis = &analysis.Service{Store: a.Store, Auth: a.Auth, Now: now}

	a.Webhooks = &webhooks.Service{Store: a.Store, Auth: a.Auth, Keys: keys, HTTP: client, AllowPrivate: cfg.AllowPrivateNetworks,
		Notifier: a.Notifier, Log: a.Log.With("part", "webhooks"), Now: now}
	// The inbox queues its webhooks in its own transactions and tells open
	// pages once they commit.
	a.Inbox.Webhooks, a.Inbox.Live = a.Webhooks, a.Live
	// A moderation rule escalates to one of the workspace's endpoints.
	a.Inbox.RuleWebhooks = a.Webhooks
	a.Publisher.Webhooks = func(ctx context.Context, tx store.Tx, ws int64, t string, data []any) error {
		return a.Webhooks.EmitEach(ctx, tx, ws, webhooks.EventType(t), data)
	}
	if a.Live != nil {
		a.Inbox.Guard = a.Live
	}
	a.Signals = &signals.Service{Store: a.Store, Auth: a.Auth, Now: now}
	// A crisis alert rule opens the crisis cell (pause, banner, team told).
	a.Alerts = &alerts.Service{Crisis: a.Crisis, Store: a.Store, Auth: a.Auth, Webhooks: a.Webhooks, Keys: keys, SMTP: a.Notifier.SMTP, HTTP: client,
		AllowPrivate: cfg.AllowPrivateNetworks, PublicURL: cfg.PublicURL, Log: a.Log.With("part", "alerts"), Now: now}

	kinds := source.Registry{}
	kinds.Add(listensandbox.Kind(SandboxClient(cfg, sandboxURL), sandboxURL))
	for _, k := range []source.Kind{jetstream.Kind(), firehose.Kind(), listenmastodon.Kind(), rss.Kind(), reddit.Kind(), x.Kind()} {
		kinds.Add(k)
	}
	a.Listen = &listen.Service{Store: a.Store, Auth: a.Auth, Keys: keys, Analyzer: a.Sentiment, Kinds: kinds,
		Deps: source.Deps{HTTP: client, Log: a.Log.With("part", "listen")}, Sandbox: sb, SandboxURL: sandboxURL, Log: a.Log.With("part", "listen"), Now: now}
	a.Listen.OnStored = alerts.Kick

	rc := &river.Config{ID: cfg.NodeID, Logger: a.Log.With("part", "river"), FetchPollInterval: FetchPollInterval, FetchCooldown: FetchCooldown,
		// A job running longer than this is presumed dead (its node crashed)
		// and rescued; publishing is safe to rescue because of the in-flight marks.
		RescueStuckJobsAfter: cfg.JobTimeout + 30*time.Second,
		JobTimeout:           cfg.JobTimeout}
	if a.roles.Workers {
		workers := river.NewWorkers()
		a.Publisher.Register(workers)
		a.Notifier.Register(workers)
		a.Idempotency.Register(workers)
		a.Inbox.Register(workers)
		a.Webhooks.Register(workers)
		a.Alerts.Register(workers)
		a.InboxStreams = &inbox.Streams{Inbox: a.Inbox, Node: cfg.NodeID}
		a.ListenRunner = &listen.Runner{Service: a.Listen, Node: cfg.NodeID}
		a.Listen.Register(workers, a.ListenRunner)
		rc.Workers = workers
		rc.PeriodicJobs = append(idempotency.PeriodicJobs(), a.Inbox.PeriodicJobs()...)
		rc.PeriodicJobs = append(rc.PeriodicJobs, webhooks.PeriodicJobs()...)
		rc.PeriodicJobs = append(rc.PeriodicJobs, listen.PeriodicJobs()...)
		rc.PeriodicJobs = append(rc.PeriodicJobs, alerts.PeriodicJobs()...)
		rc.Queues = map[string]river.QueueConfig{
			publish.Queue:      {MaxWorkers: cfg.Workers},
			"notify":           {MaxWorkers: 2},
			inbox.Queue:        {MaxWorkers: 2},
			webhooks.Queue:     {MaxWorkers: 4},
			listen.Queue:       {MaxWorkers: 2},
			river.QueueDefault: {MaxWorkers: 2},
		}
	}
	if err := a.Store.SetupJobs(rc); err != nil {
		return err
	}
	if a.roles.Web {
		uiHandler, err := ui.New(ui.Deps{Auth: a.Auth, Notifications: a.Notifier, Posts: a.Posts, Channels: a.Channels, Media: a.Media,
			Calendar: a.Calendar, Importer: a.Importer, LinkCards: a.LinkCards, Status: a.Status, Inbox: a.Inbox, Idempotency: a.Idempotency, Webhooks: a.Webhooks, Contacts: a.Contacts, Crisis: a.Crisis, Listen: a.Listen, ListenAnalysis: a.ListenAnalysis, Signals: a.Signals, Alerts: a.Alerts, Log: a.Log.With("part", "ui"), Now: now,
			PublicURL: cfg.PublicURL, Secure: strings.HasPrefix(cfg.PublicURL, "https://"), Live: a.Live, LiveHeartbeat: cfg.LiveHeartbeat})
		if err != nil {
			return err
		}
		apiHandler := api.New(api.Deps{Auth: a.Auth, Notifications: a.Notifier, Posts: a.Posts, Channels: a.Channels, Media: a.Media,
			Calendar: a.Calendar, Importer: a.Importer, Status: a.Status, Idempotency: a.Idempotency, Inbox: a.Inbox, Webhooks: a.Webhooks, Contacts: a.Contacts, ListenAnalysis: a.ListenAnalysis, Signals: a.Signals, Alerts: a.Alerts, Log: a.Log.With("part", "api"), Now: now,
			Sentiment: a.Sentiment, Crisis: a.Crisis, Listen: a.Listen})
		parts := web.Parts{UI: uiHandler, API: apiHandler, Static: ui.Static(), Health: a.health, Metrics: a.Metrics, Log: a.Log,
			MetricsToken: cfg.MetricsToken, MetricsElsewhere: cfg.MetricsAddr != ""}
		parts.Limits = limit.New(limit.Config{TokenPerMinute: cfg.APIRateLimit, AddressPerMinute: cfg.APIRateLimitAddress,
			WriteCost: cfg.APIWriteCost, MaxWritesInFlight: cfg.MaxWritesInFlight, WriteWait: 2 * time.Second, Tarpit: time.Second,
			TrustedProxies: cfg.TrustedProxies, Now: now})
		if a.Sandbox != nil {
			parts.Sandbox = a.Sandbox
		}
		a.Handler = web.Handler(parts)
	}
	return nil
}

// health answers 200 when the database answers.
func (a *App) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	if err := a.Store.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, `{"status":"unavailable","database":%q}`, err.Error())
		return
	}
	fmt.Fprintf(w, `{"status":"ok","jobs":%t,"version":%q}`, a.jobsUp.Load(), Version)
}

// Run serves until ctx ends, then stops the HTTP server and the workers
// gracefully. ready, when not nil, receives the listening address.
func (a *App) Run(ctx context.Context, ready chan<- string) error {
	defer a.Close()
	var roles []string
	if a.roles.Web {
		roles = append(roles, "web")
	}
	if a.roles.Workers {
		roles = append(roles, "workers")
		if err := a.Store.Jobs().Start(ctx); err != nil {
			return fmt.Errorf("start jobs: %w", err)
		}
		a.jobsUp.Store(true)
	}
	hb := &ops.Heartbeat{Store: a.Store, NodeID: a.Cfg.NodeID, Roles: roles, Version: Version, Log: a.Log, Now: time.Now,
		Scheduler: func() bool { return a.jobsUp.Load() }}
	hbCtx, stopHB := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHB()
	go hb.Run(hbCtx)

	// The inbox's streams stop with the workers; each gives its channel's
	// lease back, so another node takes it over at once.
	streamsDone := make(chan struct{})
	stopStreams := func() {}
	if a.InboxStreams != nil {
		sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		stopStreams = func() { cancel(); <-streamsDone }
		go func() { defer close(streamsDone); _ = a.InboxStreams.Run(sctx) }()
	}
	defer stopStreams() // on the early returns below; calling it twice is harmless
	// Listening's sources, started by the periodic job, stop with the
	// workers and give their leases back.
	if a.ListenRunner != nil {
		a.ListenRunner.Start(ctx)
		defer a.ListenRunner.Stop()
	}

	errc := make(chan error, 2)
	var srv, metricsSrv *http.Server
	if a.Cfg.MetricsAddr != "" {
		// Its own listener, for a scraper on a private network: served by
		// every node, workers-only ones included.
		ln, err := net.Listen("tcp", a.Cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		a.metricsAddr = ln.Addr().String()
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", web.MetricsHandler(a.Metrics, a.Cfg.MetricsToken))
		metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
		go func() { errc <- metricsSrv.Serve(ln) }()
	}
	if a.roles.Web {
		ln, err := net.Listen("tcp", a.Cfg.Addr)
		if err != nil {
			return err
		}
		srv = &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
		// Shutdown waits for every request to end; open event streams end
		// only when the broker closes them.
		srv.RegisterOnShutdown(a.Live.Stop)
		go func() { errc <- srv.Serve(ln) }()
		if ready != nil {
			ready <- ln.Addr().String()
		}
	} else if ready != nil {
		ready <- ""
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if srv != nil {
		_ = srv.Shutdown(stopCtx)
	}
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(stopCtx)
	}
	stopStreams()
	if a.ListenRunner != nil {
		a.ListenRunner.Stop()
	}
	if a.roles.Workers {
		a.jobsUp.Store(false)
		if stopErr := a.Store.Jobs().Stop(stopCtx); stopErr != nil {
			a.Log.Warn("stop jobs", "err", stopErr)
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// MetricsAddr is the address Run serves /metrics on apart from the UI and
// API (Cfg.MetricsAddr with its port resolved), or "" when /metrics is on
// the main address. Read it after Run sent its ready address.
func (a *App) MetricsAddr() string { return a.metricsAddr }

// Close releases the database and the sandbox.
func (a *App) Close() {
	a.Live.Stop()
	if a.Sandbox != nil {
		_ = a.Sandbox.Close()
	}
	_ = a.Store.Close()
}
