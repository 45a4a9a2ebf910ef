package webhook

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts webhook requests. A nil *Metrics counts nothing.
type Metrics struct {
	deliveries *prometheus.CounterVec
}

// NewMetrics registers the webhook metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "herald_webhook_deliveries_total",
		Help: "Webhook events by outcome of the request that carried them: delivered, failed (will retry or gave up), dropped (lane full; claimed again later).",
	}, []string{"outcome"})}
	reg.MustRegister(m.deliveries)
	return m
}

func (m *Metrics) add(outcome string, n int) {
	if m != nil {
		m.deliveries.WithLabelValues(outcome).Add(float64(n))
	}
}

func (m *Metrics) delivered(n int) { m.add("delivered", n) }
func (m *Metrics) failed(n int)    { m.add("failed", n) }
func (m *Metrics) dropped()        { m.add("dropped", 1) }
