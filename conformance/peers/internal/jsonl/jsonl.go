// Package jsonl prints what a peer runtime saw, one JSON object per step on stdout, so that a
// test in any language can assert on it without parsing Go's error strings by hand.
package jsonl

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/containernetworking/cni/pkg/types"
)

// ErrorInfo is the CNI error a step failed with. Code, Msg and Details come from the plugin's
// error object when the library kept it (a *types.Error anywhere in the chain); otherwise Code is
// 0 and Msg is the library's own message. Text is always err.Error(), which is what runtimes log.
type ErrorInfo struct {
	Code    uint   `json:"code"`
	Msg     string `json:"msg"`
	Details string `json:"details"`
	Text    string `json:"text"`
	GoType  string `json:"goType"`
}

// Line is one step's outcome.
type Line struct {
	Step   string      `json:"step"`
	OK     bool        `json:"ok"`
	Result interface{} `json:"result,omitempty"`
	Error  *ErrorInfo  `json:"error,omitempty"`
	Ms     float64     `json:"ms"`
}

// Reporter writes lines and remembers whether any step failed (for the exit status).
type Reporter struct {
	out    io.Writer
	failed bool
}

func NewReporter(out io.Writer) *Reporter { return &Reporter{out: out} }

// Failed reports whether any step so far failed.
func (r *Reporter) Failed() bool { return r.failed }

// Run times fn and reports its outcome under the step name.
func (r *Reporter) Run(step string, fn func() (interface{}, error)) {
	start := time.Now()
	result, err := fn()
	r.Report(step, result, err, time.Since(start))
}

// Report writes one line.
func (r *Reporter) Report(step string, result interface{}, err error, elapsed time.Duration) {
	line := Line{Step: step, OK: err == nil, Ms: float64(elapsed.Microseconds()) / 1000}
	if err != nil {
		r.failed = true
		line.Error = Describe(err)
	} else {
		line.Result = result
	}
	data, mErr := json.Marshal(line)
	if mErr != nil {
		// A result that cannot be marshalled is a driver bug; report it as the step's failure.
		r.failed = true
		data, _ = json.Marshal(Line{Step: step, Error: Describe(fmt.Errorf("marshal result: %w", mErr))})
	}
	fmt.Fprintf(r.out, "%s\n", data)
}

// Describe turns any error into its ErrorInfo.
func Describe(err error) *ErrorInfo {
	info := &ErrorInfo{Msg: err.Error(), Text: err.Error(), GoType: fmt.Sprintf("%T", err)}
	var cniErr *types.Error
	if errors.As(err, &cniErr) {
		info.Code = cniErr.Code
		info.Msg = cniErr.Msg
		info.Details = cniErr.Details
	}
	return info
}

// Fatal reports a usage or set-up error as a step named "usage" and exits 2.
func Fatal(err error) {
	NewReporter(os.Stdout).Report("usage", nil, err, 0)
	os.Exit(2)
}
