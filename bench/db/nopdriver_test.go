package dbbench

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// nopDriver is a database/sql driver that does nothing, so BenchmarkTx on
// it measures only the Go code around a transaction.
type nopDriver struct{}

type nopConn struct{}

type nopTx struct{}

func (nopDriver) Open(string) (driver.Conn, error) { return nopConn{}, nil }

func (nopConn) Prepare(string) (driver.Stmt, error) { return nil, driver.ErrSkip }
func (nopConn) Close() error                        { return nil }
func (nopConn) Begin() (driver.Tx, error)           { return nopTx{}, nil }
func (nopConn) BeginTx(context.Context, driver.TxOptions) (driver.Tx, error) {
	return nopTx{}, nil
}
func (nopConn) ExecContext(context.Context, string, []driver.NamedValue) (driver.Result, error) {
	return driver.RowsAffected(1), nil
}

func (nopTx) Commit() error   { return nil }
func (nopTx) Rollback() error { return nil }

type nopConnector struct{}

func (nopConnector) Connect(context.Context) (driver.Conn, error) { return nopConn{}, nil }
func (nopConnector) Driver() driver.Driver                        { return nopDriver{} }

// openNop returns a one-connection pool on the do-nothing driver.
func openNop() *sql.DB {
	d := sql.OpenDB(nopConnector{})
	d.SetMaxOpenConns(1)
	return d
}
