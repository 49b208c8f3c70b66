package httpx

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Default server limits. They are chosen to stop slow-client attacks
// (slowloris) and runaway requests without getting in the way of ordinary
// APIs; change them with [WithTimeouts].
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultShutdownTimeout   = 20 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
)

// Timeouts holds a server's time limits. A zero field uses the matching
// Default value.
type Timeouts struct {
	ReadHeader time.Duration
	Read       time.Duration
	Write      time.Duration
	Idle       time.Duration
	// Shutdown bounds the drain of in-flight requests when Run stops.
	Shutdown time.Duration
}

// Server is an [http.Server] with safe defaults and a context-driven
// lifecycle: [Server.Run] serves until its context is done, then stops
// accepting connections and drains in-flight requests. Create one with
// [NewServer]. A Server runs once.
type Server struct {
	srv      *http.Server
	shutdown time.Duration
	log      *zap.Logger

	mu   sync.Mutex
	ln   net.Listener
	addr net.Addr
}

// ServerOption configures a [Server].
type ServerOption func(*Server)

// WithTimeouts sets the server's time limits; zero fields keep their defaults.
func WithTimeouts(t Timeouts) ServerOption {
	return func(s *Server) {
		if t.ReadHeader > 0 {
			s.srv.ReadHeaderTimeout = t.ReadHeader
		}
		if t.Read > 0 {
			s.srv.ReadTimeout = t.Read
		}
		if t.Write > 0 {
			s.srv.WriteTimeout = t.Write
		}
		if t.Idle > 0 {
			s.srv.IdleTimeout = t.Idle
		}
		if t.Shutdown > 0 {
			s.shutdown = t.Shutdown
		}
	}
}

// WithMaxHeaderBytes sets the request header size limit (default 64 KiB).
func WithMaxHeaderBytes(n int) ServerOption {
	return func(s *Server) {
		if n > 0 {
			s.srv.MaxHeaderBytes = n
		}
	}
}

// WithTLSConfig serves HTTPS with cfg, which must hold certificates.
func WithTLSConfig(cfg *tls.Config) ServerOption {
	return func(s *Server) { s.srv.TLSConfig = cfg }
}

// WithListener serves on ln instead of listening on the address.
func WithListener(ln net.Listener) ServerOption {
	return func(s *Server) { s.ln = ln }
}

// WithServerLogger logs server errors (such as TLS handshake failures)
// through l. The default discards them.
func WithServerLogger(l *zap.Logger) ServerOption {
	return func(s *Server) {
		if l != nil {
			s.log = l
		}
	}
}

// NewServer returns a Server for h on addr (":8080"; ":0" picks a free port,
// see [Server.Addr]).
func NewServer(addr string, h http.Handler, opts ...ServerOption) *Server {
	s := &Server{
		srv: &http.Server{
			Addr:              addr,
			Handler:           h,
			ReadHeaderTimeout: DefaultReadHeaderTimeout,
			ReadTimeout:       DefaultReadTimeout,
			WriteTimeout:      DefaultWriteTimeout,
			IdleTimeout:       DefaultIdleTimeout,
			MaxHeaderBytes:    DefaultMaxHeaderBytes,
		},
		shutdown: DefaultShutdownTimeout,
		log:      zap.NewNop(),
	}
	for _, o := range opts {
		o(s)
	}
	s.srv.ErrorLog = zap.NewStdLog(s.log.Named("http"))
	return s
}

// Listen opens the listening socket, if Run has not already, and returns
// its address. Call it before Run to learn the port of ":0".
func (s *Server) Listen() (net.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		ln, err := net.Listen("tcp", s.srv.Addr)
		if err != nil {
			return nil, fmt.Errorf("httpx: listen on %s: %w", s.srv.Addr, err)
		}
		s.ln = ln
	}
	s.addr = s.ln.Addr()
	return s.addr, nil
}

// Addr returns the listening address, or nil before [Server.Listen] or Run.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Run serves until ctx is done or serving fails. When ctx is done it stops
// accepting connections, closes idle ones, and waits up to the shutdown
// timeout for in-flight requests to finish; requests still running then are
// cut off and Run returns an error wrapping [context.DeadlineExceeded].
// Run returns nil after a clean drain.
func (s *Server) Run(ctx context.Context) error {
	if _, err := s.Listen(); err != nil {
		return err
	}
	s.srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	errc := make(chan error, 1)
	go func() {
		var err error
		if s.srv.TLSConfig != nil {
			err = s.srv.ServeTLS(s.ln, "", "")
		} else {
			err = s.srv.Serve(s.ln)
		}
		errc <- err
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("httpx: serve %s: %w", s.addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.shutdown)
	defer cancel()
	err := s.srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		_ = s.srv.Close()
		return fmt.Errorf("httpx: drain %s: %w", s.addr, err)
	}
	return nil
}
