#!/usr/bin/env bash
# Soak: runs the todo API under steady mixed load for a while and samples its
# goroutine count and resident memory, to show they stay flat. Not part of
# every CI run; start it by hand:
#
#   bash examples/todo/soak.sh                 # 3 minutes, a sample every 10 s
#   DURATION=10m INTERVAL=30s bash examples/todo/soak.sh
#
# It exits 1 if goroutines or memory at the end exceed the first sample after
# warm-up by more than the allowed growth (GROWTH, default 1.5x).
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
DURATION=${DURATION:-3m}
INTERVAL=${INTERVAL:-10}
INTERVAL=${INTERVAL%s}
GROWTH=${GROWTH:-1.5}
BIN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$BIN"' EXIT
go build -o "$BIN/todo" ./examples/todo
go build -o "$BIN/loadgen" ./examples/todo/loadgen

API=127.0.0.1:18480 ADMIN=127.0.0.1:19490
DATA_DIR="$BIN/data" ADDR=$API ADMIN_ADDR=$ADMIN API_RATE_PER_SECOND=10000000 KEEL_LOG_LEVEL=warn \
	PURGE_SCHEDULE="@every 5s" PURGE_AFTER=1s "$BIN/todo" &
for _ in $(seq 1 100); do curl -fs "http://$ADMIN/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs -XPOST "http://$API/v1/auth/register" -H 'Content-Type: application/json' \
	-d '{"email":"soak@example.com","password":"soak-password"}' >/dev/null
TOKEN=$(curl -fs -XPOST "http://$API/v1/auth/login" -H 'Content-Type: application/json' \
	-d '{"email":"soak@example.com","password":"soak-password"}' | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
curl -fs -XPOST "http://$API/v1/todos" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-d '{"title":"soak"}' >/dev/null

SECS=$(( $(date -d "1970-01-01 00:00:00 UTC + ${DURATION/m/ minutes}" +%s 2>/dev/null || echo 180) ))
"$BIN/loadgen" -url "http://$API/v1/todos/1" -H "Authorization: Bearer $TOKEN" -c 8 -d "${SECS}s" > "$BIN/reads.txt" &
"$BIN/loadgen" -method POST -url "http://$API/v1/todos" -H "Authorization: Bearer $TOKEN" -body '{"title":"soak"}' \
	-status 201 -c 2 -d "${SECS}s" > "$BIN/writes.txt" &

sample() {
	local g m
	g=$(curl -fs "http://$ADMIN/debug/pprof/goroutine?debug=1" | awk 'NR==1{n=$NF} END{print n}')
	m=$(curl -fs "http://$ADMIN/metrics" | awk '/^process_resident_memory_bytes /{printf "%.0f", $2/1048576}')
	echo "$g $m"
}
printf '%8s %12s %10s\n' "t(s)" "goroutines" "RSS(MiB)"
first=""
for (( t=0; t<=SECS; t+=INTERVAL )); do
	read -r g m < <(sample)
	printf '%8d %12d %10d\n' "$t" "$g" "$m"
	if [ "$t" -ge "$INTERVAL" ] && [ -z "$first" ]; then first="$g $m"; fi
	last="$g $m"
	sleep "$INTERVAL"
done
wait %2 %3 2>/dev/null || true
echo "reads:  $(cat "$BIN/reads.txt")"
echo "writes: $(cat "$BIN/writes.txt")"
read -r g0 m0 <<<"$first"
read -r g1 m1 <<<"$last"
if awk -v a="$g1" -v b="$g0" -v c="$m1" -v d="$m0" -v k="$GROWTH" 'BEGIN{exit !(a>b*k+10 || c>d*k+8)}'; then
	echo "NOT FLAT: goroutines $g0 -> $g1, RSS ${m0} -> ${m1} MiB"
	exit 1
fi
echo "flat: goroutines $g0 -> $g1, RSS ${m0} -> ${m1} MiB"
