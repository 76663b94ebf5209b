#!/usr/bin/env bash
# Speed-up through the Redis queue: the same sweep (12 runs of the 2026 what-if) with one
# `exodus worker` process on 1 thread and on 2 threads, and on 1 local thread without a queue,
# REPEAT times each, median wall times.
# Starts its own redis-server on a free loopback port and stops it (by pid) at the end.
# Usage: bash bench/queue-speedup.sh [REPEAT=3] [AGENTS=5000]
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
AGENTS=${2:-5000}
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
DIR=$(mktemp -d)
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR" >"$DIR/redis.log" &
REDIS=$!
trap 'kill $REDIS 2>/dev/null; [ -n "${WORKER:-}" ] && kill $WORKER 2>/dev/null; rm -rf "$DIR"' EXIT
sleep 0.5
URL="redis://127.0.0.1:$PORT"
SWEEP=(sweep russia-telegram-block-2026-whatif --vary 'shocks[9].hardness=0.2:0.8:4' --metric mau:Telegram:RU@2026-09 --replicates 3 --agents "$AGENTS" --out "$DIR/out")
wall() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).wallSeconds)' "$DIR/out/manifest.json"; }
# Interleaved (local, 1, 2, local, 1, 2, ...) so that a change in the machine's load hits all alike.
declare -A times
for k in $(seq "$REPEAT"); do
  node bin/exodus.mjs "${SWEEP[@]}" --workers 1 >/dev/null 2>&1
  times[local]+="$(wall) "
  for threads in 1 2; do
    node bin/exodus.mjs worker --queue "$URL" --workers "$threads" --name "bench-$threads" 2>"$DIR/worker-$threads.log" &
    WORKER=$!
    sleep 3
    node bin/exodus.mjs "${SWEEP[@]}" --queue "$URL" >/dev/null 2>&1
    times[$threads]+="$(wall) "
    kill $WORKER; wait $WORKER 2>/dev/null || true; WORKER=
  done
done
median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m0=$(median "${times[local]}"); m1=$(median "${times[1]}"); m2=$(median "${times[2]}")
echo "local, 1 thread, no queue: ${times[local]}s (median $m0 s)"
echo "1 worker thread:  ${times[1]}s (median $m1 s)"
echo "2 worker threads: ${times[2]}s (median $m2 s)"
echo "speed-up 1 -> 2 worker threads (ratio of medians): $(awk -v a="$m1" -v b="$m2" 'BEGIN {printf "%.2f", a / b}')"
echo "queue on 1 thread vs local on 1 thread (ratio of medians): $(awk -v a="$m1" -v b="$m0" 'BEGIN {printf "%.2f", a / b}')"
