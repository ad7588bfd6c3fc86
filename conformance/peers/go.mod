module github.com/nat-cni/conformance/peers

go 1.19

// Built offline against Debian's Go sources (golang-github-appc-cni-dev 1.1.2,
// golang-github-containerd-go-cni-dev 1.1.7): see README.md. No go.sum is needed because both
// requirements are replaced by local directories; never run `go mod tidy` here (it would look up
// the test-only dependencies of cni and go-cni on the network).
require (
	github.com/containerd/go-cni v1.1.7
	github.com/containernetworking/cni v1.1.2
)

replace (
	github.com/containerd/go-cni => /usr/share/gocode/src/github.com/containerd/go-cni
	github.com/containernetworking/cni => /usr/share/gocode/src/github.com/containernetworking/cni
)
