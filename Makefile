# KittenAsso's: the two commands that matter are `make dev` and `make test`.
GO ?= go
DEVSTACK := $(GO) run ./cmd/devstack

# Lambda builds (provided.al2023): static, no RPC shim, stripped.
GOARCH_LAMBDA ?= arm64
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w'
FUNCTIONS := $(notdir $(wildcard functions/*))

.PHONY: dev test check bench build clean

## dev: PostgreSQL, migrations, default admin and the API gateway on http://localhost:3000
dev:
	$(DEVSTACK) dev

## test: every test, against a private PostgreSQL started for the run
test:
	$(DEVSTACK) test -- $(GO) test -count=1 ./...

## check: formatting and vet, as CI runs them
check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: files above need formatting'; exit 1; }
	$(GO) vet ./...

## bench: the gateway overhead benchmark (docs/benchmarks.md)
bench:
	$(DEVSTACK) test -- $(GO) test -run '^$$' -bench . -benchmem -count 5 ./shared/gateway

## build: every function as a Lambda bootstrap under build/<name>/
build: $(addprefix build/,$(FUNCTIONS))

build/%: FORCE
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build $(LAMBDA_FLAGS) -o build/$*/bootstrap ./functions/$*

FORCE:

clean:
	rm -rf build
