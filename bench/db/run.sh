#!/bin/sh
# Reproduces bench/db/README.md. The libraries run interleaved, one sample
# each per round, so load from elsewhere on the machine falls on all of
# them alike. Needs KEEL_TEST_POSTGRES (a PostgreSQL URL).
# Usage: cd bench && sh db/run.sh [rounds]   (writes db/migrate.txt, db/tx.txt)
set -e
rounds=${1:-6}
bin=/tmp/keel-dbbench.test
go test -c -o "$bin" ./db/
: > db/migrate.txt
: > db/tx.txt
for i in $(seq "$rounds"); do
	for d in sqlite postgres; do
		for lib in keel goose migrate; do
			"$bin" -test.run '^$' -test.bench "Migrate500/db=$d/lib=$lib\$" -test.benchmem -test.count 1 | grep '^Benchmark' >> db/migrate.txt
		done
	done
	for d in nop sqlite postgres; do
		for lib in hand keel; do
			"$bin" -test.run '^$' -test.bench "Tx/db=$d/lib=$lib\$" -test.benchmem -test.count 2 | grep '^Benchmark' >> db/tx.txt
		done
	done
done
benchstat -col /lib db/migrate.txt
benchstat -col /lib db/tx.txt
