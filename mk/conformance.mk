# The CNI conformance suite (conformance/): bundle, `make conformance PLUGIN=path [PROFILE=] [MODE=]`.
# The nat profile reads HNS through hns/ (the HCN API over koffi), so hns/ is part of the bundle; koffi
# stays outside it, loaded from node_modules only when the suite observes through a library.
CONFORMANCE_SOURCES := $(shell find conformance -maxdepth 2 -name '*.ts' -not -path 'conformance/peers/*' 2>/dev/null) \
	$(shell find hns spec -name '*.ts' 2>/dev/null)

dist/conformance.js: $(NODE_DEPS) $(CONFORMANCE_SOURCES)
	$(call bundle_node,conformance/main.ts,--external:koffi)

# What HNS holds of ours, through the HCN API (.github/workflows/windows.yml, after nerdctl rm).
dist/hns-check.js: $(NODE_DEPS) $(CONFORMANCE_SOURCES)
	$(call bundle_node,conformance/hns-check.ts,--external:koffi)

build: dist/conformance.js dist/hns-check.js
TEST_PREREQS += dist/conformance.js dist/hns-check.js
TEST_DEBS += containernetworking-plugins

PROFILE ?= generic
MODE ?= strict
.PHONY: conformance
conformance: dist/conformance.js
	@test -n "$(PLUGIN)" || { echo 'usage: make conformance PLUGIN=path [PROFILE=generic|nat] [MODE=strict|compat]' >&2; exit 2; }
	node dist/conformance.js --plugin "$(PLUGIN)" --profile "$(PROFILE)" --mode "$(MODE)"

# A test IPAM plugin that knows GC and STATUS and records its calls (test/fixtures/ipam/recording-ipam.ts):
# the nat profile's delegating mode and the plugin's process tests run it from here.
build/test-plugins/recording-ipam: $(NODE_DEPS) test/fixtures/ipam/recording-ipam.ts $(shell find spec -name '*.ts')
	$(call bundle_node,test/fixtures/ipam/recording-ipam.ts)
TEST_PREREQS += build/test-plugins/recording-ipam
