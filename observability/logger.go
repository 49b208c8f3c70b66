package observability

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gokeel/keel/internal/reqctx"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// EnvLogLevel names the environment variable [NewLogger] reads for the
// level when no [WithLevel] option is given: debug, info, warn or error.
const EnvLogLevel = "KEEL_LOG_LEVEL"

// LoggerOption configures [NewLogger].
type LoggerOption func(*loggerConfig) error

type loggerConfig struct {
	level       *zapcore.Level
	development bool
	out         io.Writer
	name        string
}

// WithLevel sets the minimum level ("debug", "info", "warn", "error").
func WithLevel(level string) LoggerOption {
	return func(c *loggerConfig) error {
		l, err := zapcore.ParseLevel(strings.TrimSpace(level))
		if err != nil {
			return fmt.Errorf("observability: log level %q: %w", level, err)
		}
		c.level = &l
		return nil
	}
}

// WithDevelopment selects human-readable console output with colours off
// and debug level by default, instead of production JSON.
func WithDevelopment() LoggerOption {
	return func(c *loggerConfig) error { c.development = true; return nil }
}

// WithOutput writes log lines to w instead of standard error.
func WithOutput(w io.Writer) LoggerOption {
	return func(c *loggerConfig) error { c.out = w; return nil }
}

// WithName sets the logger's name (usually the service name).
func WithName(name string) LoggerOption {
	return func(c *loggerConfig) error { c.name = name; return nil }
}

// NewLogger returns a zap logger: JSON lines with ISO-8601 times in
// production, console lines with [WithDevelopment]. The level comes from
// [WithLevel], else from KEEL_LOG_LEVEL, else info (debug in development).
func NewLogger(opts ...LoggerOption) (*zap.Logger, error) {
	var c loggerConfig
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	if c.level == nil {
		if env := os.Getenv(EnvLogLevel); env != "" {
			if err := WithLevel(env)(&c); err != nil {
				return nil, fmt.Errorf("%s: %w", EnvLogLevel, err)
			}
		}
	}
	level := zapcore.InfoLevel
	if c.development {
		level = zapcore.DebugLevel
	}
	if c.level != nil {
		level = *c.level
	}
	var enc zapcore.Encoder
	if c.development {
		ec := zap.NewDevelopmentEncoderConfig()
		enc = zapcore.NewConsoleEncoder(ec)
	} else {
		ec := zap.NewProductionEncoderConfig()
		ec.EncodeTime = zapcore.ISO8601TimeEncoder
		ec.TimeKey = "time"
		enc = zapcore.NewJSONEncoder(ec)
	}
	var ws zapcore.WriteSyncer = zapcore.Lock(os.Stderr)
	if c.out != nil {
		ws = zapcore.Lock(zapcore.AddSync(c.out))
	}
	l := zap.New(zapcore.NewCore(enc, ws, level), zap.ErrorOutput(ws))
	if c.name != "" {
		l = l.Named(c.name)
	}
	return l, nil
}

// WithLogger returns a copy of ctx that carries l. [AccessLog] does this for
// every request.
func WithLogger(ctx context.Context, l *zap.Logger) context.Context {
	return reqctx.WithLogger(ctx, l)
}

// Logger returns the logger carried by ctx, with the request_id and
// trace_id fields of the current request added when known. Without a
// logger in ctx it returns a no-op logger, never nil.
func Logger(ctx context.Context) *zap.Logger {
	l := reqctx.Logger(ctx)
	if l == nil {
		return zap.NewNop()
	}
	var fields []zap.Field
	if id := reqctx.ID(ctx); id != "" {
		fields = append(fields, zap.String("request_id", id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		fields = append(fields, zap.String("trace_id", sc.TraceID().String()))
	}
	if len(fields) == 0 {
		return l
	}
	return l.With(fields...)
}
