// Package cron parses cron expressions exactly and runs scheduled jobs, once
// per tick across any number of instances.
//
// # Expressions
//
// [Parse] accepts five fields (minute, hour, day of month, month, day of
// week) or six (a leading seconds field):
//
//	field          values           also
//	second         0-59             * , - /
//	minute         0-59             * , - /
//	hour           0-23             * , - /
//	day of month   1-31             * , - / ? L L-n LW nW
//	month          1-12, JAN-DEC    * , - /
//	day of week    0-7, SUN-SAT     * , - / ? n#k nL   (0 and 7 are Sunday)
//
// Lists ("1,15"), ranges ("MON-FRI"), steps ("*/5", "10-40/10", and "10/5",
// which is "10-59/5") and case-insensitive names work as in Vixie cron. The
// extensions are:
//
//   - L in day of month: the last day of the month; L-3: three days before it;
//     LW: the last weekday (Monday to Friday) of the month.
//   - nW: the weekday nearest day n, within the same month (15W on a Saturday
//     the 15th is Friday the 14th; 1W on a Saturday is Monday the 3rd). A
//     month without day n has no match.
//   - n#k in day of week: the k-th (1-5) weekday n of the month (MON#2).
//   - nL in day of week: the last weekday n of the month (5L, FRIL).
//
// Descriptors stand for whole expressions: @yearly (@annually), @monthly,
// @weekly, @daily (@midnight), @hourly, and "@every <duration>" (at least
// 1s). An @every schedule fires at the multiples of its interval since the
// Unix epoch, so that every instance of a fleet agrees on its ticks: "@every
// 1h" fires on the hour, "@every 90s" at :00 and :30 of alternating minutes.
//
// An expression runs in a time zone: the "CRON_TZ=Europe/Berlin " (or "TZ=")
// prefix, else the [WithLocation] option, else time.Local.
//
// Errors name the field and the offending text, as in
// `cron: minute field "61": value out of range 0-59`, and are [*ParseError]
// values wrapping [ErrSyntax]. An expression that can never fire, such as
// "0 0 30 2 *", is rejected by Parse with [ErrNeverFires], so Next always has
// an answer; its search is bounded (the calendar repeats every 400 years).
//
// # Day of month and day of week
//
// When both day fields are restricted, a day matches if EITHER matches, as in
// Vixie cron: "0 0 1 * MON" fires on the 1st and on every Monday. A field
// that starts with * or ? (such as "*" or "*/2") counts as unrestricted, and
// then a day must match both fields: "0 0 */2 * MON" fires on Mondays that
// fall on an odd day of the month, "0 0 * * MON#2" on second Mondays.
//
// # Daylight saving time
//
// Schedules are evaluated on the wall clock of their zone, and transitions
// follow one rule, chosen by the hour field:
//
//   - Spring forward (a gap, such as 02:00-03:00 that never happens): a
//     fire time inside the gap of a fixed-hour expression ("30 2 * * *",
//     "0 1-3 * * *") runs once, at the first valid instant after the gap
//     (03:00). An expression whose hour field starts with * ("30 * * * *",
//     "*/15 * * * *", "0 */2 * * *") runs only at wall times that exist, so
//     it keeps its rhythm in real time.
//   - Fall back (a repeated hour, such as 01:00-02:00 twice): a fixed-hour
//     expression runs once, in the first of the two hours. An expression whose
//     hour field starts with * runs in each real hour, both copies of the
//     repeated hour included.
//
// @every schedules count real time and are unaffected. [Schedule.Next] and
// [Schedule.Prev] are exact mirrors under this rule and allocate nothing.
//
// # Scheduler
//
// A [Scheduler] from [New] runs [Job] functions, added by name with
// [Scheduler.Add], until the context of [Scheduler.Run] is done. Fire times
// live in a heap: each fire costs O(log n) and idle jobs cost nothing. Per
// job, [WithTimeout] bounds a run, [WithOverlap] chooses what happens when a
// run is still going at the next fire time (skip, allow, or queue one),
// [WithJitter] spreads starts, and [WithMisfire] chooses what happens to fire
// times reached late (after downtime, or a [WithLastRun] in the past). A
// panicking job is recovered, logged with its stack and counted. On shutdown
// Run stops scheduling, cancels the contexts of running jobs and waits for
// them up to [WithShutdownTimeout].
//
// Time comes from a [Clock] (see [WithClock]); package crontest has a fake
// one, so that tests never wait for real minutes. Logs go to a *zap.Logger
// ([WithLogger]), metrics to a prometheus.Registerer ([WithMetrics]), and
// every start, finish and skip to an optional hook ([WithHook]).
//
// # Running once across a fleet
//
// Before a run, the scheduler takes a lease from its [Locker] whose key names
// the job and its scheduled fire time ("cleanup@2026-01-02T03:00:00Z"): a
// lease per tick, not a lock held while the job runs. Several instances
// sharing a [RedisLocker] therefore run each tick once between them, and an
// instance whose clock lags cannot run a tick another instance already ran,
// because a finished tick's key stays taken for [WithLeaseRetention]. The
// lease outlives the job's timeout and is extended while the job runs; a
// lost lease cancels the job's context. If the Locker fails, the tick is
// skipped (at most once, never twice). The default [LocalLocker] coordinates
// schedulers inside one process; package crontest checks any Locker.
package cron
