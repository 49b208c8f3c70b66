// Package keel composes a Go service from keel's packages — or anyone's —
// with a small [App] builder: HTTP servers with safe timeouts, background
// components, health checks, an admin port, and an ordered graceful
// shutdown on SIGINT/SIGTERM.
//
//	app := keel.New("todo", keel.WithLogger(log), keel.WithAdmin(":9090"))
//	r := httpx.NewRouter(app.Middleware()...)
//	r.HandleFunc("GET /hello", hello)
//	app.Serve(":8080", r)
//	app.Go(scheduler.Run)              // any func(ctx) error
//	app.Check("db", db.PingContext)    // readiness, on /readyz
//	app.OnStop(func(ctx context.Context) error { return rdb.Close() })
//	if err := app.Run(context.Background()); err != nil {
//		log.Fatal(err)
//	}
//
// # Shutdown order
//
// When a signal arrives, the Run context ends, or a component fails, Run
// flips /readyz to 503 first, then drains the HTTP servers, then stops the
// components, then runs OnStop hooks in reverse order, then stops the admin
// server — all within one shutdown deadline ([WithShutdownTimeout]).
//
// # Packages
//
// The feature packages — auth, cache, ratelimit, cron, db — never import one
// another and know nothing of App; it knows them only as func(ctx) error and
// http.Handler. Use any of them without the others.
package keel
