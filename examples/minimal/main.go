// Command minimal is the smallest keel service: one JSON route with request
// IDs, access logs, metrics and health on an admin port, and a graceful
// shutdown on Ctrl-C. Run it with `go run ./examples/minimal`.
package main

import (
	"cmp"
	"context"
	"net/http"
	"os"

	"github.com/gokeel/keel"
	"github.com/gokeel/keel/httpx"
	"github.com/gokeel/keel/observability"
)

func main() {
	log, err := observability.NewLogger()
	if err != nil {
		panic(err)
	}
	app := keel.New("minimal", keel.WithLogger(log), keel.WithAdmin(cmp.Or(os.Getenv("ADMIN_ADDR"), ":9090")))

	r := httpx.NewRouter(app.Middleware()...)
	r.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) error {
		return httpx.JSON(w, http.StatusOK, map[string]string{"hello": r.PathValue("name")})
	})
	app.Serve(cmp.Or(os.Getenv("ADDR"), ":8080"), r)

	if err := app.Run(context.Background()); err != nil {
		log.Fatal(err.Error())
	}
}
