# nat-cni — every entry point. `make run` and `make test` install what they need.
SHELL := /bin/bash
.SECONDEXPANSION:
.DEFAULT_GOAL := build

NODE_DEPS := node_modules/.package-lock.json
ESBUILD := node_modules/.bin/esbuild
ESBUILD_CJS := --bundle --platform=node --target=node20 --format=cjs --log-level=warning
ESBUILD_NODE := $(ESBUILD_CJS) --banner:js='\#!/usr/bin/env node'
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

# The start-up script that answers VERSION and `--version`, then, in a trailing comment, the core
# (plugin/main.ts's bundle) and V8's code cache of it made by this machine's node: plugin/start.ts.
dist/nat: $(NODE_DEPS) $(TS_SOURCES) tools/code-cache.mjs
	@mkdir -p dist build/nat
	$(ESBUILD) plugin/main.ts $(ESBUILD_CJS) --external:koffi --outfile=build/nat/core.js
	node tools/code-cache.mjs build/nat/core.js build/nat/core.cache
	$(ESBUILD) plugin/start-dist.ts $(ESBUILD_NODE) --outfile=build/nat/start.js
	{ cat build/nat/start.js && printf '/*nat-core:' && gzip -9n < build/nat/core.js | base64 -w0 && printf ':' && \
		base64 -w0 build/nat/core.cache && printf '*/\n'; } > $@.tmp
	@chmod +x $@.tmp && mv -f $@.tmp $@

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
