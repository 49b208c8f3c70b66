//go:build !unix

package cachebench

import "time"

func cpuTime() time.Duration { return 0 }
