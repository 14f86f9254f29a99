#!/usr/bin/env bash
# Installs the external test peers that are missing, idempotently, and
# prints `export NAME=value` lines for the Go tests. Sourced by test.sh.
# Python tools and Kafka go into a cache folder; kcat, tmux and chromium come
# from the system's packages (never upgrading one already installed). Each
# install is announced on stderr, with what and where, before it starts.
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
  command -v python3 >/dev/null 2>&1 || { echo "peers: python3 (3.11 or later, with venv) is needed for the OASIS test tools; install it, then run this again" >&2; exit 1; }
  echo "peers: installing the Python test tools of $req ($(grep -cv '^[[:space:]]*\(#\|$\)' "$req") packages, from PyPI) into the venv $venv" >&2
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
  command -v mvn >/dev/null 2>&1 || { echo "peers: Maven (mvn) and Java 17 are needed to fetch Apache Kafka $kafka_version for the archive tests; install them, then run this again" >&2; exit 1; }
  echo "peers: installing Apache Kafka $kafka_version (jars from Maven Central) into $kafka_home" >&2
  rm -rf "$kafka_home"
  mkdir -p "$kafka_home"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$kafka_home/lib" >&2
  echo "$kstamp" > "$kafka_home/stamp"
fi
echo "export GENEVA_KAFKA_LIB=$kafka_home/lib"

# --- Debian packages: kcat (reads the archive independently), chromium
# (opens the HTML report headless), tmux (geneva subscribe in a real
# terminal). Only what is missing, and never an upgrade of anything already
# on the host: apt-get simulates the install first, and if it would upgrade
# an installed package we stop and say what to install by hand.
missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
if [ ${#missing[@]} -gt 0 ]; then
  manual="install them yourself (Debian/Ubuntu: apt-get install ${missing[*]}), then run this again"
  command -v apt-get >/dev/null 2>&1 || { echo "peers: missing test tools: ${missing[*]}; no apt-get here: $manual" >&2; exit 1; }
  if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
  $sudo apt-get update -qq >&2
  plan=$(apt-get install -s --no-upgrade "${missing[@]}" 2>&1) || { echo "$plan" >&2; echo "peers: apt-get cannot install ${missing[*]}: $manual" >&2; exit 1; }
  upgrades=$(sed -n 's/^Inst \([^ ]*\) \[.*/\1/p' <<<"$plan" | tr '\n' ' ')
  if [ -n "$upgrades" ]; then
    echo "peers: installing ${missing[*]} would upgrade packages already on this host ($upgrades); not doing that: $manual" >&2
    exit 1
  fi
  new=$(sed -n 's/^Inst \([^ ]*\) .*/\1/p' <<<"$plan" | tr '\n' ' ')
  echo "peers: installing Debian packages system-wide with apt-get (binaries in /usr/bin): ${missing[*]}; with their dependencies, new packages: $new" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-upgrade "${missing[@]}" >&2
fi
echo "export GENEVA_KCAT=$(command -v kcat)"
echo "export GENEVA_CHROMIUM=/usr/bin/chromium"
echo "export GENEVA_TMUX=$(command -v tmux)"
