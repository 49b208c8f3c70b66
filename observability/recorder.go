package observability

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// recorder captures the status and size of a response. The outermost
// middleware that needs one creates it; inner ones reuse it, so a stack of
// AccessLog, Metrics and Tracing wraps the writer once.
type recorder struct {
	http.ResponseWriter
	start       time.Time // when the outermost middleware began
	status      int
	bytes       int64
	wroteHeader bool
}

var recorderPool = sync.Pool{New: func() any { return new(recorder) }}

// wrap returns the recorder for w and whether the caller owns it (and must
// release it when done).
func wrap(w http.ResponseWriter) (*recorder, bool) {
	if rec, ok := w.(*recorder); ok {
		return rec, false
	}
	rec := recorderPool.Get().(*recorder)
	*rec = recorder{ResponseWriter: w, start: time.Now()}
	return rec, true
}

func (rec *recorder) release() {
	rec.ResponseWriter = nil
	recorderPool.Put(rec)
}

// Status returns the response status, 200 if the handler wrote nothing.
func (rec *recorder) Status() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}

func (rec *recorder) WriteHeader(code int) {
	if !rec.wroteHeader && code >= 200 {
		rec.status, rec.wroteHeader = code, true
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if !rec.wroteHeader {
		rec.status, rec.wroteHeader = http.StatusOK, true
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Flush implements http.Flusher when the underlying writer does.
func (rec *recorder) Flush() {
	if !rec.wroteHeader {
		rec.status, rec.wroteHeader = http.StatusOK, true
	}
	_ = http.NewResponseController(rec.ResponseWriter).Flush()
}

// Hijack implements http.Hijacker when the underlying writer does.
func (rec *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := rec.ResponseWriter.(http.Hijacker); ok {
		rec.status, rec.wroteHeader = http.StatusSwitchingProtocols, true
		return h.Hijack()
	}
	return nil, nil, fmt.Errorf("observability: %T does not support hijacking", rec.ResponseWriter)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// routeOf returns the request's route pattern, or a fixed label for
// unmatched requests so that raw paths never become label values.
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return "unmatched"
}
