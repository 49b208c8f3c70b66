package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"

	"go.uber.org/zap"
)

// The slow-query log wraps the driver: a connector whose connections time
// Exec and Query calls (on the connection and on prepared statements) and
// log those at or above the threshold. Everything else is passed through.

type slowLog struct {
	log       *zap.Logger
	threshold time.Duration
	now       func() time.Time
}

func (s *slowLog) observe(start time.Time, query string, err error) {
	if d := s.now().Sub(start); d >= s.threshold {
		fields := []zap.Field{zap.Duration("duration", d), zap.String("query", query)}
		if err != nil {
			fields = append(fields, zap.Error(err))
		}
		s.log.Warn("db: slow query", fields...)
	}
}

type slowConnector struct {
	inner driver.Connector
	drv   driver.Driver
	s     *slowLog
}

type dsnConnector struct {
	drv driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

func newSlowConnector(driverName, dsn string, log *zap.Logger, threshold time.Duration) (driver.Connector, error) {
	tmp, err := sql.Open(driverName, dsn) // does not connect
	if err != nil {
		return nil, err
	}
	drv := tmp.Driver()
	_ = tmp.Close()
	var inner driver.Connector = dsnConnector{drv, dsn}
	if dc, ok := drv.(driver.DriverContext); ok {
		if inner, err = dc.OpenConnector(dsn); err != nil {
			return nil, err
		}
	}
	return &slowConnector{inner: inner, drv: drv, s: &slowLog{log: log, threshold: threshold, now: time.Now}}, nil
}

func (c *slowConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &slowConn{Conn: conn, s: c.s}, nil
}

func (c *slowConnector) Driver() driver.Driver { return c.drv }

// slowConn is a driver connection that times statements.
type slowConn struct {
	driver.Conn
	s *slowLog
}

var (
	_ driver.ExecerContext      = (*slowConn)(nil)
	_ driver.QueryerContext     = (*slowConn)(nil)
	_ driver.ConnPrepareContext = (*slowConn)(nil)
	_ driver.ConnBeginTx        = (*slowConn)(nil)
	_ driver.Pinger             = (*slowConn)(nil)
	_ driver.SessionResetter    = (*slowConn)(nil)
	_ driver.Validator          = (*slowConn)(nil)
	_ driver.NamedValueChecker  = (*slowConn)(nil)
)

// Unwrap returns the driver's own connection.
func (c *slowConn) Unwrap() driver.Conn { return c.Conn }

func (c *slowConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	start := c.s.now()
	r, err := e.ExecContext(ctx, q, args)
	if !errors.Is(err, driver.ErrSkip) {
		c.s.observe(start, q, err)
	}
	return r, err
}

func (c *slowConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	start := c.s.now()
	r, err := qc.QueryContext(ctx, q, args)
	if !errors.Is(err, driver.ErrSkip) {
		c.s.observe(start, q, err)
	}
	return r, err
}

func (c *slowConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if pc, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = pc.PrepareContext(ctx, q)
	} else {
		st, err = c.Conn.Prepare(q)
	}
	if err != nil {
		return nil, err
	}
	return &slowStmt{Stmt: st, conn: c.Conn, q: q, s: c.s}, nil
}

func (c *slowConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

func (c *slowConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	if opts.Isolation != 0 || opts.ReadOnly {
		return nil, errors.New("db: driver does not support transaction options")
	}
	//lint:ignore SA1019 fallback for old drivers
	return c.Conn.Begin()
}

func (c *slowConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *slowConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *slowConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *slowConn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// slowStmt is a prepared statement that times its executions.
type slowStmt struct {
	driver.Stmt
	conn driver.Conn
	q    string
	s    *slowLog
}

var (
	_ driver.StmtExecContext   = (*slowStmt)(nil)
	_ driver.StmtQueryContext  = (*slowStmt)(nil)
	_ driver.NamedValueChecker = (*slowStmt)(nil)
)

func (st *slowStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	start := st.s.now()
	var r driver.Result
	var err error
	if e, ok := st.Stmt.(driver.StmtExecContext); ok {
		r, err = e.ExecContext(ctx, args)
	} else {
		var vals []driver.Value
		if vals, err = values(args); err == nil {
			//lint:ignore SA1019 fallback for old drivers
			r, err = st.Stmt.Exec(vals)
		}
	}
	st.s.observe(start, st.q, err)
	return r, err
}

func (st *slowStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	start := st.s.now()
	var r driver.Rows
	var err error
	if q, ok := st.Stmt.(driver.StmtQueryContext); ok {
		r, err = q.QueryContext(ctx, args)
	} else {
		var vals []driver.Value
		if vals, err = values(args); err == nil {
			//lint:ignore SA1019 fallback for old drivers
			r, err = st.Stmt.Query(vals)
		}
	}
	st.s.observe(start, st.q, err)
	return r, err
}

// CheckNamedValue defers to the statement's checker, then the connection's,
// then the statement's column converter, as database/sql would.
func (st *slowStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := st.Stmt.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	if n, ok := st.conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	//lint:ignore SA1019 drivers still use it
	if cc, ok := st.Stmt.(driver.ColumnConverter); ok {
		if n := st.Stmt.NumInput(); n >= 0 && nv.Ordinal-1 >= n {
			return driver.ErrSkip
		}
		if vr, ok := nv.Value.(driver.Valuer); ok {
			v, err := vr.Value()
			if err != nil {
				return err
			}
			nv.Value = v
		}
		v, err := cc.ColumnConverter(nv.Ordinal - 1).ConvertValue(nv.Value)
		if err != nil {
			return err
		}
		nv.Value = v
		return nil
	}
	return driver.ErrSkip
}

func values(args []driver.NamedValue) ([]driver.Value, error) {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errors.New("db: driver does not support named parameters")
		}
		out[i] = a.Value
	}
	return out, nil
}
