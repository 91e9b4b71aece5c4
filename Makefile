# District: `make run` to try it, `make test` to check it. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export PATH := $(HOME)/.cargo/bin:$(PATH)
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/district
export APP_PORT ?= 8080
# Development defaults (secrets, demo data) only where asked for: a bare process is production.
export APP_ENV ?= development
export LEPTOS_OUTPUT_NAME := district

# cargo-leptos compiles debug builds with this flag; reusing it keeps tests from rebuilding.
DEV_RUSTFLAGS := --cfg erase_components

.PHONY: help run test test-integration build dev test-cover lint fmt migrate-up migrate-down seed swagger docker-up docker-down bootstrap services bench check-deploy test-api test-chaos lighthouse

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

run: ## Install what is missing, prepare and seed the database, build and serve on APP_PORT
	@scripts/bootstrap.sh
	@scripts/services.sh
	cargo leptos build --split
	target/debug/district seed
	@echo "District is starting on http://127.0.0.1:$(APP_PORT) (demo users in README.md)"
	target/debug/district serve

test: ## The whole suite: unit, integration (PostgreSQL, Redis) and end-to-end (Chromium)
	@scripts/test.sh

test-integration: ## The unit and integration tests alone (PostgreSQL, Redis), without the browser
	@scripts/bootstrap.sh --test
	@DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/district_test} scripts/services.sh
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/district_test} APP_ENV=test \
	  RUSTFLAGS="$(DEV_RUSTFLAGS)" cargo test -p app -p server --features app/ssr

build: ## Release build: target/release/district plus the site in target/site
	@scripts/bootstrap.sh
	LEPTOS_ENV=PROD cargo leptos build --release --precompress --split

dev: ## Rebuild and restart on every change
	@scripts/bootstrap.sh
	@scripts/services.sh
	cargo leptos watch --split

test-cover: ## Line coverage of the Rust tests (cargo-tarpaulin), report in target/coverage
	@scripts/bootstrap.sh --test
	@scripts/services.sh
	@command -v cargo-tarpaulin >/dev/null || cargo install --locked cargo-tarpaulin
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/district_test} \
	  RUSTFLAGS="$(DEV_RUSTFLAGS)" cargo tarpaulin -p app -p server --features app/ssr \
	  --engine llvm --timeout 600 --target-dir target/coverage-build --skip-clean --out Html --out Lcov --output-dir target/coverage

lint: ## Formatting, clippy for the server (ssr) and browser (hydrate) builds, and cargo deny
	@scripts/bootstrap.sh --lint
	cargo fmt --all -- --check
	RUSTFLAGS="$(DEV_RUSTFLAGS)" cargo clippy -p app -p server --features app/ssr --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
	cargo deny check --hide-inclusion-graph bans licenses sources
	@if timeout 60 cargo deny fetch db >/dev/null 2>&1; then \
	  cargo deny check --hide-inclusion-graph advisories; \
	else echo "cargo deny: the RustSec advisory database cannot be fetched here; advisories not checked"; fi

fmt: ## Format the code
	cargo fmt --all

migrate-up: ## Apply pending migrations to DATABASE_URL
	cargo leptos build --split
	target/debug/district migrate

migrate-down: ## Revert the latest migration on DATABASE_URL
	cargo leptos build --split
	target/debug/district migrate --down

seed: ## Load the demo data into DATABASE_URL (idempotent)
	cargo leptos build --split
	target/debug/district seed

bench: ## Holds, seat-map reads, pages and the flash sale on the release build, beside the pgbench limit
	@scripts/bench.sh

test-chaos: ## Faults during a flash sale (Redis stopped, an instance killed, PostgreSQL restarted or cut off), then the invariants checked
	@scripts/chaos.sh

lighthouse: ## Lighthouse (mobile) on the home, movie, seat-map, checkout and e-ticket pages of the release build; asset sizes
	@scripts/lighthouse.sh

swagger: ## Where the API documentation is served
	@echo "OpenAPI document: http://127.0.0.1:$(APP_PORT)/api/v1/openapi.json"
	@echo "Swagger UI:       http://127.0.0.1:$(APP_PORT)/swagger/index.html"

docker-up: ## Start PostgreSQL, Redis and District in containers (needs a Docker engine)
	docker compose up -d --build

docker-down: ## Stop the containers
	docker compose down

check-deploy: ## Validate the Dockerfile, compose.yaml, k8s/, deploy/ and CI files offline
	@scripts/check_deploy.py

test-api: ## Fuzz the REST API from its OpenAPI document with schemathesis (bounded; part of make test)
	@scripts/bootstrap.sh --test
	@scripts/services.sh
	cargo leptos build --split
	@scripts/schemathesis.sh
