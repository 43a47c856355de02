package backends

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrClosed is returned by a Storage used after Close.
var ErrClosed = errors.New("backends: storage is closed")

func errorf(format string, args ...any) error {
	return fmt.Errorf("backends: "+format, args...)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
