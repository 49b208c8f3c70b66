#!/usr/bin/env bash
# Measures the todo API under load on this machine, against a bare net/http
# baseline that serves the same JSON from a map. Everything runs on
# 127.0.0.1 and stops by itself.
#
#   bash examples/todo/load.sh            # 10 s per run, 32 clients
#   DURATION=30s CONC=64 bash examples/todo/load.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
DURATION=${DURATION:-10s}
CONC=${CONC:-32}
BIN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$BIN"' EXIT
go build -o "$BIN/todo" ./examples/todo
go build -o "$BIN/loadgen" ./examples/todo/loadgen

API=127.0.0.1:18180 ADMIN=127.0.0.1:19190 BARE=127.0.0.1:18190
DATA_DIR="$BIN/data" ADDR=$API ADMIN_ADDR=$ADMIN API_RATE_PER_SECOND=10000000 KEEL_LOG_LEVEL=warn "$BIN/todo" &
"$BIN/loadgen" bare -addr $BARE 2>/dev/null &
for _ in $(seq 1 100); do curl -fs "http://$ADMIN/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

curl -fs -XPOST "http://$API/v1/auth/register" -H 'Content-Type: application/json' \
	-d '{"email":"load@example.com","password":"load-password"}' >/dev/null
TOKEN=$(curl -fs -XPOST "http://$API/v1/auth/login" -H 'Content-Type: application/json' \
	-d '{"email":"load@example.com","password":"load-password"}' | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
curl -fs -XPOST "http://$API/v1/todos" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-d '{"title":"buy milk"}' >/dev/null

# Alternate the baseline and the API so that both see the same machine.
ROUNDS=${ROUNDS:-3}
bare_total=0 todo_total=0
for r in $(seq 1 "$ROUNDS"); do
	echo "== round $r: bare net/http map handler, GET /v1/todos/1"
	out=$("$BIN/loadgen" -url "http://$BARE/v1/todos/1" -c "$CONC" -d "$DURATION")
	echo "$out"
	bare_total=$(echo "$out" | awk -v t="$bare_total" '{for(i=1;i<=NF;i++) if($i=="req/s,") print t+$(i-1)}')
	echo "== round $r: todo (cached), GET /v1/todos/1"
	out=$("$BIN/loadgen" -url "http://$API/v1/todos/1" -H "Authorization: Bearer $TOKEN" -c "$CONC" -d "$DURATION")
	echo "$out"
	todo_total=$(echo "$out" | awk -v t="$todo_total" '{for(i=1;i<=NF;i++) if($i=="req/s,") print t+$(i-1)}')
done
awk -v a="$todo_total" -v b="$bare_total" -v n="$ROUNDS" \
	'BEGIN{printf "== cached read: %.0f req/s vs bare %.0f req/s (mean of %d rounds): %.0f%% of bare\n", a/n, b/n, n, 100*a/b}'
echo "== todo: POST /v1/todos"
"$BIN/loadgen" -method POST -url "http://$API/v1/todos" -H "Authorization: Bearer $TOKEN" -body '{"title":"load"}' -status 201 -c "$CONC" -d "$DURATION"
