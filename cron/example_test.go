package cron_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gokeel/keel/cron"
	"github.com/gokeel/keel/cron/crontest"
	"github.com/redis/go-redis/v9"
)

func ExampleParse() {
	s, err := cron.Parse("0 9 * * MON-FRI", cron.WithLocation(time.UTC))
	if err != nil {
		panic(err)
	}
	t := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) // a Friday
	for i := 0; i < 3; i++ {
		t = s.Next(t)
		fmt.Println(t.Format("Mon Jan 2 15:04"))
	}
	// Output:
	// Mon Nov 30 09:00
	// Tue Dec 1 09:00
	// Wed Dec 2 09:00
}

func ExampleParse_daylightSaving() {
	// 02:30 does not exist in New York on 2026-03-08: the job runs once, at
	// the first instant after the gap.
	s, _ := cron.Parse("CRON_TZ=America/New_York 30 2 * * *")
	t := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		t = s.Next(t)
		fmt.Println(t.Format("2006-01-02 15:04 MST"))
	}
	// Output:
	// 2026-03-08 03:00 EDT
	// 2026-03-09 02:30 EDT
}

func ExampleParse_error() {
	_, err := cron.Parse("61 * * * *")
	fmt.Println(err)
	_, err = cron.Parse("0 0 30 2 *")
	fmt.Println(err)
	// Output:
	// cron: minute field "61": value out of range 0-59
	// cron: "0 0 30 2 *": never fires
}

func ExampleScheduler() {
	// A fake clock stands in for time.Now; in production, omit WithClock.
	clock := crontest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	done := make(chan struct{})
	s, err := cron.New(cron.WithClock(clock), cron.WithLocation(time.UTC),
		cron.WithHook(func(e cron.Event) {
			if e.Kind == cron.EventFinish {
				close(done)
			}
		}))
	if err != nil {
		panic(err)
	}
	err = s.Add("report", "*/15 * * * *", func(ctx context.Context) error {
		fire, _ := cron.FireTime(ctx)
		fmt.Println("report for", fire.Format("15:04"))
		return nil
	}, cron.WithTimeout(time.Minute))
	if err != nil {
		panic(err)
	}
	for _, e := range s.Entries() {
		fmt.Println(e.Name, "next at", e.Next.Format("15:04"))
	}

	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error)
	go func() { stopped <- s.Run(ctx) }()
	clock.WaitForTimer(time.Date(2026, 1, 1, 0, 15, 0, 0, time.UTC), time.Minute)
	clock.Advance(15 * time.Minute)
	<-done
	cancel()
	fmt.Println("stopped:", <-stopped)
	// Output:
	// report next at 00:15
	// report for 00:15
	// stopped: <nil>
}

func ExampleNewRedisLocker() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	locker, err := cron.NewRedisLocker(rdb, cron.WithKeyPrefix("myapp:cron:"))
	if err != nil {
		panic(err)
	}
	// Every instance of the service runs the same scheduler; each tick of
	// "cleanup" runs on exactly one of them.
	s, err := cron.New(cron.WithLocker(locker))
	if err != nil {
		panic(err)
	}
	_ = s.Add("cleanup", "*/5 * * * *", func(ctx context.Context) error {
		return nil // delete expired rows...
	}, cron.WithTimeout(2*time.Minute))
	// go s.Run(ctx)
}
