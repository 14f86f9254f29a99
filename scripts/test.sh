#!/usr/bin/env bash
# The one test command: installs the test peers (cached), then vets, lints,
# tests and briefly fuzzes everything. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export GENEVA_REQUIRE_PEERS=1

peers_env=$(scripts/peers.sh) || { echo "test: installing the test peers failed (see above)" >&2; exit 1; }
eval "$peers_env"

# Every stage runs whatever failed before it, so one run shows everything
# that is wrong; the summary at the end lists it all.
problems=()
out=$(mktemp -d "${TMPDIR:-/tmp}/geneva-test.XXXXXX")

echo "== go vet"
go vet ./... || problems+=("go vet: see above")

echo "== golangci-lint (.golangci.yml; the pinned version is built into the cache once)"
scripts/lint.sh || problems+=("golangci-lint: see above")

echo "== go test"
if ! go test -count=1 -timeout 15m ./... 2>&1 | tee "$out/test.log"; then
  failed=$(awk '/^--- FAIL: / {tests = tests " " $3}
    /^FAIL[ \t]+[^ \t]+[ \t]/ {print "  " $2 ":" (tests == "" ? " (no test named: build or setup)" : tests); tests = ""}' "$out/test.log")
  problems+=("go test failed:"$'\n'"${failed:-  (no test named; see above)}")
fi

echo "== stress (short form: a CPU hog on every core)"
if [ "${STRESS_RUNS:-}" = 0 ]; then
  echo "stress: skipped (STRESS_RUNS=0)"
else
  STRESS_SHORT=1 scripts/stress.sh 2>&1 | tee "$out/stress.log" || problems+=("stress: $(grep -E '^  failed: ' "$out/stress.log" | sed 's/^  failed: //' | paste -sd';' - || true)")
fi

echo "== fresh clone: the README tour and a go test subset in a clone with nothing beside it"
scripts/fresh-clone.sh 2>&1 | tee "$out/fresh-clone.log" || problems+=("fresh clone: $(grep -E '^fresh-clone: ' "$out/fresh-clone.log" | tail -1 || true)")

echo "== fuzz (short runs)"
# Count-based budgets (-fuzztime=Nx): a duration budget races Go's fuzz
# coordinator at the deadline (golang/go#75804, fixed in Go 1.27) and fails
# with a bare "context deadline exceeded" on a loaded machine.
execs=${GENEVA_FUZZ_EXECS:-30000}
while read -r pkg target count; do
  [ -z "$pkg" ] || [ "${pkg:0:1}" = "#" ] && continue
  n=${count:-$execs}
  echo "-- $target ($pkg, ${n} runs)"
  if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="${n}x" "$pkg" </dev/null 2>&1 | tee "$out/fuzz.log"; then
    input=$(grep -o 'Failing input written to [^ ]*' "$out/fuzz.log" | awk '{print $NF}' || true)
    problems+=("fuzz $target ($pkg): ${input:+failing input $pkg/$input; }see above")
  elif grep -q 'no fuzz tests to fuzz' "$out/fuzz.log"; then
    problems+=("fuzz $target ($pkg): no such fuzz target (scripts/fuzz-targets.txt)")
  fi
done < scripts/fuzz-targets.txt
rm -rf "$out"

if [ ${#problems[@]} -gt 0 ]; then
  echo "== ${#problems[@]} stage(s) failed"
  printf '%s\n' "${problems[@]}"
  exit 1
fi
echo "== all tests passed"
