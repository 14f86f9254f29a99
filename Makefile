# The README's two commands are `make hub` and `make test`.
.PHONY: hub test build install bench

# -buildvcs=auto overrides a GOFLAGS=-buildvcs=false in the environment, so
# --version names the commit whenever the build runs in a git checkout.
GOBUILD_FLAGS = -buildvcs=auto

build:
	go build $(GOBUILD_FLAGS) -o bin/ ./cmd/...

# Puts geneva, geneva-hub and geneva-connector into $(go env GOBIN), or
# $(go env GOPATH)/bin when GOBIN is unset.
install:
	go install $(GOBUILD_FLAGS) ./cmd/...

# HUB_FLAGS (from the environment or the command line) adds flags, e.g.
# HUB_FLAGS="--nats-listen 127.0.0.1:14222 --http-listen 127.0.0.1:18080".
hub: build
	./bin/geneva-hub --dev $(HUB_FLAGS)

test:
	./scripts/test.sh

bench:
	go test -run='^$$' -bench=. -benchmem ./schemas/... ./policy/...
