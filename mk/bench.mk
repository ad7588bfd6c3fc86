# `make bench` (test/bench/commands.ts): whole-process cost of each plugin command next to the runtime's
# floor, HCN calls per command, a 64-ADD burst; and the same for nat.exe under Wine. Prints, never asserts;
# not part of `make test`.
BENCH_JS := build/bench/commands.js

$(BENCH_JS): $(NODE_DEPS) test/bench/commands.ts test/exe/wine.ts
	@mkdir -p $(@D)
	$(ESBUILD) test/bench/commands.ts --bundle --platform=node --target=node20 --format=cjs --log-level=warning \
		--outfile=$@

# `node.exe -e 0` under Wine 8.0 needs the same one-byte fix as nat.exe (tools/exe/wine-compat.sh).
build/exe/node-wine.exe: dist/nat.exe tools/exe/wine-compat.sh
	tools/exe/wine-compat.sh build/exe/node.exe $@

.PHONY: bench
bench: dist/nat dist/hns-sim $(BENCH_JS) build/exe/nat-wine.exe build/exe/node-wine.exe build/wine/.nat-cni-ready \
		dist/computenetwork.dll
	tools/debian-deps time
	node $(BENCH_JS)
