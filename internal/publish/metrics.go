package publish

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the publishing figures exported on /metrics.
type Metrics struct {
	outcomes *prometheus.CounterVec
	lags     *prometheus.HistogramVec
}

// NewMetrics registers the publishing metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tribune_publish_outcomes_total",
			Help: "Publishing outcomes by network: published, failed, unknown, retry, rate_limited, held."}, []string{"network", "outcome"}),
		lags: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tribune_publish_dispatch_lag_seconds",
			Help:    "Time between a post's scheduled minute and the start of its publication.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300}}, []string{"network"}),
	}
	reg.MustRegister(m.outcomes, m.lags)
	return m
}

func (m *Metrics) outcome(network, outcome string) {
	if m != nil {
		m.outcomes.WithLabelValues(network, outcome).Inc()
	}
}

func (m *Metrics) lag(network string, d time.Duration) {
	if m != nil {
		m.lags.WithLabelValues(network).Observe(max(d, 0).Seconds())
	}
}
