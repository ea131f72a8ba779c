# KittenAsso's: the two commands that matter are `make dev` and `make test`.
GO ?= go
# devstack is built, not `go run`: go run reports exit 1 when Ctrl-C ends a clean run.
DEVSTACK := .devstack/bin/devstack

# The repository root, found from this Makefile's own path (read before any include
# could add to MAKEFILE_LIST): `sam build` runs make elsewhere (below, build-%Function).
ROOT := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))

# Lambda builds (provided.al2023): static, no RPC shim, stripped.
GOARCH_LAMBDA ?= arm64
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w'
FUNCTIONS := $(notdir $(wildcard functions/*))

.PHONY: dev dev-rie test deploy deploy-web destroy screenshots fuzz check bench bench-api bench-mail bench-rie bench-writes dlq redrive build clean devstack

## dev: PostgreSQL, migrations, default admin and the API gateway on http://localhost:3000
dev: devstack
	$(DEVSTACK) dev

## dev-rie: the local stack with the real Lambda bootstraps under aws-lambda-rie
dev-rie: devstack
	$(DEVSTACK) dev -rie

## test: every test, against a private PostgreSQL started for the run, then each fuzz target briefly
test: devstack
	$(DEVSTACK) test -- $(GO) test -count=1 ./...
	$(MAKE) fuzz

# Fuzz targets as Name:package. FUZZTIME is per target; minimising a find is capped
# so that a large interesting input cannot stall the run.
FUZZ_TARGETS := FuzzRequestBodies:./shared/httpapi FuzzEventEmail:./shared/mail
FUZZTIME ?= 15s

## fuzz: run each fuzz target for FUZZTIME
fuzz:
	@for target in $(FUZZ_TARGETS); do \
	  echo "fuzz $${target%%:*} for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$${target%%:*}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s "$${target#*:}" || exit 1; \
	done

devstack:
	$(GO) build -o $(DEVSTACK) ./cmd/devstack

## check: gofmt, go vet and staticcheck (pinned in go.mod as a tool), as CI runs them
check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	 if [ -n "$$unformatted" ]; then echo "gofmt: these files need formatting:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## screenshots: run the browser journey and keep its screenshots in docs/screenshots/
screenshots: devstack
	mkdir -p docs/screenshots
	WEB_SCREENSHOTS=$(CURDIR)/docs/screenshots $(DEVSTACK) test -- $(GO) test -count=1 -run '^TestWebAppJourney$$' ./shared/e2e

## bench: the gateway overhead benchmark (docs/benchmarks.md)
bench: devstack
	$(DEVSTACK) test -- $(GO) test -run '^$$' -bench . -benchmem -count 5 ./shared/local/apigateway

## bench-api: seed the 1x and 100x data sets and load the list and search routes with vegeta (docs/benchmarks.md)
bench-api:
	$(GO) run ./cmd/bench api

## bench-writes: 50 clients mixing reads and writes on one association; prints the p50/p99 of each (docs/benchmarks.md)
bench-writes:
	$(GO) run ./cmd/bench writes

## bench-mail: the mail pipeline end to end, a 5,000-member invitation fan-out (docs/benchmarks.md)
bench-mail:
	$(GO) run ./cmd/bench mail

## bench-rie: bootstrap sizes (arm64), cold start and warm latency under aws-lambda-rie (docs/benchmarks.md)
bench-rie:
	$(GO) run ./cmd/bench rie

## dlq: show the mail dead-letter queue of the running `make dev`
dlq:
	$(GO) run ./cmd/maildlq show

## redrive: send the dead letters back to the mail queue (after fixing the cause)
redrive:
	$(GO) run ./cmd/maildlq redrive

## build: every function as a Lambda bootstrap under build/<name>/
build: $(addprefix build/,$(FUNCTIONS))

# ENV picks the samconfig.toml environment: default, staging or production.
ENV ?= default

# STACK is the stack name samconfig.toml gives the ENV environment.
STACK = $(shell awk -v section='[$(ENV).global.parameters]' '$$0 == section {on = 1; next} /^\[/ {on = 0} \
	on && $$1 == "stack_name" {gsub(/"/, "", $$3); print $$3}' samconfig.toml)

## deploy: sam build, sam deploy --config-env $(ENV), the migration step (a failure fails the deploy), the web app
deploy:
	sam build
	sam deploy --config-env $(ENV)
	infra/migrate.sh $(STACK)
	$(MAKE) deploy-web ENV=$(ENV)

## deploy-web: upload web/ to the stack's bucket and invalidate CloudFront (AWS CLI)
deploy-web:
	infra/deploy-web.sh $(STACK)

## destroy: empty the web bucket, then sam delete the $(ENV) stack (asks first)
destroy:
	infra/empty-bucket.sh $(STACK)
	sam delete --config-env $(ENV)

build/%: FORCE
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build $(LAMBDA_FLAGS) -o build/$*/bootstrap ./functions/$*

# `sam build`: every function has Metadata {BuildMethod: makefile, ContextPath: .}, so
# SAM's makefile builder copies the function's CodeUri (functions/<name>/, no go.mod)
# into a scratch folder and runs `make --makefile <root>/Makefile build-<LogicalId>`
# there, with ARTIFACTS_DIR set. So the recipe depends on no working directory: go
# builds from ROOT (go -C), into ARTIFACTS_DIR made absolute first (go -C would read a
# relative one from ROOT). It builds the same bootstrap as `make build`.
# The logical id names the function's folder: UsersListFunction -> functions/users-list.
build-%Function:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (sam build sets it)"; exit 1; }
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) -C $(ROOT) build $(LAMBDA_FLAGS) -o $(abspath $(ARTIFACTS_DIR))/bootstrap \
		./functions/$(shell echo '$*' | sed -E 's/([a-z0-9])([A-Z])/\1-\2/g' | tr '[:upper:]' '[:lower:]')

FORCE:

clean:
	rm -rf build .devstack/bin
