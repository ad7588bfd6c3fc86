# Go peers (conformance/peers): libcni and containerd's go-cni driving a plugin, built offline from
# Debian's Go sources. See conformance/peers/README.md.

PEERS_DIR := conformance/peers
PEERS_SOURCES := $(shell find $(PEERS_DIR) -name '*.go' 2>/dev/null) $(PEERS_DIR)/go.mod
PEERS_LINUX := dist/peers/libcni-driver dist/peers/gocni-driver
PEERS_WINDOWS := dist/peers/libcni-driver.exe
# Module mode with `replace` to /usr/share/gocode, the network and the host's Go folders kept out.
PEERS_GO := cd $(PEERS_DIR) && env GO111MODULE=on GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off \
	GOTOOLCHAIN=local GOCACHE=$(CURDIR)/build/go/cache GOMODCACHE=$(CURDIR)/build/go/mod \
	GOPATH=$(CURDIR)/build/go/path

.PHONY: peers
peers: $(PEERS_LINUX) $(PEERS_WINDOWS)

dist/peers/%-driver: $(PEERS_SOURCES)
	@mkdir -p $(@D)
	$(PEERS_GO) go build -o $(CURDIR)/$@ ./$*-driver

dist/peers/%-driver.exe: $(PEERS_SOURCES)
	@mkdir -p $(@D)
	$(PEERS_GO) GOOS=windows GOARCH=amd64 go build -o $(CURDIR)/$@ ./$*-driver

TEST_PREREQS += $(PEERS_LINUX)
TEST_DEBS += golang-go golang-github-appc-cni-dev golang-github-containerd-go-cni-dev
