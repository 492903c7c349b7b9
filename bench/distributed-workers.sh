#!/usr/bin/env bash
# Throughput of a shared PostgreSQL experiment with 1, 2 and 4 worker processes on the tabular evaluator (no
# per-trial delay: what is measured is NasGen's own per-trial cost: claim, proposal under the experiment lock with
# the strategy's catch-up, completion, heartbeat). Starts a throwaway server with eng/start-postgres.sh.
#   bench/distributed-workers.sh [trials=400] [delay-ms=0] [port=55433]   (delay: a stand-in for training time per trial)
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-400}
delay=${2:-0}
port=${3:-55433}
dotnet build -c Release tests/NasGen.CrashHarness -v q -nologo >/dev/null
dll=tests/NasGen.CrashHarness/bin/Release/net10.0/NasGen.CrashHarness.dll
work=$(mktemp -d /tmp/nasgen-bench-pg.XXXXXX)
trap 'eng/start-postgres.sh stop "$work"; rm -rf "$work"' EXIT
eng/start-postgres.sh start "$work" "$port" >/dev/null
# shellcheck disable=SC1091
source "$work/env"
psql_() { psql "host=127.0.0.1 port=$port user=nasgen dbname=nasgen" -v ON_ERROR_STOP=1 -qtA "$@"; }

echo "| workers | trials | wall (s, incl. process start) | span in the store (s) | trials/s | overhead per trial (ms, worker time) |"
echo "|---|---|---|---|---|---|"
for workers in 1 2 4; do
  schema="bench_w$workers"
  psql_ -c "CREATE SCHEMA $schema;"
  export NASGEN_STORE="postgresql:$NASGEN_TEST_POSTGRES;Search Path=$schema"
  start=$(date +%s.%N)
  pids=()
  for ((i = 1; i <= workers; i++)); do
    dotnet "$dll" worker "w$i" "$work/table.csv" 3 "$trials" "$delay" 30000 >"$work/w$i.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || { echo "a worker failed:" >&2; grep -hv '^finished' "$work"/w*.log >&2; exit 1; }; done
  end=$(date +%s.%N)
  # From the first claim to the last completion, as the server's clock saw them: start-up and JIT excluded.
  span=$(psql_ -c "SELECT EXTRACT(EPOCH FROM MAX(ended_at) - MIN(started_at)) FROM $schema.nasgen_trials WHERE status = 2;")
  done_count=$(psql_ -c "SELECT COUNT(*) FROM $schema.nasgen_trials WHERE status = 2;")
  awk -v w="$workers" -v n="$done_count" -v s="$span" -v a="$start" -v b="$end" \
    'BEGIN { printf "| %d | %d | %.2f | %.2f | %.0f | %.2f |\n", w, n, b - a, s, n / s, 1000 * s * w / n }'
done
