#!/usr/bin/env bash
# Runs golangci-lint (.golangci.yml) over the module. The linter is built by
# the Go toolchain at a fixed version into the cache folder, once; the host's
# own tools are never touched or upgraded.
#   GENEVA_CACHE  where to install (default ~/.cache/geneva)
set -euo pipefail
cd "$(dirname "$0")/.."
version=v2.15.0 # golangci-lint; change it here only
cache=${GENEVA_CACHE:-$HOME/.cache/geneva}
bin="$cache/golangci-lint-$version"
if [ ! -x "$bin/golangci-lint" ]; then
  echo "lint: building golangci-lint $version (go install, from the Go module proxy) into $bin" >&2
  mkdir -p "$bin"
  # A module-mode install at a fixed version: not this module's go.mod, so
  # the linter's dependencies never mix with the project's.
  GOBIN="$bin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version" >&2
fi
exec "$bin/golangci-lint" run ./... "$@"
