#!/usr/bin/env bash
# Proves the repository stands alone: clones the committed HEAD into an
# empty temporary folder (nothing beside it), runs the README's tour there
# (on free ports instead of 4222/8080) and a representative `go test`
# subset. Each tour command below must appear in README.md word for word,
# so the README cannot drift from what is tested. Uncommitted changes are
# not part of the clone. Called by scripts/test.sh; about a minute.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
pids=()
# cleanup ends what the tour started: Ctrl-C to each process group (make hub
# runs under setsid: its child, the hub, must get it too), then, after 15 s,
# SIGKILL, so a failed run never hangs on a hub that is still running.
cleanup() {
  for p in "${pids[@]}"; do kill -INT -- "-$p" 2>/dev/null || kill -INT "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "fresh-clone: FAIL: $*" >&2; for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done; exit 1; }

# said CMD: the README gives CMD as written.
said() { grep -qF -- "$1" "$src/README.md" || fail "the README no longer says: $1"; }
# tour CMD: said CMD, then run it with this run's HTTP port for 8080 (the
# geneva commands take the NATS port from GENEVA_SERVER).
tour() { said "$1"; eval "${1//127.0.0.1:8080/127.0.0.1:$http_port}"; }
# waitfor FILE TEXT SECONDS: until FILE holds TEXT.
waitfor() {
  local end=$((SECONDS + $3))
  until grep -qF -- "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $end ] || fail "no \"$2\" in $1 after $3 s"
    sleep 0.2
  done
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

git clone -q "$src" "$tmp/geneva"
cd "$tmp/geneva"
echo "fresh-clone: $tmp/geneva at $(git rev-parse --short HEAD)"
# The patterns are built from parts so that this script names no such path itself.
old_env="GENEVA_""SHARED" old_dir="\.\./""shared"
if grep -rn --include='*.go' --include='*.sh' --include=Makefile -e "$old_env" -e "$old_dir" . ; then
  fail "something still reads the old shared folder beside the repository"
fi

nats_port=$(free_port)
http_port=$(free_port)
export GENEVA_SERVER=nats://127.0.0.1:$nats_port # the geneva commands' --server
export HUB_FLAGS="--nats-listen 127.0.0.1:$nats_port --http-listen 127.0.0.1:$http_port"

echo "== tour 0: build, version"
tour 'make build' >"$tmp/build.log" 2>&1 || fail "make build"
bin/geneva --version | grep -q "commit $(git rev-parse --short=12 HEAD)" || fail "geneva --version does not name HEAD: $(bin/geneva --version)"
for b in geneva-hub geneva-connector; do
  bin/$b --version | grep -q "^$b .*commit $(git rev-parse --short=12 HEAD)" || fail "$b --version: $(bin/$b --version)"
done

echo "== tour 1: make hub"
said 'make hub            # = bin/geneva-hub --dev'
setsid make hub >"$tmp/hub.log" 2>&1 &
pids+=($!)
waitfor "$tmp/hub.log" "geneva hub ready" 60

echo "== tour 2: subscribe as le-alpha"
said 'bin/geneva --creds geneva-data/creds/le-alpha.creds subscribe'
bin/geneva --creds geneva-data/creds/le-alpha.creds subscribe >"$tmp/subscribe.out" 2>"$tmp/subscribe.log" &
sub=$!
pids+=($sub)
waitfor "$tmp/subscribe.log" "subscribed to " 30 # live from here: it shows what is shared from now on

echo "== tour 3: submit GREEN to all, RED to le-bravo"
tour 'bin/geneva --creds geneva-data/creds/bank-one.creds submit docs/examples/green-tlp1-to-all.json' >"$tmp/submit.log"
tour 'bin/geneva --creds geneva-data/creds/bank-one.creds submit --to le-bravo docs/examples/red-tlp1-named.json' >>"$tmp/submit.log"
green_id=$(python3 -c 'import json,sys; print([o["id"] for o in json.load(open(sys.argv[1]))["objects"] if o["type"]=="indicator"][0])' docs/examples/green-tlp1-to-all.json)
red_id=$(python3 -c 'import json,sys; print([o["id"] for o in json.load(open(sys.argv[1]))["objects"] if o["type"]=="indicator"][0])' docs/examples/red-tlp1-named.json)
waitfor "$tmp/subscribe.out" "$green_id" 30

echo "== tour 4: the classified submission is rejected"
set +e
tour 'bin/geneva --creds geneva-data/creds/bank-one.creds submit docs/examples/classified-secret-statement.json' >>"$tmp/submit.log" 2>&1
code=$?
set -e
[ $code -eq 3 ] || fail "classified submit: exit $code, want 3 (rejected)"
tour 'bin/geneva policy explain --as bank-one docs/examples/classified-secret-statement.json' >"$tmp/explain.log" && fail "policy explain accepted the classified bundle"
grep -q REJECT "$tmp/explain.log" || fail "policy explain does not say REJECT"

echo "== tour 5: metrics, audit verify"
tour 'curl -s 127.0.0.1:8080/metrics | grep geneva_' >"$tmp/metrics.log" || fail "no geneva_ metrics"
tour 'bin/geneva --creds geneva-data/creds/operator.creds audit verify' >"$tmp/audit.log" || fail "audit verify"
grep -q 'audit chain verified' "$tmp/audit.log" || fail "audit verify: $(cat "$tmp/audit.log")"
grep -qF "$red_id" "$tmp/subscribe.out" && fail "le-alpha received the RED indicator addressed to le-bravo"

echo "== tour 6: the portal's sign-in page and the dev accounts"
said 'geneva-data/portal/bank-one-admin.txt'
grep -q '^totp_secret: ' geneva-data/portal/bank-one-admin.txt || fail "no dev portal account for bank-one"
curl -sf "127.0.0.1:$http_port/portal/login" | grep -q 'name="csrf"' || fail "the portal's sign-in page does not answer"

echo "== tour 7: restart from a config file (quietly), suspend le-alpha"
kill -INT -- "-${pids[0]}" # Ctrl-C: the hub's process group
waitfor "$tmp/hub.log" "hub stopped" 30
wait "${pids[0]}" || true
tour 'cp docs/demo-mou.yaml mou.yaml'
tour 'cp docs/examples/hub-suspend.yaml hub.yaml'
sed -i "s/127.0.0.1:4222/127.0.0.1:$nats_port/; s/127.0.0.1:8080/127.0.0.1:$http_port/" hub.yaml
said 'bin/geneva-hub --config hub.yaml'
bin/geneva-hub --config hub.yaml >"$tmp/hub2.log" 2>&1 &
pids+=($!)
waitfor "$tmp/hub2.log" "geneva hub ready" 60
if grep -E 'level=(WARN|ERROR)' "$tmp/hub2.log"; then fail "warnings on a restart after a clean stop"; fi
tour "sed -i '0,/suspended: false/s//suspended: true/' mou.yaml"
waitfor "$tmp/hub2.log" "suspended=[le-alpha]" 30
end=$((SECONDS + 60))
while kill -0 "$sub" 2>/dev/null; do
  [ $SECONDS -lt $end ] || fail "le-alpha's subscribe still runs 60 s after the suspension"
  sleep 0.2
done
grep -q 'suspended' "$tmp/subscribe.log" || fail "subscribe did not say why it ended: $(cat "$tmp/subscribe.log")"

echo "== go test (representative subset, inside the clone)"
# Everything that reads testdata/ or the embedded schemas; the comparisons
# with the OASIS Python tools (external peers, not repository files) run
# in the main go test.
go test -count=1 -timeout 5m -skip 'Stix2Validator|AgreesWithOASISValidator' \
  ./schemas/... ./policy/... ./internal/version/ >"$tmp/gotest.log" 2>&1 || fail "go test in the clone"
go test -count=1 -timeout 5m -run 'Validate|Usage|Version|PolicyExplain|RootHelp' ./cmd/geneva/ >>"$tmp/gotest.log" 2>&1 || fail "go test in the clone"
echo "fresh-clone: ok (tour and go test subset in a clone with nothing beside it)"
