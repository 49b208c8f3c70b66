package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gokeel/keel/internal/reqctx"
	"go.uber.org/zap"
)

// ProblemContentType is the media type of RFC 9457 problem details.
const ProblemContentType = "application/problem+json"

// FieldError describes one invalid field of a request body or query.
type FieldError struct {
	// Field is the field's name as the client sent it: its JSON name
	// ("title"), or a dotted path for nested fields ("items[0].name").
	Field string `json:"field"`
	// Rule is the rule that failed, such as "required" or "max".
	Rule string `json:"rule"`
	// Param is the rule's parameter, such as "200" for max=200, if any.
	Param string `json:"param,omitempty"`
	// Detail is a human-readable explanation.
	Detail string `json:"detail,omitempty"`
}

// Error is an error with an HTTP status that is safe to show to clients.
// Handlers return it (or wrap it) and [WriteError] renders it as an RFC 9457
// application/problem+json response. Any other error becomes a generic 500
// whose text never leaves the server.
//
// The zero value is not useful; build one with [NewError] or [Errorf], or as a
// struct literal with at least Status set.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Type is a URI reference identifying the problem type. "" means "about:blank".
	Type string
	// Title is a short summary; "" means the status text (http.StatusText).
	Title string
	// Detail explains this occurrence. It is sent to the client.
	Detail string
	// Fields lists invalid fields, for 400 and 422 responses.
	Fields []FieldError
	// Header holds extra response headers, such as Retry-After or
	// WWW-Authenticate.
	Header http.Header
	// Err is the underlying cause. It is logged, never sent to the client.
	Err error
}

// NewError returns an *Error with the given status and detail.
func NewError(status int, detail string) *Error {
	return &Error{Status: status, Detail: detail}
}

// Errorf returns an *Error with the given status and a formatted detail.
// A %w verb sets Err too; the detail then contains the wrapped error's text,
// so use %w only with errors whose text is safe to show.
func Errorf(status int, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Status: status, Detail: err.Error(), Err: errors.Unwrap(err)}
}

// Error implements the error interface.
func (e *Error) Error() string {
	msg := "httpx: " + strconv.Itoa(e.Status) + " " + e.title()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) title() string {
	if e.Title != "" {
		return e.Title
	}
	if t := http.StatusText(e.Status); t != "" {
		return t
	}
	return "Error"
}

// problem is the wire form of an RFC 9457 problem.
type problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
}

// WriteProblem writes e as an application/problem+json response. The
// response's "instance" is the request path and "request_id" the ID set by
// [RequestID], when present. r may be nil.
func WriteProblem(w http.ResponseWriter, r *http.Request, e *Error) {
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	p := problem{Type: e.Type, Title: e.title(), Status: status, Detail: e.Detail, Errors: e.Fields}
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if r != nil {
		p.Instance = r.URL.Path
		p.RequestID = reqctx.ID(r.Context())
	}
	h := w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	h.Set("Content-Type", ProblemContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// WriteError writes err to the client as a problem response:
//   - an *Error anywhere in err's chain is written as it is;
//   - [context.DeadlineExceeded] becomes 503 Service Unavailable;
//   - anything else becomes 500 Internal Server Error with a generic body.
//
// Errors that become 5xx are logged, with the request ID, through the logger
// in the request's context (see observability.Middleware), if any. Their
// text is never sent to the client.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var he *Error
	switch {
	case errors.As(err, &he):
	case errors.Is(err, context.DeadlineExceeded):
		he = &Error{Status: http.StatusServiceUnavailable, Detail: "The request took too long.", Err: err}
	default:
		he = &Error{Status: http.StatusInternalServerError, Err: err}
	}
	if he.Status >= 500 && r != nil {
		if l := reqctx.Logger(r.Context()); l != nil {
			l.Error("request failed",
				zap.Int("status", he.Status),
				zap.String("request_id", reqctx.ID(r.Context())),
				zap.Error(err))
		}
	}
	WriteProblem(w, r, he)
}
