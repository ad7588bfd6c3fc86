// libcni-driver drives a CNI plugin through the real libcni (containernetworking/cni 1.1.2), the
// library every Go runtime embeds, and prints each step's outcome as one JSON line.
//
//	libcni-driver <step[,step...]|cycle> --conflist FILE --plugin-dir DIR --cache-dir DIR
//	    [--netns NS] [--container-id ID] [--ifname eth0] [--capability-args JSON] [--args K=V;K=V]
//
// Steps: validate (ValidateNetworkList), version (GetVersionInfo for each plugin of the list),
// add (AddNetworkList), cached (GetNetworkListCachedResult), check (CheckNetworkList),
// del (DelNetworkList). cycle = validate,version,add,check,del. Every step runs even after an
// earlier one failed, as a runtime still tears down after a failed ADD; the exit status is 1 if
// any step failed, 2 on a usage error.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/nat-cni/conformance/peers/internal/cli"
	"github.com/nat-cni/conformance/peers/internal/jsonl"
)

var (
	knownSteps = []string{"validate", "version", "add", "cached", "check", "del"}
	cycleSteps = []string{"validate", "version", "add", "check", "del"}
)

type options struct {
	conflist    string
	pluginDirs  cli.DirList
	cacheDir    string
	netns       string
	containerID string
	ifname      string
	capArgs     map[string]interface{}
	cniArgs     [][2]string
	timeout     time.Duration
}

func main() {
	if len(os.Args) < 2 || strings.HasPrefix(os.Args[1], "-") {
		jsonl.Fatal(fmt.Errorf("usage: libcni-driver <%s|cycle>[,...] --conflist FILE --plugin-dir DIR --cache-dir DIR [flags]", strings.Join(knownSteps, "|")))
	}
	steps, err := cli.Steps(os.Args[1], knownSteps, cycleSteps)
	if err != nil {
		jsonl.Fatal(err)
	}
	opts, err := parseFlags(os.Args[2:])
	if err != nil {
		jsonl.Fatal(err)
	}
	list, err := loadList(opts.conflist)
	if err != nil {
		jsonl.Fatal(err)
	}

	cniConfig := libcni.NewCNIConfigWithCacheDir(opts.pluginDirs, opts.cacheDir, &invoke.DefaultExec{
		RawExec:       &invoke.RawExec{Stderr: os.Stderr},
		PluginDecoder: version.PluginDecoder{},
	})
	rt := &libcni.RuntimeConf{
		ContainerID:    opts.containerID,
		NetNS:          opts.netns,
		IfName:         opts.ifname,
		Args:           opts.cniArgs,
		CapabilityArgs: opts.capArgs,
	}

	report := jsonl.NewReporter(os.Stdout)
	for _, step := range steps {
		ctx, cancel := context.WithTimeout(context.Background(), opts.timeout)
		report.Run(step, func() (interface{}, error) { return runStep(ctx, step, cniConfig, list, rt) })
		cancel()
	}
	if report.Failed() {
		os.Exit(1)
	}
}

func parseFlags(args []string) (*options, error) {
	opts := &options{}
	fs := flag.NewFlagSet("libcni-driver", flag.ContinueOnError)
	fs.StringVar(&opts.conflist, "conflist", "", "network configuration list (a .conf/.json single plugin config is wrapped into a list)")
	fs.Var(&opts.pluginDirs, "plugin-dir", "plugin directory (repeatable, or a path list)")
	fs.StringVar(&opts.cacheDir, "cache-dir", "", "libcni cache directory (required; results go to DIR/results)")
	fs.StringVar(&opts.netns, "netns", "", "CNI_NETNS")
	fs.StringVar(&opts.containerID, "container-id", "libcni-driver-0", "CNI_CONTAINERID")
	fs.StringVar(&opts.ifname, "ifname", "eth0", "CNI_IFNAME")
	capArgs := fs.String("capability-args", "", `capability args as a JSON object, e.g. {"portMappings":[...],"dns":{...}}`)
	cniArgs := fs.String("args", "", "CNI_ARGS as K=V;K=V")
	fs.DurationVar(&opts.timeout, "timeout", 60*time.Second, "timeout of each step")
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if opts.conflist == "" {
		return nil, fmt.Errorf("--conflist is required")
	}
	if len(opts.pluginDirs) == 0 {
		return nil, fmt.Errorf("--plugin-dir is required")
	}
	var err error
	if opts.cacheDir, err = cli.RequireDir("cache-dir", opts.cacheDir); err != nil {
		return nil, err
	}
	if err = cli.DecodeJSONFlag("capability-args", *capArgs, &opts.capArgs); err != nil {
		return nil, err
	}
	if opts.cniArgs, err = cli.ParseCniArgs(*cniArgs); err != nil {
		return nil, fmt.Errorf("--args: %w", err)
	}
	return opts, nil
}

// loadList reads a conflist, or wraps a single-plugin .conf/.json the way runtimes do.
func loadList(path string) (*libcni.NetworkConfigList, error) {
	if strings.HasSuffix(path, ".conflist") {
		return libcni.ConfListFromFile(path)
	}
	conf, err := libcni.ConfFromFile(path)
	if err != nil {
		return nil, err
	}
	return libcni.ConfListFromConf(conf)
}

type pluginVersions struct {
	Type              string   `json:"type"`
	SupportedVersions []string `json:"supportedVersions"`
}

func runStep(ctx context.Context, step string, c *libcni.CNIConfig, list *libcni.NetworkConfigList, rt *libcni.RuntimeConf) (interface{}, error) {
	switch step {
	case "validate":
		caps, err := c.ValidateNetworkList(ctx, list)
		sort.Strings(caps) // libcni returns them in map order
		return map[string]interface{}{"capabilities": caps}, err
	case "version":
		var out []pluginVersions
		for _, p := range list.Plugins {
			info, err := c.GetVersionInfo(ctx, p.Network.Type)
			if err != nil {
				return nil, fmt.Errorf("plugin type=%q: %w", p.Network.Type, err)
			}
			out = append(out, pluginVersions{Type: p.Network.Type, SupportedVersions: info.SupportedVersions()})
		}
		return out, nil
	case "add":
		return c.AddNetworkList(ctx, list, rt)
	case "cached":
		return c.GetNetworkListCachedResult(list, rt)
	case "check":
		return nil, c.CheckNetworkList(ctx, list, rt)
	case "del":
		return nil, c.DelNetworkList(ctx, list, rt)
	}
	return nil, fmt.Errorf("unknown step %q", step)
}
