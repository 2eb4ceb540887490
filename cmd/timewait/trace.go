package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/verify"
)

const traceUsage = `usage: timewait trace <show|replay> FILE [flags]

  show FILE [--format F] [--out FILE] [--kernel A|B] [--max-states N]
                                        render a trace file (replayed first)
  replay FILE [--json]                  replay a trace file and re-check its property:
                                        exit 0 it replays and still shows its property's
                                        violation (or witness), 1 it replays but no longer
                                        does, 2 the file is bad or does not replay
`

// runTrace is "timewait trace".
func runTrace(args []string, stdout io.Writer) (int, error) {
	if len(args) == 0 {
		return exitBadInput, badInput("trace: want a subcommand: show or replay")
	}
	switch args[0] {
	case "show":
		return runTraceShow(args[1:], stdout)
	case "replay":
		return runTraceReplay(args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, traceUsage)
		return exitHolds, nil
	}
	return exitBadInput, badInput("trace: unknown subcommand %q (want show or replay)", args[0])
}

// printFlagHelp prints a subcommand's usage and flags.
func printFlagHelp(fs *flag.FlagSet, w io.Writer, operands string) error {
	fs.SetOutput(w)
	fmt.Fprintf(w, "usage: timewait %s %s [flags]\n", fs.Name(), operands)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return nil
}

// fileThenFlags splits "FILE --flags" (the file may also come after the
// flags) and parses the flags.
func fileThenFlags(fs *flag.FlagSet, args []string) (string, error) {
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
		if fs.NArg() > 1 {
			return "", badInput("%s: unexpected argument %q", fs.Name(), fs.Arg(1))
		}
	} else if fs.NArg() > 0 {
		return "", badInput("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	if file == "" {
		return "", badInput("%s: want a trace file", fs.Name())
	}
	return file, nil
}

// loadTrace reads and decodes a trace file; every problem is bad input.
func loadTrace(file string) (traces.Trace, error) {
	fh, err := os.Open(file)
	if err != nil {
		return traces.Trace{}, badInput("%v", err)
	}
	defer fh.Close()
	t, err := traces.Decode(fh)
	if err != nil {
		return t, badInput("%s: %v", file, err)
	}
	return t, nil
}

// replayOutput is the --json document of "timewait trace replay".
type replayOutput struct {
	File     string `json:"file"`
	Property string `json:"property"`
	Kind     string `json:"kind"`
	Steps    int    `json:"steps"`
	Replays  bool   `json:"replays"`
	Shows    bool   `json:"shows"`
	At       int    `json:"at"` // first step violating (or satisfying) the property; -1 if none
	Faults   string `json:"faults"`
	Verdict  string `json:"verdict"` // "violated", "found", "no-longer-violated", "no-longer-found"
}

func runTraceReplay(args []string, stdout io.Writer) (int, error) {
	fs := newFlagSet("trace replay")
	jsonOut := fs.Bool("json", false, "print JSON")
	file, err := fileThenFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitHolds, printFlagHelp(fs, stdout, "FILE")
	}
	if err != nil {
		return exitBadInput, asBadInput(fs.Name(), err)
	}
	t, err := loadTrace(file)
	if err != nil {
		return exitBadInput, err
	}
	r, rc, err := traces.Verify(t)
	if err != nil {
		return exitBadInput, badInput("%s: %v", file, err)
	}
	out := replayOutput{File: file, Property: t.Property, Kind: t.Kind, Steps: len(r.Steps), Replays: true, Shows: rc.Shows(), At: rc.At,
		Faults: traces.Faults(r).Summary}
	switch {
	case rc.Shows() && rc.Property.Kind == properties.Sometimes:
		out.Verdict = "found"
	case rc.Shows():
		out.Verdict = "violated"
	case rc.Property.Kind == properties.Sometimes:
		out.Verdict = "no-longer-found"
	default:
		out.Verdict = "no-longer-violated"
	}
	err = writeResult(stdout, *jsonOut, out, func() {
		fmt.Fprintf(stdout, "%s: replays (%d steps); %s ", file, len(r.Steps), t.Property)
		switch out.Verdict {
		case "violated":
			fmt.Fprintf(stdout, "is still violated at step %d\n", rc.At)
		case "found":
			fmt.Fprintf(stdout, "is still reached at step %d\n", rc.At)
		default:
			fmt.Fprintf(stdout, "is NO LONGER %s by this run\n", map[bool]string{true: "reached", false: "violated"}[rc.Property.Kind == properties.Sometimes])
		}
	})
	if err != nil {
		return exitBadInput, err
	}
	if !rc.Shows() {
		return exitViolated, nil
	}
	return exitHolds, nil
}

func runTraceShow(args []string, stdout io.Writer) (int, error) {
	fs := newFlagSet("trace show")
	format := fs.String("format", "text", "text|"+strings.Join(formatNames(), "|"))
	outFile := fs.String("out", "", "write to this file instead of standard output")
	kernel := fs.String("kernel", "B", "packetdrill: the endpoint the kernel plays (A or B)")
	maxStates := fs.Int("max-states", 20000, "dot-graph: the most states drawn")
	file, err := fileThenFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitHolds, printFlagHelp(fs, stdout, "FILE")
	}
	if err != nil {
		return exitBadInput, asBadInput(fs.Name(), err)
	}
	if _, ok := renderers()[*format]; !ok {
		return exitBadInput, badInput("--format: unknown format %q (want %s)", *format, strings.Join(formatNames(), ", "))
	}
	side, err := model.ParseSide(*kernel)
	if err != nil {
		return exitBadInput, badInput("--kernel: %v", err)
	}
	if *maxStates <= 0 {
		return exitBadInput, badInput("--max-states must be > 0, got %d", *maxStates)
	}
	t, err := loadTrace(file)
	if err != nil {
		return exitBadInput, err
	}
	r, _, err := traces.Verify(t)
	if err != nil {
		return exitBadInput, badInput("%s: %v", file, err)
	}
	opts := renderOptions{kernel: side, maxStates: *maxStates}
	return exitHolds, writeRendered(*outFile, stdout, *format, r, opts)
}

// writeRendered renders r in format to file (or w when file is "").
func writeRendered(file string, w io.Writer, format string, r traces.Replayed, opts renderOptions) error {
	rd, ok := renderers()[format]
	if !ok {
		return fmt.Errorf("no renderer for format %q", format)
	}
	var b bytes.Buffer
	if err := rd(&b, r, opts); err != nil {
		return err
	}
	if file == "" {
		_, err := w.Write(b.Bytes())
		return err
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		return badInput("%v", err)
	}
	return nil
}

// renderOptions carries the few settings some formats take.
type renderOptions struct {
	kernel    model.Side
	maxStates int
}

// renderer writes a replayed trace in one format.
type renderer func(io.Writer, traces.Replayed, renderOptions) error

func formatNames() []string {
	var out []string
	for k := range renderers() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func asBadInput(name string, err error) error {
	var ue usageError
	if errors.As(err, &ue) {
		return err
	}
	return badInput("%s: %v", name, err)
}

// perPropertyFile returns the file a property's trace goes to: name itself
// when only one property is written, else name with the property ID added
// before the extension ("cex.json" → "cex.no-stale-reset.json").
func perPropertyFile(name, property string, several bool) string {
	if !several {
		return name
	}
	ext := filepath.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + property + ext
}

// counterexampleSearch is the --search flag: which counterexample to show.
type counterexampleSearch string

// fewestFaultsBudget bounds the fewest-faults search (and --max-states
// bounds it further), which keeps every state it reaches with its best path,
// under 1 KB each: past it, the shortest counterexample is shown and the
// output says why.
const fewestFaultsBudget = 2_000_000

// improved is the counterexample to show and, when the fewest-faults search
// was asked for but could not finish, why the shortest one is shown instead.
type improved struct {
	trace    traces.Trace
	replayed traces.Replayed
	note     string
}

// improve returns the trace to show for a violated property: the fewest-
// faults one unless --search shortest (falling back to the shortest when that
// search exceeds its budget), made readable when asked.
func improve(ctx context.Context, search counterexampleSearch, cfg model.Config, p properties.Property, tr traces.Trace, r traces.Replayed, readable bool, maxStates int) (improved, error) {
	out := improved{trace: tr, replayed: r}
	if search != "shortest" {
		budget := fewestFaultsBudget
		if maxStates > 0 && maxStates < budget {
			budget = maxStates
		}
		fs, err := verify.FewestFaults(ctx, cfg, p, budget)
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			out.note = "the fewest-faults search was interrupted; showing the shortest"
			fs, err = verify.FaultSearch{}, nil
		}
		if err != nil {
			return out, err
		}
		switch {
		case fs.Path != nil:
			if out.trace, out.replayed, err = traces.FromPath(fs.Config, p, traces.SearchFewestFaults, fs.Path); err != nil {
				return out, err
			}
		case !fs.Complete:
			out.note = fmt.Sprintf("the fewest-faults search stopped at %d states (%s); showing the shortest", fs.States, fs.StopReason)
		}
	}
	if readable {
		var err error
		if out.replayed, err = traces.Readable(out.replayed); err != nil {
			return out, err
		}
		out.trace = out.replayed.Trace
	}
	return out, nil
}
