// Command tribune is Tribune: `serve` runs the web UI, the API and the
// publishing workers; `worker` adds publishing capacity on another node;
// `migrate`, `backup` and `sandbox` are the operator's tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/tribune-social/tribune/internal/app"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/demo"
	"github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/secret"
	"github.com/tribune-social/tribune/internal/store/sqlite"
)

const usage = `Tribune — plan, approve, schedule and publish to social networks.

Usage:
  tribune serve   [flags]   web UI, REST API and publishing workers
  tribune worker  [flags]   publishing workers only (another node on the same PostgreSQL)
  tribune migrate [flags]   bring the database schema up to date
  tribune backup  [flags] FILE   online copy of the SQLite database to FILE
  tribune user reset-password [flags] EMAIL   print a one-time link to choose a new password
  tribune sandbox [-addr A] [-data F] [-no-idempotency] [-control-token T]   the Sandbox network alone
  tribune sentiment [-lang auto|fr|en]   one text per line on stdin, one JSON sentiment per line on stdout
  tribune match [-n] QUERY   print the stdin lines (text or JSON) the listening query matches
  tribune version

Every flag has an environment variable; see 'tribune serve -h'.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "match" {
		// grep's exit statuses (0, 1, 2), which run's error cannot carry.
		os.Exit(runMatch(os.Args[2:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
	}
	if err := run(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "tribune:", err)
		os.Exit(1)
	}
}

func logger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func run(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve", "worker":
		cfg, err := config.Load(cmd, rest, getenv)
		if err != nil {
			return err
		}
		log := logger(cfg, os.Stderr)
		roles := app.Roles{Web: cmd == "serve", Workers: true}
		a, err := app.New(ctx, cfg, log, roles)
		if err != nil {
			return err
		}
		ready := make(chan string, 1)
		errc := make(chan error, 1)
		go func() { errc <- a.Run(ctx, ready) }()
		select {
		case addr := <-ready:
			if cmd == "serve" {
				created := false
				if cfg.Demo {
					created, err = demo.Seed(ctx, a.Store, a.Auth, a.Channels, a.Posts, time.Now())
					if err != nil {
						log.Error("demo", "err", err)
					}
					if created {
						if err := demo.SeedListening(ctx, a.Store, a.Auth, a.Listen); err != nil {
							log.Error("demo listening", "err", err)
						}
					}
				}
				// Start-up allocates tens of megabytes it never needs again
				// (argon2's 19 MiB per password the demo hashes, goose's
				// migration parser buffers): handed back to the system now,
				// rather than when the scavenger gets to them, an idle
				// server holds only what it uses.
				debug.FreeOSMemory()
				fmt.Fprintf(stdout, "Tribune is running at http://%s\n", addr)
				if created {
					fmt.Fprintf(stdout, "Demo login: %s / %s\n", demo.Email, demo.Password)
				} else if cfg.Demo {
					fmt.Fprintf(stdout, "Demo login (if you kept the demo data): %s / %s\n", demo.Email, demo.Password)
				}
			} else {
				fmt.Fprintf(stdout, "Tribune worker %s is running\n", cfg.NodeID)
			}
		case err := <-errc:
			return err
		}
		return <-errc
	case "migrate":
		cfg, err := config.Load(cmd, rest, getenv)
		if err != nil {
			return err
		}
		st, err := app.OpenStore(ctx, cfg)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s database is up to date\n", st.Dialect())
		return st.Close()
	case "backup":
		if len(rest) == 0 {
			return errors.New("backup: give the file to write: tribune backup [flags] FILE")
		}
		file := rest[len(rest)-1]
		cfg, err := config.Load(cmd, rest[:len(rest)-1], getenv)
		if err != nil {
			return err
		}
		if cfg.DatabaseURL != "" {
			return errors.New("backup: PostgreSQL databases are backed up with pg_dump")
		}
		st, err := sqlite.Open(cfg.SQLitePath())
		if err != nil {
			return err
		}
		defer st.Close()
		abs, _ := filepath.Abs(file)
		if err := st.Backup(ctx, abs); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "backup written to %s\n", abs)
		return nil
	case "user":
		return runUser(ctx, rest, stdout, getenv)
	case "sandbox":
		return runSandbox(ctx, rest, stdout)
	case "sentiment":
		return runSentiment(rest, os.Stdin, stdout)
	case "version":
		fmt.Fprintln(stdout, "tribune", app.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

func runSandbox(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on")
	data := fs.String("data", "", "JSON-lines file keeping accounts and posts (empty: memory only)")
	noIdem := fs.Bool("no-idempotency", false, "ignore Idempotency-Key, as some real servers do (tests Tribune's own protection)")
	control := fs.String("control-token", os.Getenv("TRIBUNE_SANDBOX_CONTROL_TOKEN"), "token of the control endpoints /_sandbox/… (give Tribune the same as TRIBUNE_SANDBOX_CONTROL_TOKEN); empty: one is generated and printed ($TRIBUNE_SANDBOX_CONTROL_TOKEN)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *control == "" {
		*control = secret.NewToken("sbx_")
		fmt.Fprintf(stdout, "Sandbox control token (set TRIBUNE_SANDBOX_CONTROL_TOKEN to it for Tribune): %s\n", *control)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := sandbox.NewServer(sandbox.Options{DataFile: *data, Idempotency: !*noIdem, Logger: log, PublicURL: "http://" + ln.Addr().String(),
		ControlToken: *control})
	if err != nil {
		return err
	}
	defer srv.Close()
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	fmt.Fprintf(stdout, "Sandbox network listening at http://%s\n", ln.Addr())
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
