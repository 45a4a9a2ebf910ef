package engine

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/heraldhq/herald"
)

// metrics are the engine's Prometheus metrics. A nil *metrics records
// nothing.
type metrics struct {
	messages *prometheus.CounterVec
	accepted *prometheus.HistogramVec
}

// newMetrics registers the engine's metrics on reg; nil for none.
func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		return nil
	}
	m := &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_messages_total",
			Help: "Messages by channel and status reached: accepted, sent, delivered, seen, failed, undelivered, expired, rejected, canceled, received.",
		}, []string{"channel", "status"}),
		accepted: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_accept_seconds",
			Help:    "Time to validate and commit an accepted message, by channel.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}, []string{"channel"}),
	}
	reg.MustRegister(m.messages, m.accepted)
	return m
}

// queues registers the queue depth gauges of e.
func (m *metrics) queues(e *Engine) {
	if m == nil || e.deps.Metrics == nil {
		return
	}
	gauge := func(queue string, fn func() int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "herald_queue_depth", Help: "Items waiting in the engine's in-memory queues.",
			ConstLabels: prometheus.Labels{"queue": queue},
		}, func() float64 { return float64(fn()) })
	}
	e.deps.Metrics.MustRegister(gauge("accept", e.accept.Len), gauge("status", e.status.Len), gauge("dispatch", e.disp.depth))
}

// accept counts an accepted message and its latency.
func (m *metrics) accept(ch herald.Channel, d time.Duration) {
	if m != nil {
		m.messages.WithLabelValues(ch.String(), string(herald.StatusAccepted)).Inc()
		m.accepted.WithLabelValues(ch.String()).Observe(d.Seconds())
	}
}

// status counts a status change.
func (m *metrics) status(ch herald.Channel, st herald.MessageStatus) {
	if m != nil {
		m.messages.WithLabelValues(ch.String(), string(st)).Inc()
	}
}

// Counted returns how many messages on channel reached status in this
// process (channel "" counts every channel); zero without metrics. It
// reads the counter itself, not the registry, so that polling it costs
// nothing beside the engine's work.
func (e *Engine) Counted(channel string, status herald.MessageStatus) float64 {
	m := e.metrics
	if m == nil {
		return 0
	}
	ch := make(chan prometheus.Metric, 16)
	go func() { m.messages.Collect(ch); close(ch) }()
	var n float64
	for mt := range ch {
		var pb dto.Metric
		if mt.Write(&pb) != nil {
			continue
		}
		var c, s string
		for _, l := range pb.GetLabel() {
			switch l.GetName() {
			case "channel":
				c = l.GetValue()
			case "status":
				s = l.GetValue()
			}
		}
		if s == string(status) && (channel == "" || c == channel) {
			n += pb.GetCounter().GetValue()
		}
	}
	return n
}
