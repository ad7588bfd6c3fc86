# nat.exe (tools/exe, docs/windows.md): `make exe` builds dist/nat.exe, a Node SEA on the pinned
# official node.exe; `make release` zips it for Windows users; `make test` runs it under Wine
# (test/exe) against the fake computenetwork.dll and `hns-sim serve`.
EXE_TOOLS := tools/exe/build.sh tools/exe/fetch-pinned.sh tools/exe/pins.json tools/exe/wine-compat.sh \
	tools/exe/wine-prefix.sh tools/code-cache.mjs
NAT_VERSION := $(shell node -p 'require("./package.json").version' 2>/dev/null)
RELEASE_ZIP := dist/release/nat-cni-$(NAT_VERSION)-windows-amd64.zip

dist/nat.exe: $(NODE_DEPS) $(TS_SOURCES) $(EXE_TOOLS)
	tools/debian-deps osslsigncode wine64
	tools/exe/build.sh $@

# The copy that starts under Wine 8.0 (see tools/exe/wine-compat.sh); tests only, never shipped.
build/exe/nat-wine.exe: dist/nat.exe tools/exe/wine-compat.sh
	tools/exe/wine-compat.sh $< $@

build/wine/.nat-cni-ready: tools/exe/wine-prefix.sh
	tools/exe/wine-prefix.sh build/wine

$(RELEASE_ZIP): dist/nat.exe docs/windows.md tools/exe/release.sh $(wildcard release/*)
	tools/debian-deps zip
	tools/exe/release.sh $(NAT_VERSION) $@

.PHONY: exe release
exe: dist/nat.exe
release: $(RELEASE_ZIP)

TEST_PREREQS += dist/nat.exe build/exe/nat-wine.exe build/wine/.nat-cni-ready \
	dist/computenetwork.dll dist/hns-sim dist/conformance.js dist/peers/libcni-driver.exe
TEST_DEBS += wine64 gcc-mingw-w64-x86-64
