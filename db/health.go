package db

import (
	"context"
	"fmt"
	"time"
)

// Pinger is what HealthCheck needs; *sqlx.DB and *sql.DB have it.
type Pinger interface {
	PingContext(ctx context.Context) error
}

// HealthCheck returns a readiness check for db: a ping bounded by the
// caller's context, or by 2 seconds when the context has no deadline. Plug
// it into keel's App.Check or any func(ctx) error health registry.
func HealthCheck(db Pinger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
		}
		if err := db.PingContext(ctx); err != nil {
			return fmt.Errorf("db: health check: %w", err)
		}
		return nil
	}
}
