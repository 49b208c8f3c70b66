package dbbench

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gokeel/keel/db"
	"github.com/jmoiron/sqlx"
)

// BenchmarkTxPaired times bursts of InTx and of hand-written
// BeginTxx/Exec/Commit back to back on the do-nothing driver, alternating
// which goes first, and reports the median ratio keel/hand over rounds: the
// Go overhead of InTx, steady even on a busy machine.
func BenchmarkTxPaired(b *testing.B) {
	dbx := sqlx.NewDb(openNop(), "nop")
	defer dbx.Close()
	ctx := context.Background()
	const update = "UPDATE"
	hand := func() {
		tx, err := dbx.BeginTxx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, update); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	keel := func() {
		if err := db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, update)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	burst := func(f func()) time.Duration {
		start := time.Now()
		for range 2000 {
			f()
		}
		return time.Since(start)
	}
	burst(hand)
	burst(keel)
	var ratios []float64
	for i := 0; b.Loop(); i++ {
		var tk, th time.Duration
		if i%2 == 0 {
			tk, th = burst(keel), burst(hand)
		} else {
			th, tk = burst(hand), burst(keel)
		}
		ratios = append(ratios, float64(tk)/float64(th))
	}
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "ratio")
	b.ReportMetric(0, "ns/op")
}
