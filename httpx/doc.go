// Package httpx is keel's HTTP layer on plain net/http: a [Router] over
// [http.ServeMux] patterns, handlers that return errors, JSON decoding with
// validation, RFC 9457 problem responses, standard middleware, and a
// [Server] with safe timeouts and graceful drain.
//
// # Handlers and errors
//
// A [HandlerFunc] returns an error instead of writing one. Return an
// [*Error] (or wrap one) to send its status and detail as
// application/problem+json; any other error becomes a 500 whose text is
// logged, never sent:
//
//	r := httpx.NewRouter(httpx.RequestID(), httpx.Recover())
//	r.HandleFunc("GET /todos/{id}", func(w http.ResponseWriter, r *http.Request) error {
//		todo, ok := todos[r.PathValue("id")]
//		if !ok {
//			return httpx.NewError(http.StatusNotFound, "No such todo.")
//		}
//		return httpx.JSON(w, http.StatusOK, todo)
//	})
//
// # Decoding requests
//
// [Decode] reads one JSON value into a struct, rejects unknown fields and
// bodies over 1 MiB, and checks `validate` tags. A malformed body is a 400
// naming the byte offset; a failed rule is a 422 naming the field by its JSON
// name:
//
//	type CreateTodo struct {
//		Title string `json:"title" validate:"required,min=1,max=200"`
//	}
//	in, err := httpx.Decode[CreateTodo](r)
//	if err != nil {
//		return err
//	}
//
// # Middleware
//
// Every middleware is a func(http.Handler) http.Handler, so it works with
// this Router, chi, gorilla or a bare ServeMux: [RequestID], [Recover],
// [Timeout], [BodyLimit], [RealIP], [CORS] and [SecureHeaders]. Logging,
// metrics and tracing middleware live in package observability.
//
// The Router sets r.Pattern to the matched route before its middleware runs,
// so middleware can label requests by "GET /todos/{id}" rather than by raw
// path.
//
// # Serving
//
// [NewServer] wraps [http.Server] with ReadHeaderTimeout, ReadTimeout,
// WriteTimeout, IdleTimeout and MaxHeaderBytes set; [Server.Run] serves until
// its context is cancelled and then drains in-flight requests.
package httpx
