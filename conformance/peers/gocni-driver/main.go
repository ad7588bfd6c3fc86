// gocni-driver drives a CNI plugin the way containerd's CRI (and nerdctl) do, through containerd's
// go-cni 1.1.7 on top of libcni, and prints each step's outcome as one JSON line.
//
//	gocni-driver <step[,step...]|cycle> --plugin-dir DIR --cache-dir DIR
//	    (--conflist FILE | --conf-dir DIR) [--netns NS] [--container-id ID]
//	    [--port-map JSON] [--dns JSON] [--pod-namespace NS --pod-name NAME --pod-uid UID]
//	    [--label K=V ...] [--capability NAME=JSON ...]
//
// Steps: load (always first, implicit), status (Status), setup (Setup), check (Check),
// remove (Remove). cycle = status,setup,check,remove. The exit status is 1 if any step failed,
// 2 on a usage error.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	gocni "github.com/containerd/go-cni"
	"github.com/containernetworking/cni/libcni"
	types100 "github.com/containernetworking/cni/pkg/types/100"

	"github.com/nat-cni/conformance/peers/internal/cli"
	"github.com/nat-cni/conformance/peers/internal/jsonl"
)

var (
	knownSteps = []string{"status", "setup", "check", "remove"}
	cycleSteps = []string{"status", "setup", "check", "remove"}
)

type options struct {
	pluginDirs  cli.DirList
	confDir     string
	conflist    string
	cacheDir    string
	netns       string
	containerID string
	prefix      string
	minNetworks int
	maxConf     int
	serial      bool
	portMap     []gocni.PortMapping
	dns         *gocni.DNS
	capability  cli.KVList
	labels      cli.KVList
	podNS       string
	podName     string
	podUID      string
	timeout     time.Duration
}

func main() {
	if len(os.Args) < 2 || strings.HasPrefix(os.Args[1], "-") {
		jsonl.Fatal(fmt.Errorf("usage: gocni-driver <%s|cycle>[,...] --plugin-dir DIR --cache-dir DIR (--conflist FILE | --conf-dir DIR) [flags]", strings.Join(knownSteps, "|")))
	}
	steps, err := cli.Steps(os.Args[1], knownSteps, cycleSteps)
	if err != nil {
		jsonl.Fatal(err)
	}
	opts, err := parseFlags(os.Args[2:])
	if err != nil {
		jsonl.Fatal(err)
	}
	nsOpts, err := namespaceOpts(opts)
	if err != nil {
		jsonl.Fatal(err)
	}

	// go-cni 1.1.7 has no cache-dir option: every CNIConfig it builds uses libcni's package-level
	// default. Pointing that default at a private folder keeps results out of /var/lib/cni.
	libcni.CacheDir = opts.cacheDir

	report := jsonl.NewReporter(os.Stdout)
	var network gocni.CNI
	report.Run("load", func() (interface{}, error) {
		network, err = newCNI(opts)
		if err != nil {
			return nil, err
		}
		return loadedConfig(network), nil
	})
	if network == nil {
		os.Exit(1)
	}
	for _, step := range steps {
		ctx, cancel := context.WithTimeout(context.Background(), opts.timeout)
		report.Run(step, func() (interface{}, error) { return runStep(ctx, step, network, opts, nsOpts) })
		cancel()
	}
	if report.Failed() {
		os.Exit(1)
	}
}

func parseFlags(args []string) (*options, error) {
	opts := &options{}
	fs := flag.NewFlagSet("gocni-driver", flag.ContinueOnError)
	fs.Var(&opts.pluginDirs, "plugin-dir", "plugin directory (repeatable, or a path list)")
	fs.StringVar(&opts.confDir, "conf-dir", "", "configuration directory (WithPluginConfDir; loaded with WithDefaultConf unless --conflist is given)")
	fs.StringVar(&opts.conflist, "conflist", "", "load this conflist (WithConfListFile) instead of the conf dir")
	fs.StringVar(&opts.cacheDir, "cache-dir", "", "libcni cache directory (required)")
	fs.StringVar(&opts.netns, "netns", "", "network namespace path (on Windows: the HCN namespace GUID)")
	fs.StringVar(&opts.containerID, "container-id", "gocni-driver-0", "container (sandbox) id")
	fs.StringVar(&opts.prefix, "prefix", gocni.DefaultPrefix, "interface name prefix (WithInterfacePrefix)")
	fs.IntVar(&opts.minNetworks, "min-networks", 1, "WithMinNetworkCount")
	fs.IntVar(&opts.maxConf, "max-conf", gocni.DefaultMaxConfNum, "WithPluginMaxConfNum")
	fs.BoolVar(&opts.serial, "serial", false, "SetupSerially instead of Setup")
	portMap := fs.String("port-map", "", `WithCapabilityPortMap, a JSON array of {"HostPort","ContainerPort","Protocol","HostIP"} (key case is free)`)
	dns := fs.String("dns", "", `WithCapabilityDNS, a JSON object {"Servers","Searches","Options"}`)
	fs.Var(&opts.capability, "capability", "WithCapability NAME=JSON (repeatable)")
	fs.Var(&opts.labels, "label", "extra CNI_ARGS label K=V (repeatable; WithLabels)")
	fs.StringVar(&opts.podNS, "pod-namespace", "", "K8S_POD_NAMESPACE; with --pod-name, the labels containerd's CRI sends")
	fs.StringVar(&opts.podName, "pod-name", "", "K8S_POD_NAME")
	fs.StringVar(&opts.podUID, "pod-uid", "", "K8S_POD_UID")
	fs.DurationVar(&opts.timeout, "timeout", 60*time.Second, "timeout of each step")
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if len(opts.pluginDirs) == 0 {
		return nil, fmt.Errorf("--plugin-dir is required")
	}
	if opts.conflist == "" && opts.confDir == "" {
		return nil, fmt.Errorf("--conflist or --conf-dir is required")
	}
	var err error
	if opts.cacheDir, err = cli.RequireDir("cache-dir", opts.cacheDir); err != nil {
		return nil, err
	}
	if err = cli.DecodeJSONFlag("port-map", *portMap, &opts.portMap); err != nil {
		return nil, err
	}
	if *dns != "" {
		opts.dns = &gocni.DNS{}
		if err = cli.DecodeJSONFlag("dns", *dns, opts.dns); err != nil {
			return nil, err
		}
	}
	return opts, nil
}

func newCNI(opts *options) (gocni.CNI, error) {
	// Same option set and order as containerd's CRI: plugin dirs first, because WithPluginDir
	// replaces the libcni config that the load options then capture.
	initOpts := []gocni.Opt{
		gocni.WithPluginDir(opts.pluginDirs),
		gocni.WithInterfacePrefix(opts.prefix),
		gocni.WithMinNetworkCount(opts.minNetworks),
		gocni.WithPluginMaxConfNum(opts.maxConf),
	}
	if opts.confDir != "" {
		initOpts = append(initOpts, gocni.WithPluginConfDir(opts.confDir))
	}
	network, err := gocni.New(initOpts...)
	if err != nil {
		return nil, err
	}
	load := gocni.WithDefaultConf
	if opts.conflist != "" {
		load = gocni.WithConfListFile(opts.conflist)
	}
	if err := network.Load(load); err != nil {
		return nil, err
	}
	return network, nil
}

// namespaceOpts builds the per-sandbox options a runtime passes to Setup, Check and Remove alike.
func namespaceOpts(opts *options) ([]gocni.NamespaceOpts, error) {
	var out []gocni.NamespaceOpts
	if len(opts.portMap) > 0 {
		out = append(out, gocni.WithCapabilityPortMap(opts.portMap))
	}
	if opts.dns != nil {
		out = append(out, gocni.WithCapabilityDNS(*opts.dns))
	}
	for _, kv := range opts.capability {
		var value interface{}
		if err := json.Unmarshal([]byte(kv[1]), &value); err != nil {
			return nil, fmt.Errorf("--capability %s: %w", kv[0], err)
		}
		out = append(out, gocni.WithCapability(kv[0], value))
	}
	if opts.podName != "" {
		// The labels containerd's CRI derives from the sandbox (toCNILabels).
		out = append(out, gocni.WithLabels(map[string]string{
			"K8S_POD_NAMESPACE":          opts.podNS,
			"K8S_POD_NAME":               opts.podName,
			"K8S_POD_INFRA_CONTAINER_ID": opts.containerID,
			"K8S_POD_UID":                opts.podUID,
		}))
	}
	labels := map[string]string{}
	for _, kv := range opts.labels {
		labels[kv[0]] = kv[1]
	}
	if len(labels) > 0 {
		out = append(out, gocni.WithLabels(labels))
	}
	// Both CRI and nerdctl send it, so that plugins tolerate the labels they do not know.
	out = append(out, gocni.WithArgs("IgnoreUnknown", "1"))
	return out, nil
}

type networkSummary struct {
	Name       string   `json:"name"`
	CNIVersion string   `json:"cniVersion"`
	IfName     string   `json:"ifName"`
	Plugins    []string `json:"plugins"`
}

func loadedConfig(network gocni.CNI) interface{} {
	cfg := network.GetConfig()
	var nets []networkSummary
	for _, n := range cfg.Networks {
		s := networkSummary{Name: n.Config.Name, CNIVersion: n.Config.CNIVersion, IfName: n.IFName}
		for _, p := range n.Config.Plugins {
			s.Plugins = append(s.Plugins, p.Network.Type)
		}
		nets = append(nets, s)
	}
	return map[string]interface{}{"networks": nets}
}

// setupResult is go-cni's Result with its raw per-network results, which it keeps unexported.
type setupResult struct {
	*gocni.Result
	Raw []*types100.Result
}

func runStep(ctx context.Context, step string, network gocni.CNI, opts *options, nsOpts []gocni.NamespaceOpts) (interface{}, error) {
	switch step {
	case "status":
		return nil, network.Status()
	case "setup":
		setup := network.Setup
		if opts.serial {
			setup = network.SetupSerially
		}
		result, err := setup(ctx, opts.containerID, opts.netns, nsOpts...)
		if err != nil {
			return nil, err
		}
		return setupResult{Result: result, Raw: result.Raw()}, nil
	case "check":
		return nil, network.Check(ctx, opts.containerID, opts.netns, nsOpts...)
	case "remove":
		return nil, network.Remove(ctx, opts.containerID, opts.netns, nsOpts...)
	}
	return nil, fmt.Errorf("unknown step %q", step)
}
