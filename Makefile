# nat-cni — every entry point. `make run` and `make test` install what they need.
SHELL := /bin/bash
.SECONDEXPANSION:
.DEFAULT_GOAL := build

NODE_DEPS := node_modules/.package-lock.json
ESBUILD := node_modules/.bin/esbuild
ESBUILD_NODE := --bundle --platform=node --target=node20 --format=cjs --log-level=warning \
	--banner:js='\#!/usr/bin/env node'
TS_SOURCES := $(shell find spec hns plugin conformance -name '*.ts' 2>/dev/null)

# Bundle a Node entry point into the target, atomically: tests run targets while make may rebuild them.
# $(1): the entry point, $(2): extra esbuild flags.
define bundle_node
	@mkdir -p $(@D)
	$(ESBUILD) $(1) $(ESBUILD_NODE) $(2) --outfile=$@.tmp
	@chmod +x $@.tmp && mv -f $@.tmp $@
endef

# Debian packages the full test run needs (tools/debian-deps installs them as root, else prints the command).
TEST_DEBS := containernetworking-plugins gcc gcc-mingw-w64-x86-64 golang-go \
	golang-github-appc-cni-dev golang-github-containerd-go-cni-dev wine64

.PHONY: build check test run deps test-deps typecheck lint format unit clean

# Each layer adds its own targets and prerequisites in mk/<layer>.mk: `build:` products,
# TEST_PREREQS (built before the test run) and TEST_DEBS.
TEST_PREREQS :=
-include mk/*.mk

$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NODE_DEPS)

test-deps: deps
	tools/debian-deps $(sort $(TEST_DEBS))

dist/nat: $(NODE_DEPS) $(TS_SOURCES)
	@mkdir -p dist
	$(call bundle_node,plugin/main.ts,--external:koffi)

build: dist/nat

typecheck: $(NODE_DEPS)
	node_modules/.bin/tsc -p tsconfig.json

# typescript-eslint's type-aware rules and the layer rules (eslint.config.mjs), and Prettier's format.
lint: $(NODE_DEPS)
	node_modules/.bin/eslint --max-warnings 0 .
	node_modules/.bin/prettier --check --log-level warn .

format: $(NODE_DEPS)
	node_modules/.bin/prettier --write --log-level warn .

unit: $(NODE_DEPS)
	node_modules/.bin/vitest run test/spec

# The fast subset: types, lint and format, and the unit tests.
check: typecheck lint unit

test: test-deps build typecheck lint $$(TEST_PREREQS)
	node_modules/.bin/vitest run

run: dist/nat dist/hns-sim
	@tools/demo

clean:
	rm -rf dist build
