// Command oracle runs libcni's own result converters (Debian golang-github-appc-cni-dev 1.1.2) on
// cases read as JSON lines from stdin and prints one JSON line per case, so that the TypeScript
// encoders and decoders can be compared with the real thing.
//
// Input line:  {"from":"1.0.0","to":"0.2.0","json":{...result...}}
// Output line: {"ok":true,"out":{...}} or {"ok":false,"err":"..."}
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/containernetworking/cni/pkg/types/create"

	// The result types register their creators and converters when imported, as in libcni.
	_ "github.com/containernetworking/cni/pkg/types/020"
	_ "github.com/containernetworking/cni/pkg/types/040"
	_ "github.com/containernetworking/cni/pkg/types/100"
)

type testCase struct {
	From string          `json:"from"`
	To   string          `json:"to"`
	JSON json.RawMessage `json:"json"`
}

type answer struct {
	OK  bool            `json:"ok"`
	Out json.RawMessage `json:"out,omitempty"`
	Err string          `json:"err,omitempty"`
}

func run(c testCase) answer {
	res, err := create.Create(c.From, c.JSON)
	if err != nil {
		return answer{Err: "create: " + err.Error()}
	}
	conv, err := res.GetAsVersion(c.To)
	if err != nil {
		return answer{Err: "convert: " + err.Error()}
	}
	out, err := json.Marshal(conv)
	if err != nil {
		return answer{Err: "marshal: " + err.Error()}
	}
	return answer{OK: true, Out: out}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c testCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "bad case:", err)
			os.Exit(2)
		}
		if err := enc.Encode(run(c)); err != nil {
			os.Exit(3)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
