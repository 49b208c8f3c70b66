package main

import (
	"cmp"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gokeel/keel/httpx"
)

// config is everything the service reads from its environment. The README
// beside this file lists the variables.
type config struct {
	Addr           string
	AdminAddr      string
	DatabaseURL    string // postgres://... or mysql://...; "" means SQLite in DataDir
	DataDir        string
	RedisURL       string // redis://...; "" means in-memory cache, limiter, tokens and locks
	RedisPrefix    string // put before every Redis key, so apps can share a server
	SigningKeyEnv  string // name of the variable holding a PEM signing key
	AdminEmails    map[string]bool
	AccessTTL      time.Duration
	RefreshTTL     time.Duration
	AuthPerMinute  int // login/register attempts per client IP
	APIPerSecond   int // API requests per user
	APIBurst       int // API burst per user
	CORSOrigins    []string
	TrustedProxies []netip.Prefix
	PurgeSchedule  string
	PurgeAfter     time.Duration
	DrainDelay     time.Duration // between /readyz going 503 and the listener closing
}

func loadConfig() (config, error) {
	c := config{
		Addr:          cmp.Or(os.Getenv("ADDR"), ":8080"),
		AdminAddr:     cmp.Or(os.Getenv("ADMIN_ADDR"), ":9090"),
		DatabaseURL:   os.Getenv("DATABASE_URL"),
		DataDir:       cmp.Or(os.Getenv("DATA_DIR"), filepath.Join(os.TempDir(), "keel-todo")),
		RedisURL:      os.Getenv("REDIS_URL"),
		RedisPrefix:   cmp.Or(os.Getenv("REDIS_PREFIX"), "todo:"),
		SigningKeyEnv: "JWT_SIGNING_KEY",
		AdminEmails:   map[string]bool{},
		CORSOrigins:   splitList(os.Getenv("CORS_ORIGINS")),
		PurgeSchedule: cmp.Or(os.Getenv("PURGE_SCHEDULE"), "@every 1m"),
	}
	for _, e := range splitList(os.Getenv("ADMIN_EMAILS")) {
		c.AdminEmails[strings.ToLower(e)] = true
	}
	var err error
	if c.TrustedProxies, err = httpx.ParseTrustedProxies(splitList(os.Getenv("TRUSTED_PROXIES"))...); err != nil {
		return c, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	if c.AccessTTL, err = durationEnv("ACCESS_TOKEN_TTL", 15*time.Minute); err != nil {
		return c, err
	}
	if c.RefreshTTL, err = durationEnv("REFRESH_TOKEN_TTL", 30*24*time.Hour); err != nil {
		return c, err
	}
	if c.PurgeAfter, err = durationEnv("PURGE_AFTER", 24*time.Hour); err != nil {
		return c, err
	}
	if v := os.Getenv("DRAIN_DELAY"); v != "" && v != "0" {
		if c.DrainDelay, err = durationEnv("DRAIN_DELAY", 0); err != nil {
			return c, err
		}
	}
	if c.AuthPerMinute, err = intEnv("AUTH_RATE_PER_MINUTE", 20); err != nil {
		return c, err
	}
	if c.APIPerSecond, err = intEnv("API_RATE_PER_SECOND", 50); err != nil {
		return c, err
	}
	if c.APIBurst, err = intEnv("API_BURST", 2*c.APIPerSecond); err != nil {
		return c, err
	}
	return c, nil
}

// sqlTarget turns DATABASE_URL into a database/sql driver name and DSN.
func (c config) sqlTarget() (driver, dsn string, err error) {
	if c.DatabaseURL == "" {
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return "", "", fmt.Errorf("data dir: %w", err)
		}
		file := filepath.Join(c.DataDir, "todo.db")
		return "sqlite", "file:" + file + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)", nil
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil {
		return "", "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	switch u.Scheme {
	case "postgres", "postgresql":
		return "pgx", c.DatabaseURL, nil
	case "mysql":
		// go-sql-driver wants user:pass@tcp(host:port)/db?params.
		userinfo := ""
		if u.User != nil {
			userinfo = u.User.String() + "@"
		}
		q := u.Query()
		q.Set("parseTime", "true")
		q.Set("loc", "UTC")
		q.Set("multiStatements", "true") // migrations hold several statements
		return "mysql", fmt.Sprintf("%stcp(%s)%s?%s", userinfo, u.Host, u.Path, q.Encode()), nil
	}
	return "", "", fmt.Errorf("DATABASE_URL: scheme %q is not postgres or mysql", u.Scheme)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func durationEnv(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 15m", name, v)
	}
	return d, nil
}

func intEnv(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive integer", name, v)
	}
	return n, nil
}
