package httpx

import (
	"errors"
	"fmt"
	"strings"
)

var errSecret = errors.New("db password=secret failed")

func errorsJoin(err error) error { return fmt.Errorf("loading: %w", err) }

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }
