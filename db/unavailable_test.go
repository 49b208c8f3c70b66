package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
)

// stateErr and MySQLError are the driver look-alikes of internal_test.go.

func TestIsUnavailable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"bad conn", fmt.Errorf("query: %w", driver.ErrBadConn), true},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"cut reply", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"pg admin shutdown", stateErr("57P01"), true},
		{"pg connection failure", stateErr("08006"), true},
		{"pg syntax", stateErr("42601"), false},
		{"pg serialization", stateErr("40001"), false},
		{"mysql gone away", &MySQLError{Number: 2006}, true},
		{"mysql duplicate", &MySQLError{Number: 1062}, false},
		{"open failed", fmt.Errorf("%w: db at host", ErrUnavailable), true},
		{"canceled", context.Canceled, false},
		{"plain", errors.New("no rows"), false},
	}
	for _, c := range cases {
		if got := IsUnavailable(c.err); got != c.want {
			t.Errorf("%s: IsUnavailable = %v, want %v", c.name, got, c.want)
		}
	}
}
