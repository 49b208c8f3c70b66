package keel_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/gokeel/keel"
	"github.com/gokeel/keel/httpx"
)

func ExampleApp() {
	app := keel.New("hello", keel.WithSignals()) // no signal handling in this example
	r := httpx.NewRouter(app.Middleware()...)
	r.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) error {
		return httpx.JSON(w, http.StatusOK, map[string]string{"hello": r.PathValue("name")})
	})
	app.Serve("127.0.0.1:0", r)
	app.OnStop(func(ctx context.Context) error {
		fmt.Println("stopped")
		return nil
	})

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	<-app.Started()

	resp, err := http.Get("http://" + app.Addrs()[0].String() + "/hello/gopher")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.StatusCode, " ", string(body))

	stop() // what SIGTERM does
	fmt.Println(<-done)
	// Output:
	// 200 {"hello":"gopher"}
	// stopped
	// <nil>
}
