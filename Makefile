# The README's two commands are `make hub` and `make test`.
.PHONY: hub test build bench

build:
	go build -o bin/ ./cmd/...

hub: build
	./bin/geneva-hub --dev

test:
	./scripts/test.sh

bench:
	go test -run='^$$' -bench=. -benchmem ./schemas/... ./policy/...
