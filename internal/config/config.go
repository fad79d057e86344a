// Package config reads Tribune's settings once, from flags and environment
// variables (a flag wins over its variable), into one Config value that is
// validated and passed to whatever needs it.
//
// One table (Settings) declares every setting: it drives the flags, the
// environment variables, `tribune help` and the README's configuration table.
// That table is why this package does not use an env-tag library.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of a Tribune process.
type Config struct {
	Addr           string
	MetricsAddr    string
	MetricsToken   string
	DataDir        string
	DatabaseURL    string
	PublicURL      string
	SecretKeys     string
	SandboxURL     string
	Demo           bool
	Workers        int
	NetworkTimeout time.Duration
	JobTimeout     time.Duration
	NodeID         string
	LogLevel       string
	LogFormat      string
	SMTPHost       string
	SMTPPort       int
	SMTPUser       string
	SMTPPassword   string
	SMTPFrom       string

	// AllowPrivateNetworks lets the addresses users type be http:// or
	// private, loopback, link-local (development and tests only).
	AllowPrivateNetworks bool

	// SandboxControlToken opens the Sandbox's control endpoints.
	SandboxControlToken string

	// Limits of package web/limit (see the settings' usage).
	APIRateLimit        int
	APIRateLimitAddress int
	APIWriteCost        int
	MaxWritesInFlight   int
	TrustedProxies      []netip.Prefix

	// LiveHeartbeat is how often an open event stream is sent a keep-alive
	// and its session checked again (so a stream ends soon after logout);
	// 0 is 15 s. Not a setting: tests shorten it.
	LiveHeartbeat time.Duration
}

// Setting is one line of the table.
type Setting struct {
	Flag, Env, Default, Usage string
	set                       func(c *Config, v string) error
}

func integer(p func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) (err error) { *p(c), err = strconv.Atoi(v); return }
}

func prefixes(c *Config, v string) error {
	c.TrustedProxies = nil
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return err
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	}
	return nil
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

// Settings lists every setting.
var Settings = []Setting{
	{"addr", "TRIBUNE_ADDR", "127.0.0.1:8080", "address the web UI and API listen on", str(func(c *Config) *string { return &c.Addr })},
	{"metrics-addr", "TRIBUNE_METRICS_ADDR", "", "address to serve /metrics on, apart from the UI and API (then not on -addr); empty: /metrics on -addr", str(func(c *Config) *string { return &c.MetricsAddr })},
	{"metrics-token", "TRIBUNE_METRICS_TOKEN", "", "bearer token /metrics requires (Authorization: Bearer TOKEN); empty: /metrics is open to whoever reaches its address", str(func(c *Config) *string { return &c.MetricsToken })},
	{"data-dir", "TRIBUNE_DATA_DIR", "./data", "directory for the SQLite database, media files and the generated key", str(func(c *Config) *string { return &c.DataDir })},
	{"database-url", "TRIBUNE_DATABASE_URL", "", "postgres://… to use PostgreSQL; empty: SQLite in the data directory. A server on this machine (localhost, 127.0.0.1, ::1 or a socket) is reached without TLS unless the URL or PGSSLMODE sets sslmode: on the loopback interface TLS protects nothing and cost a tenth of ingestion's CPU", str(func(c *Config) *string { return &c.DatabaseURL })},
	{"public-url", "TRIBUNE_PUBLIC_URL", "", "address users reach Tribune at (OAuth callbacks, links in e-mails); default http://ADDR", str(func(c *Config) *string { return &c.PublicURL })},
	{"secret-keys", "TRIBUNE_SECRET_KEYS", "", "token encryption keys, id:base64(32 bytes)[,older…]; empty: generated once into DATA_DIR/secret.key", str(func(c *Config) *string { return &c.SecretKeys })},
	{"sandbox-url", "TRIBUNE_SANDBOX_URL", "", "address of a separate `tribune sandbox`; empty: the sandbox network is mounted at /sandbox", str(func(c *Config) *string { return &c.SandboxURL })},
	{"sandbox-control-token", "TRIBUNE_SANDBOX_CONTROL_TOKEN", "", "token of the Sandbox's control endpoints (faults, every received post); with -sandbox-url, the one given to tribune sandbox; empty: random at each start for the mounted Sandbox", str(func(c *Config) *string { return &c.SandboxControlToken })},
	{"demo", "TRIBUNE_DEMO", "false", "create the demo organisation when the database is empty", func(c *Config, v string) (err error) { c.Demo, err = strconv.ParseBool(v); return }},
	{"workers", "TRIBUNE_WORKERS", "200", "publishing jobs worked at once by this node", func(c *Config, v string) (err error) { c.Workers, err = strconv.Atoi(v); return }},
	{"network-timeout", "TRIBUNE_NETWORK_TIMEOUT", "30s", "time-out of one call to a social network", func(c *Config, v string) (err error) { c.NetworkTimeout, err = time.ParseDuration(v); return }},
	{"allow-private-networks", "TRIBUNE_ALLOW_PRIVATE_NETWORKS", "false", "let the addresses users type (Mastodon instance, Bluesky PDS) be http:// or private, loopback, link-local; for development and tests only (the Sandbox never needs it)", func(c *Config, v string) (err error) { c.AllowPrivateNetworks, err = strconv.ParseBool(v); return }},
	{"job-timeout", "TRIBUNE_JOB_TIMEOUT", "2m", "longest a publishing job may run; a job silent for this plus 30 s is presumed dead (its node crashed) and rescued", func(c *Config, v string) (err error) { c.JobTimeout, err = time.ParseDuration(v); return }},
	{"node-id", "TRIBUNE_NODE_ID", "", "name of this node on the status page; default HOSTNAME-PID", str(func(c *Config) *string { return &c.NodeID })},
	{"log-level", "TRIBUNE_LOG_LEVEL", "info", "debug, info, warn or error", str(func(c *Config) *string { return &c.LogLevel })},
	{"log-format", "TRIBUNE_LOG_FORMAT", "text", "text or json", str(func(c *Config) *string { return &c.LogFormat })},
	{"smtp-host", "TRIBUNE_SMTP_HOST", "", "SMTP server for e-mail notifications; empty: in-app notifications only", str(func(c *Config) *string { return &c.SMTPHost })},
	{"smtp-port", "TRIBUNE_SMTP_PORT", "587", "SMTP port", func(c *Config, v string) (err error) { c.SMTPPort, err = strconv.Atoi(v); return }},
	{"smtp-user", "TRIBUNE_SMTP_USER", "", "SMTP user name", str(func(c *Config) *string { return &c.SMTPUser })},
	{"smtp-password", "TRIBUNE_SMTP_PASSWORD", "", "SMTP password", str(func(c *Config) *string { return &c.SMTPPassword })},
	{"smtp-from", "TRIBUNE_SMTP_FROM", "tribune@localhost", "sender address of notification e-mails", str(func(c *Config) *string { return &c.SMTPFrom })},
	{"api-rate-limit", "TRIBUNE_API_RATE_LIMIT", "1200", "API request units per minute per token (a read costs 1, a write -api-write-cost; a whole minute may be spent at once); 0: no limit", integer(func(c *Config) *int { return &c.APIRateLimit })},
	{"api-rate-limit-address", "TRIBUNE_API_RATE_LIMIT_ADDRESS", "2400", "API request units per minute per client address, with or without a token; 0: no limit", integer(func(c *Config) *int { return &c.APIRateLimitAddress })},
	{"api-write-cost", "TRIBUNE_API_WRITE_COST", "4", "units an API write (POST, PUT, PATCH, DELETE) costs against the rate limits", integer(func(c *Config) *int { return &c.APIWriteCost })},
	{"max-writes-in-flight", "TRIBUNE_MAX_WRITES_IN_FLIGHT", "4", "UI and API writes this node runs at once (more wait up to 2 s, then get 503), so a flood never starves publishing; 0: no bound", integer(func(c *Config) *int { return &c.MaxWritesInFlight })},
	{"trusted-proxies", "TRIBUNE_TRUSTED_PROXIES", "", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For names the client; empty: the connection's address is the client", prefixes},
}

// Load reads args (without the program and subcommand names) and the
// environment given by getenv.
func Load(name string, args []string, getenv func(string) string) (Config, error) {
	var c Config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	values := map[string]*string{}
	for _, s := range Settings {
		def := s.Default
		if v := getenv(s.Env); v != "" {
			def = v
		}
		v := &value{s: def, boolean: s.Default == "false" || s.Default == "true"}
		values[s.Flag] = &v.s
		fs.Var(v, s.Flag, s.Usage+" ($"+s.Env+")")
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var errs []error
	for _, s := range Settings {
		if err := s.set(&c, *values[s.Flag]); err != nil {
			errs = append(errs, fmt.Errorf("-%s / %s: %v", s.Flag, s.Env, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, c.validate()
}

// value is a flag's text; boolean settings work as -demo alone.
type value struct {
	s       string
	boolean bool
}

func (v *value) String() string     { return v.s }
func (v *value) Set(s string) error { v.s = s; return nil }
func (v *value) IsBoolFlag() bool   { return v.boolean }

func (c *Config) validate() error {
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.NodeID == "" {
		host, _ := os.Hostname()
		c.NodeID = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if c.JobTimeout < 2*c.NetworkTimeout {
		return errors.New("-job-timeout must be at least twice -network-timeout")
	}
	if c.Workers < 1 {
		return errors.New("-workers must be at least 1")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return errors.New("TRIBUNE_DATABASE_URL must start with postgres://")
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") {
		return errors.New("-metrics-addr must differ from -addr (leave it empty to serve /metrics on -addr)")
	}
	if c.APIRateLimit < 0 || c.APIRateLimitAddress < 0 || c.MaxWritesInFlight < 0 {
		return errors.New("-api-rate-limit, -api-rate-limit-address and -max-writes-in-flight must not be negative")
	}
	if c.APIWriteCost < 1 || (c.APIRateLimit > 0 && c.APIWriteCost > c.APIRateLimit) || (c.APIRateLimitAddress > 0 && c.APIWriteCost > c.APIRateLimitAddress) {
		return errors.New("-api-write-cost must be at least 1 and at most the rate limits")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("-log-format must be text or json, not %q", c.LogFormat)
	}
	return nil
}

// SQLitePath is the database file used when DatabaseURL is empty.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "tribune.db") }

// MediaDir is where uploaded media files are kept.
func (c Config) MediaDir() string { return filepath.Join(c.DataDir, "media") }

// Markdown renders the settings as the README's table.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| flag | environment variable | default | what it does |\n|---|---|---|---|\n")
	for _, s := range Settings {
		def := "—"
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		fmt.Fprintf(&b, "| `-%s` | `%s` | %s | %s |\n", s.Flag, s.Env, def, s.Usage)
	}
	return b.String()
}
