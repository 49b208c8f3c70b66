package db

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"
)

// StatsCollector exports a pool's sql.DBStats as Prometheus metrics, read
// at scrape time, with a constant label db=name. Open registers one when
// given WithMetrics; create one with NewStatsCollector for a pool opened
// elsewhere. It is safe for concurrent use.
type StatsCollector struct {
	db    *sql.DB
	descs struct {
		maxOpen, open, inUse, idle, waitCount, waitSeconds, idleClosed, idleTimeClosed, lifetimeClosed *prometheus.Desc
	}
}

var _ prometheus.Collector = (*StatsCollector)(nil)

// NewStatsCollector returns a collector of db's pool statistics:
// keel_db_max_open_connections, keel_db_open_connections,
// keel_db_in_use_connections, keel_db_idle_connections (gauges) and
// keel_db_wait_count_total, keel_db_wait_duration_seconds_total,
// keel_db_max_idle_closed_total, keel_db_max_idle_time_closed_total,
// keel_db_max_lifetime_closed_total (counters).
func NewStatsCollector(db *sql.DB, name string) *StatsCollector {
	c := &StatsCollector{db: db}
	l := prometheus.Labels{"db": name}
	d := func(n, help string) *prometheus.Desc { return prometheus.NewDesc("keel_db_"+n, help, nil, l) }
	c.descs.maxOpen = d("max_open_connections", "Maximum number of open connections to the database.")
	c.descs.open = d("open_connections", "Established connections, in use and idle.")
	c.descs.inUse = d("in_use_connections", "Connections currently in use.")
	c.descs.idle = d("idle_connections", "Idle connections.")
	c.descs.waitCount = d("wait_count_total", "Connections waited for.")
	c.descs.waitSeconds = d("wait_duration_seconds_total", "Time blocked waiting for a connection.")
	c.descs.idleClosed = d("max_idle_closed_total", "Connections closed due to SetMaxIdleConns.")
	c.descs.idleTimeClosed = d("max_idle_time_closed_total", "Connections closed due to SetConnMaxIdleTime.")
	c.descs.lifetimeClosed = d("max_lifetime_closed_total", "Connections closed due to SetConnMaxLifetime.")
	return c
}

// Describe implements prometheus.Collector.
func (c *StatsCollector) Describe(ch chan<- *prometheus.Desc) {
	ds := c.descs
	for _, d := range []*prometheus.Desc{ds.maxOpen, ds.open, ds.inUse, ds.idle, ds.waitCount, ds.waitSeconds, ds.idleClosed, ds.idleTimeClosed, ds.lifetimeClosed} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *StatsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.db.Stats()
	ds := c.descs
	g := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	n := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	g(ds.maxOpen, float64(s.MaxOpenConnections))
	g(ds.open, float64(s.OpenConnections))
	g(ds.inUse, float64(s.InUse))
	g(ds.idle, float64(s.Idle))
	n(ds.waitCount, float64(s.WaitCount))
	n(ds.waitSeconds, s.WaitDuration.Seconds())
	n(ds.idleClosed, float64(s.MaxIdleClosed))
	n(ds.idleTimeClosed, float64(s.MaxIdleTimeClosed))
	n(ds.lifetimeClosed, float64(s.MaxLifetimeClosed))
}
