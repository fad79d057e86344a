# Tribune — `make help` lists the targets.
GO      ?= go
PKGS    ?= ./...
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/tribune-social/tribune/internal/app.Version=$(VERSION)

.PHONY: help run build test test-short lint generate bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-11s %s\n", $$1, $$2}'

run: build ## build and start Tribune on SQLite in ./data, with the demo brand
	./bin/tribune serve -demo

build: ## build ./bin/tribune
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/tribune ./cmd/tribune

test: ## run the whole test suite (suites needing PostgreSQL, Chromium, Node 22 or GoToSocial say how to switch them on)
	@[ -n "$$TRIBUNE_TEST_POSTGRES" ] || echo "PostgreSQL suites skipped: set TRIBUNE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run them"
	@[ -n "$$TRIBUNE_TEST_CHROMIUM" ] || echo "Browser suite skipped: apt-get install chromium, then set TRIBUNE_TEST_CHROMIUM=/usr/bin/chromium"
	@[ -n "$$TRIBUNE_TEST_GOTOSOCIAL" ] || echo "GoToSocial suite skipped: run scripts/peers/gotosocial.sh (builds GoToSocial 0.19.2), then set TRIBUNE_TEST_GOTOSOCIAL=1"
	@[ -n "$$TRIBUNE_TEST_PDS" ] || echo "Bluesky PDS suite skipped: run scripts/peers/install.sh (Node 22 + @atproto/pds), then set TRIBUNE_TEST_PDS=1"
	@[ -n "$$TRIBUNE_SHARED_DIR" ] || [ -d ../shared/conformance/twitter-text ] || echo "twitter-text conformance suite skipped: no ../shared beside the checkout; set TRIBUNE_SHARED_DIR to the shared folder"
	@[ -n "$$TRIBUNE_TEST_AXE" ] || echo "Accessibility checks skipped: run scripts/axe/install.sh (axe-core), then set TRIBUNE_TEST_AXE to the path it prints (needs TRIBUNE_TEST_CHROMIUM too)"
	@[ -n "$$TRIBUNE_TEST_OPENAPI_LINT" ] || echo "OpenAPI lint skipped: run scripts/openapi-lint/install.sh (Redocly CLI), then set TRIBUNE_TEST_OPENAPI_LINT to the path it prints"
	$(GO) test -count=1 -timeout 45m $(PKGS)

test-short: ## fast tests only
	$(GO) test -short -count=1 $(PKGS)

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)

generate: ## regenerate sqlc queries, the store glue and templ components
	$(GO) generate ./internal/store
	$(GO) tool templ generate

bench: ## run the benchmarks recorded in docs/benchmarks.md
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 120m ./internal/bench/...

clean: ## remove build output (not ./data)
	rm -rf bin
