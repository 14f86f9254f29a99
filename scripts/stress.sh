#!/usr/bin/env bash
# Runs the packages that hold Geneva's delivery and crash guarantees
# STRESS_RUNS times (default 10) with a CPU hog on every core, -race where it
# fits, and ends with one line: "stress: N passed, N failed". Exits non-zero
# if anything failed. A test that passes alone but fails here depends on
# timing; the suite must pass 10 of 10.
#
#   STRESS_RUNS=3 scripts/stress.sh          # fewer rounds
#   STRESS_SHORT=1 scripts/stress.sh         # the short form CI runs (~2 min)
#   STRESS_HOGS=0 scripts/stress.sh          # no hog (a baseline)
#
# Failing output is kept under $STRESS_LOGS (default a temp dir).
set -uo pipefail
cd "$(dirname "$0")/.."
export GENEVA_REQUIRE_PEERS=1

# package, race or not, tests (a -run pattern; empty: all). Not under -race:
# the crash test (its hub is a separate, non-race binary, and the race
# detector's slowdown only stretches its 10,000 submissions) and the archive
# (a real Kafka broker does most of the work).
long='
./hub                   race
./hub/member            race
./cmd/geneva            race
./cmd/geneva-connector  race
./hub/crashtest         -
./hub/archive           -
'
short='
./hub/member            race
./hub                   race  ^(TestShutdownMidStreamLosesNothing|TestJoiningACommunityDoesNotOpenItsBacklog|TestSubscriptionCannotReplayBeforeJoining|TestReload)$
./hub/crashtest         -
'
table=$long runs=${STRESS_RUNS:-10}
if [ -n "${STRESS_SHORT:-}" ]; then
  table=$short runs=${STRESS_RUNS:-1}
  export GENEVA_CRASH_N=${GENEVA_CRASH_N:-3000}
fi
hogs=${STRESS_HOGS:-$(nproc)}
logs=${STRESS_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/geneva-stress.XXXXXX")}
mkdir -p "$logs"

peers_env=$(scripts/peers.sh) || { echo "stress: installing the test peers failed (see above)" >&2; exit 1; }
eval "$peers_env"

# Build everything first, so the hog loads the tests, not the compiler.
go test -count=1 -run='^$' $(awk 'NF {print $1}' <<<"$table") >/dev/null || { echo "stress: build failed" >&2; exit 1; }
go test -count=1 -race -run='^$' $(awk '$2 == "race" {print $1}' <<<"$table") >/dev/null || { echo "stress: race build failed" >&2; exit 1; }

hog_pids=()
stop_hogs() {
  [ ${#hog_pids[@]} -eq 0 ] && return
  kill "${hog_pids[@]}" 2>/dev/null
  wait "${hog_pids[@]}" 2>/dev/null
  hog_pids=()
}
trap stop_hogs EXIT
trap 'stop_hogs; exit 130' INT TERM
for _ in $(seq "$hogs"); do
  yes >/dev/null &
  hog_pids+=($!)
done
echo "stress: $runs run(s), ${hogs} CPU hog(s), logs in $logs"

passed=0 failed=0 failures=()
for run in $(seq "$runs"); do
  while read -r pkg race pattern; do
    [ -z "$pkg" ] && continue
    flags=(-count=1 -timeout 20m)
    [ "$race" = race ] && flags+=(-race)
    [ -n "${pattern:-}" ] && flags+=(-run "$pattern")
    log="$logs/run$run-$(tr / _ <<<"${pkg#./}").log"
    start=$SECONDS
    go test "${flags[@]}" "$pkg" >"$log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
      passed=$((passed + 1))
      echo "run $run: ok   $pkg ($((SECONDS - start))s)"
      rm -f "$log"
    else
      failed=$((failed + 1))
      tests=$(grep -o -- '--- FAIL: [^ ]*' "$log" | awk '{print $3}' | sort -u | paste -sd, -)
      [ $rc -gt 128 ] && tests="${tests:+$tests, }go test killed by signal $((rc - 128)) from outside"
      failures+=("run $run: $pkg ${tests:-(no test named; see the log)} -> $log")
      echo "run $run: FAIL $pkg ${tests} ($((SECONDS - start))s, log: $log)"
    fi
  done <<<"$table"
done
stop_hogs

for f in "${failures[@]}"; do echo "  failed: $f"; done
echo "stress: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
