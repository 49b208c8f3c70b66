package cron

import "time"

// EventKind says what an [Event] reports.
type EventKind int

const (
	// EventStart: a run took its lease and is about to call the job.
	EventStart EventKind = iota + 1
	// EventFinish: a run returned; Err holds its error, Duration its length.
	EventFinish
	// EventSkip: a fire time was not run here; Reason says why.
	EventSkip
)

// String returns "start", "finish" or "skip".
func (k EventKind) String() string {
	switch k {
	case EventStart:
		return "start"
	case EventFinish:
		return "finish"
	case EventSkip:
		return "skip"
	}
	return "unknown"
}

// Reasons for an [EventSkip], also used as the reason label of the skip
// metric.
const (
	ReasonOverlap   = "overlap"    // an earlier run was still going
	ReasonMisfire   = "misfire"    // the fire time was missed (see Misfire)
	ReasonLockHeld  = "lock_held"  // another instance has the tick
	ReasonLockError = "lock_error" // the Locker failed; the tick is not run
	ReasonShutdown  = "shutdown"   // a queued run was dropped by shutdown
)

// Event reports a step in a job's life to the hook set by [WithHook].
type Event struct {
	Kind EventKind
	// Job is the job's name.
	Job string
	// Fire is the scheduled fire time the event is about.
	Fire time.Time
	// Duration is the run's length (EventFinish).
	Duration time.Duration
	// Err is the run's error (EventFinish) or the locker's (ReasonLockError).
	Err error
	// Reason says why a fire time was skipped (EventSkip).
	Reason string
}
