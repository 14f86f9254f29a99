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
if [ ! -x "$venv/bin/stix2_validator" ]; then
  echo "peers: installing Python test tools into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
fi
echo "export GENEVA_PYTHON=$venv/bin/python"
echo "export GENEVA_STIX2_VALIDATOR=$venv/bin/stix2_validator"
