#!/usr/bin/env bash
# Installs the external test peers into a cache folder, idempotently, and
# prints `export NAME=value` lines for the Go tests. Sourced by test.sh.
#   GENEVA_CACHE  where to install (default ~/.cache/geneva)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${GENEVA_CACHE:-$HOME/.cache/geneva}
mkdir -p "$cache"

# --- OASIS Python tools (stix2-validator, stix2) in a venv -------------------
req="$here/requirements-test.txt"
stamp=$(sha256sum "$req" | cut -c1-12)
venv="$cache/venv-$stamp"
if [ ! -f "$venv/installed" ]; then # written last, so a failed install is redone
  echo "peers: installing Python test tools into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
  touch "$venv/installed"
fi
echo "export GENEVA_PYTHON=$venv/bin/python"
echo "export GENEVA_STIX2_VALIDATOR=$venv/bin/stix2_validator"

# --- Apache Kafka 3.9.x (KRaft broker for hub/archive tests) and kcat -------
# Maven puts the broker's jars into one folder; the Go tests start and stop
# their own brokers from it (hub/archive/kafkatest). The stamp holds the
# pom's hash, so editing the pom reinstalls.
pom="$here/kafka/pom.xml"
kstamp=$(sha256sum "$pom" | cut -c1-12)
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")
kafka_home="$cache/kafka-$kafka_version"
if [ "$(cat "$kafka_home/stamp" 2>/dev/null)" != "$kstamp" ]; then
  echo "peers: installing Apache Kafka $kafka_version into $kafka_home" >&2
  rm -rf "$kafka_home"
  mkdir -p "$kafka_home"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$kafka_home/lib" >&2
  echo "$kstamp" > "$kafka_home/stamp"
fi
echo "export GENEVA_KAFKA_LIB=$kafka_home/lib"

# --- Debian packages: kcat (reads the archive independently), chromium
# (opens the HTML report headless), tmux (geneva subscribe in a real
# terminal). One apt-get run for whatever is missing.
missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
if [ ${#missing[@]} -gt 0 ]; then
  echo "peers: installing Debian packages: ${missing[*]}" >&2
  if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi
echo "export GENEVA_KCAT=$(command -v kcat)"
echo "export GENEVA_CHROMIUM=/usr/bin/chromium"
echo "export GENEVA_TMUX=$(command -v tmux)"
