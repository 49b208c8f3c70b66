package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

// DefaultMaxBodyBytes is the body size limit of [Decode]: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// Decode reads a JSON request body into a T and validates it with the
// go-playground/validator `validate` struct tags. Every failure is an
// [*Error] ready to return from a [HandlerFunc]:
//
//   - 415 when the Content-Type is not application/json (or +json);
//   - 413 when the body is larger than the limit (1 MiB, or the one set by
//     [BodyLimit] or [DecodeOptions]);
//   - 400 for malformed JSON (naming the byte offset), a value of the wrong
//     type (naming the field), an unknown field, or more than one JSON value;
//   - 422 when validation fails, with one entry per field, named by its JSON
//     name ("title", "items[0].name") and the rule that failed.
func Decode[T any](r *http.Request) (T, error) {
	return DecodeWith[T](r, DecodeOptions{})
}

// DecodeOptions configures [DecodeWith]. A zero DecodeOptions is what
// [Decode] uses.
type DecodeOptions struct {
	// MaxBytes limits the body; 0 means DefaultMaxBodyBytes.
	MaxBytes int64
	// AllowUnknownFields accepts fields that T does not have.
	AllowUnknownFields bool
}

// DecodeWith is [Decode] with options.
func DecodeWith[T any](r *http.Request, o DecodeOptions) (T, error) {
	var v T
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return v, err
	}
	limit := o.MaxBytes
	if limit <= 0 {
		limit = bodyLimit(r)
	}
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	if r.ContentLength > limit {
		return v, tooLarge(limit)
	}
	if r.Body == nil || r.Body == http.NoBody {
		return v, &Error{Status: http.StatusBadRequest, Detail: "The request body is empty."}
	}
	body := http.MaxBytesReader(nil, r.Body, limit)
	dec := json.NewDecoder(body)
	if !o.AllowUnknownFields {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(&v); err != nil {
		return v, decodeError(err)
	}
	// Exactly one JSON value: anything but white space after it is an error.
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return v, tooLarge(mbe.Limit)
		}
		return v, &Error{Status: http.StatusBadRequest, Detail: "The request body must hold a single JSON value."}
	}
	if err := Validate(v); err != nil {
		return v, err
	}
	return v, nil
}

func checkJSONContentType(ct string) error {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		return nil
	}
	return &Error{
		Status: http.StatusUnsupportedMediaType,
		Detail: "The request body must be JSON (Content-Type: application/json).",
		Header: http.Header{"Accept": {"application/json"}},
	}
}

func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("The request body is larger than %d bytes.", limit)}
}

func decodeError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(mbe.Limit)
	case errors.As(err, &syn):
		return &Error{Status: http.StatusBadRequest, Detail: fmt.Sprintf("Malformed JSON at byte offset %d.", syn.Offset)}
	case errors.Is(err, io.EOF):
		return &Error{Status: http.StatusBadRequest, Detail: "The request body is empty."}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Status: http.StatusBadRequest, Detail: "Malformed JSON: the body ends too early."}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return &Error{
			Status: http.StatusBadRequest,
			Detail: fmt.Sprintf("Field %q must be of JSON type %s (byte offset %d).", field, jsonKind(typ.Type), typ.Offset),
			Fields: []FieldError{{Field: field, Rule: "type", Param: jsonKind(typ.Type)}},
		}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &Error{
			Status: http.StatusBadRequest,
			Detail: fmt.Sprintf("Unknown field %q.", name),
			Fields: []FieldError{{Field: name, Rule: "unknown"}},
		}
	default:
		return &Error{Status: http.StatusBadRequest, Detail: "Malformed JSON.", Err: err}
	}
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	default:
		return "object"
	}
}

var (
	validateOnce sync.Once
	validate     *validator.Validate
)

// validatorInstance returns the one validator, which names fields by their
// JSON names. Validators cache struct metadata, so one is shared.
func validatorInstance() *validator.Validate {
	validateOnce.Do(func() {
		v := validator.New(validator.WithRequiredStructEnabled())
		v.RegisterTagNameFunc(func(f reflect.StructField) string {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch name {
			case "-":
				return ""
			case "":
				return f.Name
			}
			return name
		})
		validate = v
	})
	return validate
}

// Validate checks v's `validate` struct tags and returns a 422 [*Error]
// listing every failing field by its JSON name, or nil. Values that are not
// structs (or pointers to them) are not checked.
func Validate(v any) error {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	err := validatorInstance().Struct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return &Error{Status: http.StatusUnprocessableEntity, Detail: "The request is invalid.", Err: err}
	}
	fields := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		fields = append(fields, FieldError{
			Field:  fieldPath(fe.Namespace()),
			Rule:   fe.Tag(),
			Param:  fe.Param(),
			Detail: ruleDetail(fe),
		})
	}
	return &Error{Status: http.StatusUnprocessableEntity, Detail: "The request has invalid fields.", Fields: fields}
}

// fieldPath drops the struct name from a validator namespace:
// "CreateTodo.items[0].name" → "items[0].name".
func fieldPath(ns string) string {
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

func ruleDetail(fe validator.FieldError) string {
	var b bytes.Buffer
	switch fe.Tag() {
	case "required":
		b.WriteString("is required")
	case "min", "gte":
		fmt.Fprintf(&b, "must be at least %s", fe.Param())
		if isLengthKind(fe.Kind()) {
			b.WriteString(" long")
		}
	case "max", "lte":
		fmt.Fprintf(&b, "must be at most %s", fe.Param())
		if isLengthKind(fe.Kind()) {
			b.WriteString(" long")
		}
	case "len":
		fmt.Fprintf(&b, "must have length %s", fe.Param())
	case "oneof":
		fmt.Fprintf(&b, "must be one of: %s", fe.Param())
	case "email":
		b.WriteString("must be an email address")
	default:
		fmt.Fprintf(&b, "failed rule %q", fe.Tag())
		if fe.Param() != "" {
			fmt.Fprintf(&b, " (%s)", fe.Param())
		}
	}
	return b.String()
}

func isLengthKind(k reflect.Kind) bool {
	return k == reflect.String || k == reflect.Slice || k == reflect.Map || k == reflect.Array
}
