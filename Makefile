# KittenAsso's: the two commands that matter are `make dev` and `make test`.
GO ?= go
# devstack is built, not `go run`: go run reports exit 1 when Ctrl-C ends a clean run.
DEVSTACK := .devstack/bin/devstack

# Lambda builds (provided.al2023): static, no RPC shim, stripped.
GOARCH_LAMBDA ?= arm64
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w'
FUNCTIONS := $(notdir $(wildcard functions/*))

.PHONY: dev test check bench build clean devstack

## dev: PostgreSQL, migrations, default admin and the API gateway on http://localhost:3000
dev: devstack
	$(DEVSTACK) dev

## test: every test, against a private PostgreSQL started for the run
test: devstack
	$(DEVSTACK) test -- $(GO) test -count=1 ./...

devstack:
	$(GO) build -o $(DEVSTACK) ./cmd/devstack

## check: gofmt, go vet and staticcheck (pinned in go.mod as a tool), as CI runs them
check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	 if [ -n "$$unformatted" ]; then echo "gofmt: these files need formatting:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## bench: the gateway overhead benchmark (docs/benchmarks.md)
bench: devstack
	$(DEVSTACK) test -- $(GO) test -run '^$$' -bench . -benchmem -count 5 ./shared/gateway

## build: every function as a Lambda bootstrap under build/<name>/
build: $(addprefix build/,$(FUNCTIONS))

build/%: FORCE
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build $(LAMBDA_FLAGS) -o build/$*/bootstrap ./functions/$*

FORCE:

clean:
	rm -rf build .devstack/bin
