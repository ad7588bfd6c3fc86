// Package cli holds the command-line conventions both peer drivers share: a subcommand that names
// one step, a comma-separated list of steps, or "cycle"; repeatable directory flags; CNI_ARGS pairs.
package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Steps expands the subcommand into the steps to run, in order.
func Steps(arg string, known []string, cycle []string) ([]string, error) {
	if arg == "cycle" {
		return cycle, nil
	}
	steps := strings.Split(arg, ",")
	for _, s := range steps {
		if !contains(known, s) {
			return nil, fmt.Errorf("unknown step %q (known: cycle, %s)", s, strings.Join(known, ", "))
		}
	}
	return steps, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// DirList is a repeatable flag; each value may also hold several directories joined with the
// platform's list separator (':' on Linux, ';' on Windows), like CNI_PATH.
type DirList []string

func (d *DirList) String() string { return strings.Join(*d, string(os.PathListSeparator)) }

func (d *DirList) Set(v string) error {
	for _, dir := range filepath.SplitList(v) {
		if dir != "" {
			*d = append(*d, dir)
		}
	}
	return nil
}

// KVList is a repeatable K=V flag.
type KVList [][2]string

func (l *KVList) String() string { return fmt.Sprint(*l) }

func (l *KVList) Set(v string) error {
	pair, err := splitPair(v)
	if err != nil {
		return err
	}
	*l = append(*l, pair)
	return nil
}

// ParseCniArgs parses "K=V;K=V" the way a runtime's CNI_ARGS string is written.
func ParseCniArgs(s string) ([][2]string, error) {
	var out [][2]string
	if s == "" {
		return out, nil
	}
	for _, item := range strings.Split(s, ";") {
		pair, err := splitPair(item)
		if err != nil {
			return nil, err
		}
		out = append(out, pair)
	}
	return out, nil
}

func splitPair(s string) ([2]string, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return [2]string{}, fmt.Errorf("invalid K=V pair %q", s)
	}
	return [2]string{k, v}, nil
}

// DecodeJSONFlag decodes a JSON flag value into out; an empty value leaves out untouched.
func DecodeJSONFlag(name, value string, out interface{}) error {
	if value == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(value), out); err != nil {
		return fmt.Errorf("--%s: %w", name, err)
	}
	return nil
}

// RequireDir insists on a private directory for a flag that would otherwise default to a
// host-wide location (libcni's /var/lib/cni), and creates it.
func RequireDir(name, value string) (string, error) {
	if value == "" {
		return "", fmt.Errorf("--%s is required: the drivers never use the host's /var/lib/cni", name)
	}
	abs, err := filepath.Abs(value)
	if err != nil {
		return "", err
	}
	return abs, os.MkdirAll(abs, 0o755)
}
