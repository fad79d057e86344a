// Package web assembles Tribune's HTTP surface: the browser UI and the REST
// API on separate muxes with their own security (cookies and cross-origin
// protection for the UI, bearer tokens for the API), health and metrics
// endpoints, static assets, and the sandbox network when it is mounted.
package web

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tribune-social/tribune/internal/web/edge"
	"github.com/tribune-social/tribune/internal/web/limit"
)

// Parts are the handlers the root mux routes to.
type Parts struct {
	UI      http.Handler // "/"
	API     http.Handler // "/api/"
	Static  http.Handler // "/static/"
	Sandbox http.Handler // "/sandbox/" (nil when the sandbox runs elsewhere)
	Health  http.HandlerFunc
	Metrics *prometheus.Registry
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// MetricsElsewhere leaves /metrics off this handler: it is served on
	// its own address (MetricsHandler).
	MetricsElsewhere bool
	Log              *slog.Logger
	Limits           *limit.Limits // rate limits and admission of writes (nil: none)
}

// Handler builds the root handler.
func Handler(p Parts) http.Handler {
	mux := http.NewServeMux()
	ui, api := p.UI, p.API
	if p.Limits != nil {
		// Only the UI and the API are limited: /healthz, /metrics, assets and
		// the mounted sandbox (which the publisher itself calls) never wait.
		ui, api = p.Limits.UI(ui), p.Limits.API(api)
	}
	mux.Handle("/", ui)
	mux.Handle("/api/", api)
	mux.Handle("/static/", p.Static)
	if p.Sandbox != nil {
		mux.Handle("/sandbox/", http.StripPrefix("/sandbox", p.Sandbox))
	}
	mux.HandleFunc("GET /healthz", p.Health)
	if !p.MetricsElsewhere {
		mux.Handle("GET /metrics", MetricsHandler(p.Metrics, p.MetricsToken))
	}
	lat := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tribune_http_request_duration_seconds",
		Help: "HTTP request latency by route pattern and status.", Buckets: prometheus.DefBuckets}, []string{"route", "code"})
	p.Metrics.MustRegister(lat)
	h := observe(mux, lat, p.Log)
	if p.Limits != nil {
		// Outside observe, which reads the route the mux sets on its request.
		h = p.Limits.Addresses(h)
	}
	return h
}

// MetricsHandler serves reg's metrics; with a token, only to a request that
// carries it as a bearer token (compared in constant time). The metrics
// name channels' networks, job counts and timings: not for everyone who can
// reach the address.
func MetricsHandler(reg *prometheus.Registry, token string) http.Handler {
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need a bearer token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// observe logs each request, measures its latency by route pattern (not by
// path, which would explode the metric's cardinality) and turns a panic
// into a 500 with the stack in the log.
func observe(next http.Handler, lat *prometheus.HistogramVec, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				log.Error("panic", "path", edge.RedactPath(r.URL.Path), "panic", v, "stack", string(debug.Stack()))
				if rec.status == 0 {
					http.Error(rec, "internal error", http.StatusInternalServerError)
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			lat.WithLabelValues(route, strconv.Itoa(status)).Observe(d.Seconds())
			if r.URL.Path != "/healthz" && r.URL.Path != "/metrics" {
				log.Debug("http", "method", r.Method, "path", edge.RedactPath(r.URL.Path), "status", status, "duration", d)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}
