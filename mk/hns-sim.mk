# The HNS simulator CLI (hns/sim/cli.ts): `dist/hns-sim --state DIR <command>`.
HNS_SIM_SOURCES := $(shell find hns -name '*.ts' -not -path 'hns/ffi/*' 2>/dev/null) spec/keys.ts

dist/hns-sim: $(NODE_DEPS) $(HNS_SIM_SOURCES)
	$(call bundle_node,hns/sim/cli.ts)

build: dist/hns-sim
TEST_PREREQS += dist/hns-sim

.PHONY: hns-sim
hns-sim: dist/hns-sim
