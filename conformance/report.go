package conformance

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Outcome is a scenario's result.
type Outcome string

// The outcomes.
const (
	// Conforms: every step passed.
	Conforms Outcome = "conforms"
	// Diverges: the kernel did something the script does not allow.
	Diverges Outcome = "diverges"
	// Failed: the scenario could not be run to a verdict (a bad script, a
	// device or /proc error); says nothing about the kernel.
	Failed Outcome = "error"
)

// Verdict is a scenario's outcome and, unless it conforms, where and why.
type Verdict struct {
	Outcome  Outcome `json:"outcome"`
	Step     int     `json:"step,omitempty"` // from 1; 0 for setup, len(steps)+1 for after the last step
	Expected string  `json:"expected,omitempty"`
	Got      string  `json:"got,omitempty"`
	Err      string  `json:"error,omitempty"`
}

// String is "conforms", "diverges at step N: expected …, got …" or "error
// at step N: …".
func (v Verdict) String() string {
	where := fmt.Sprintf("at step %d", v.Step)
	if v.Step == 0 {
		where = "in setup"
	}
	switch v.Outcome {
	case Conforms:
		return "conforms"
	case Diverges:
		return fmt.Sprintf("diverges %s: expected %s, got %s", where, v.Expected, v.Got)
	}
	return fmt.Sprintf("error %s: %s", where, v.Err)
}

// Direction says who sent a recorded datagram.
type Direction string

// The directions.
const (
	PeerToKernel Direction = "P>K"
	KernelToPeer Direction = "K>P"
	Other        Direction = "other" // read from the device but not a TCP segment to the peer
)

// Event is one datagram the peer sent or read, at a time since the
// scenario's first step began.
type Event struct {
	At      Duration  `json:"at"`
	Dir     Direction `json:"dir"`
	Segment string    `json:"segment"`        // relative to the bindings of the moment: "FIN|ACK seq=k+1 ack=p+1 win=502"
	Raw     string    `json:"raw"`            // absolute: [Segment.String], or what the datagram was
	Note    string    `json:"note,omitempty"` // "retransmission (folded)", "resent byte for byte", ...
}

// StepRecord is what happened in one step.
type StepRecord struct {
	N        int      `json:"n"` // from 1
	Step     string   `json:"step"`
	Ref      string   `json:"ref,omitempty"`
	Start    Duration `json:"start"`
	End      Duration `json:"end"`
	Events   []Event  `json:"events,omitempty"`
	Matched  string   `json:"matched,omitempty"`  // Expect: the alternative that matched
	Bound    string   `json:"bound,omitempty"`    // Expect: variables bound by it, "k=123"
	Observed string   `json:"observed,omitempty"` // State: the socket last seen, or GONE
	OK       bool     `json:"ok"`
}

// Report is the record of one scenario run: the kernel, the namespace's
// sysctls, every step with the segments sent and read and their times, and
// the verdict.
type Report struct {
	Scenario string            `json:"scenario"`
	Doc      string            `json:"doc,omitempty"`
	Kernel   string            `json:"kernel"`            // uname -r of the kernel under test
	Sysctls  map[string]string `json:"sysctls,omitempty"` // as read back after pinning
	Bindings Bindings          `json:"bindings,omitempty"`
	Steps    []StepRecord      `json:"steps"`
	Trailing []Event           `json:"trailing,omitempty"` // read after the last step's end, before the report was made
	Elapsed  Duration          `json:"elapsed"`            // from the first step to the end
	Verdict  Verdict           `json:"verdict"`
}

// seconds writes a duration as "+1.234s".
func seconds(d Duration) string { return fmt.Sprintf("+%.3fs", time.Duration(d).Seconds()) }

// WriteText renders the report for people: a header, one block per step
// (its time, what it was, whether it passed, and each datagram under it
// with its own time), and the verdict.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s (kernel %s): %s\n", r.Scenario, r.Kernel, r.Verdict)
	if r.Doc != "" {
		fmt.Fprintf(&b, "  %s\n", r.Doc)
	}
	if len(r.Sysctls) > 0 {
		parts := make([]string, 0, len(r.Sysctls))
		for _, k := range sortedKeys(r.Sysctls) {
			parts = append(parts, k+"="+r.Sysctls[k])
		}
		fmt.Fprintf(&b, "  sysctls: %s\n", strings.Join(parts, " "))
	}
	if len(r.Bindings) > 0 {
		fmt.Fprintf(&b, "  bindings: %s\n", r.Bindings)
	}
	for _, s := range r.Steps {
		status := "ok"
		if !s.OK {
			status = "FAILED"
		}
		fmt.Fprintf(&b, "%4d %9s  %s  [%s]\n", s.N, seconds(s.Start), s.Step, status)
		if s.Ref != "" {
			fmt.Fprintf(&b, "%sref: %s\n", indent, s.Ref)
		}
		for _, e := range s.Events {
			writeEvent(&b, e)
		}
		if s.Matched != "" {
			fmt.Fprintf(&b, "%smatched: %s\n", indent, s.Matched)
		}
		if s.Bound != "" {
			fmt.Fprintf(&b, "%sbound: %s\n", indent, s.Bound)
		}
		if s.Observed != "" {
			fmt.Fprintf(&b, "%sobserved: %s\n", indent, s.Observed)
		}
	}
	if len(r.Trailing) > 0 {
		fmt.Fprintf(&b, "%safter the last step:\n", indent)
		for _, e := range r.Trailing {
			writeEvent(&b, e)
		}
	}
	fmt.Fprintf(&b, "  verdict: %s (%.3fs)\n", r.Verdict, time.Duration(r.Elapsed).Seconds())
	_, err := io.WriteString(w, b.String())
	return err
}

// indent is where the lines under a step start.
const indent = "                "

func writeEvent(b *strings.Builder, e Event) {
	fmt.Fprintf(b, "%s%s %-5s %s", indent, seconds(e.At), e.Dir, e.Segment)
	if e.Note != "" {
		fmt.Fprintf(b, "  (%s)", e.Note)
	}
	b.WriteString("\n")
}

// WriteTable writes a Markdown table of reports, one row each: scenario,
// verdict, what the kernel sent (its segments in order, relative), and the
// run time. docs/conformance.md's table is made with it.
func WriteTable(w io.Writer, reports []Report) error {
	var b strings.Builder
	b.WriteString("| scenario | verdict | kernel segments (in order) | time |\n|---|---|---|---|\n")
	for _, r := range reports {
		var segs []string
		for _, s := range r.Steps {
			for _, e := range s.Events {
				if e.Dir == KernelToPeer {
					segs = append(segs, stripWindow(e.Segment))
				}
			}
		}
		cell := strings.Join(segs, " · ")
		if cell == "" {
			cell = "(none)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %.2f s |\n", r.Scenario, mdEscape(r.Verdict.String()), mdEscape(cell),
			time.Duration(r.Elapsed).Seconds())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// stripWindow drops the window and options from a description, which vary
// from kernel to kernel and would crowd a table.
func stripWindow(desc string) string {
	if i := strings.Index(desc, " win="); i >= 0 {
		return desc[:i]
	}
	return desc
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
