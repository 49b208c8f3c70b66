// Command todo is keel's template service: a multi-user todo API that uses
// every keel package. It runs with no setup on SQLite and in-memory stores,
// and on PostgreSQL or MySQL and Redis when DATABASE_URL and REDIS_URL are
// set. See README.md beside this file.
package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"

	"github.com/gokeel/keel"
	"github.com/gokeel/keel/observability"
	"go.uber.org/zap"

	_ "github.com/go-sql-driver/mysql" // DATABASE_URL=mysql://...
	_ "github.com/jackc/pgx/v5/stdlib" // DATABASE_URL=postgres://...
	_ "modernc.org/sqlite"             // the default, a file in DATA_DIR
)

//go:embed migrations
var migrations embed.FS

func main() {
	log, err := observability.NewLogger(observability.WithName("todo"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := run(context.Background(), log); err != nil {
		log.Error("todo failed", zap.Error(err))
		_ = log.Sync()
		os.Exit(1)
	}
}

func run(ctx context.Context, log *zap.Logger) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	tp, stopTracing, err := observability.NewTracerProvider(ctx, observability.WithServiceName("todo"))
	if err != nil {
		return err
	}
	app := keel.New("todo", keel.WithLogger(log), keel.WithAdmin(cfg.AdminAddr),
		keel.WithTracerProvider(tp), keel.WithDrainDelay(cfg.DrainDelay))
	app.OnStop(stopTracing)

	svc, err := build(ctx, cfg, app)
	if err != nil {
		return err
	}
	app.Serve(cfg.Addr, svc.routes(app))
	return app.Run(ctx)
}

// migrationsFor returns the migration files of a dialect's folder.
func migrationsFor(dialect string) (fs.FS, error) {
	return fs.Sub(migrations, "migrations/"+dialect)
}
