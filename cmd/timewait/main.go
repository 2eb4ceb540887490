// Command timewait checks TCP connection-termination properties with an
// explicit-state model checker and sweeps TIME-WAIT lengths to find the
// smallest safe one.
//
//	timewait check [flags]        check one configuration
//	timewait sweep [flags]        find each property's TIME-WAIT threshold
//	timewait properties [--json]  the property catalogue
//	timewait trace show FILE      render a trace file (text, ladder, mermaid, svg, dot, itf, json, ...)
//	timewait trace replay FILE    replay a trace file and re-check its property
//	timewait variants [--json]    the spec-variant catalogue
//	timewait compare V1 V2 [flags] verdicts, thresholds and a distinguishing run of two variants
//
// Exit status: 0 every property holds, 1 a property is violated, 2 bad input
// (or a model error), 3 no violation but a search was incomplete.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/timewait/timewait/conformance"
)

// Version is the tool version printed in JSON results.
const Version = "0.1.0"

// Exit statuses.
const (
	exitHolds      = 0
	exitViolated   = 1
	exitBadInput   = 2
	exitIncomplete = 3
)

// usageError is bad input: one line on stderr and exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func badInput(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// childOnly is the conformance hook's Runner for this binary: a process
// started with conformance.EnvScenario set is a scenario's child and never
// gets here; any other has nothing to run in its place.
type childOnly struct{}

func (childOnly) Run() int { return exitBadInput }

func main() {
	// "timewait conform" re-executes this binary in a fresh network
	// namespace to run one scenario (conformance.Run): that child runs the
	// scenario and exits here.
	if _, ok := os.LookupEnv(conformance.EnvScenario); ok {
		os.Exit(conformance.Main(childOnly{}))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: timewait <command> [flags]

commands:
  check        check the properties on one configuration
  sweep        find, for each property, the smallest TIME-WAIT from which it holds
  properties   list the property catalogue
  trace        show a trace file in another format, or replay it
  variants     list the named spec variants (--variant NAME on check and sweep)
  compare      compare two variants: verdicts, thresholds and a distinguishing run
  conform      run the model-derived scenarios against this machine's Linux kernel (root)
  help         this text; "timewait <command> --help" lists a command's flags
`

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitBadInput
	}
	var code int
	var err error
	switch args[0] {
	case "check":
		code, err = runCheck(ctx, args[1:], stdout, stderr)
	case "sweep":
		code, err = runSweep(ctx, args[1:], stdout, stderr)
	case "properties":
		code, err = runProperties(args[1:], stdout)
	case "trace":
		code, err = runTrace(args[1:], stdout)
	case "variants":
		code, err = runVariants(ctx, args[1:], stdout)
	case "compare":
		code, err = runCompare(ctx, args[1:], stdout, stderr)
	case "conform":
		code, err = runConform(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitHolds
	default:
		err = badInput("unknown command %q (want check, sweep, properties, trace, variants, compare or conform)", args[0])
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "timewait: %s\n", ue.msg)
			return exitBadInput
		}
		fmt.Fprintf(stderr, "timewait: %v\n", err)
		if code == 0 {
			code = exitBadInput
		}
	}
	return code
}

// writeResult prints v as indented JSON when asJSON, and otherwise calls
// text.
func writeResult(w io.Writer, asJSON bool, v any, text func()) error {
	if !asJSON {
		text()
		return nil
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
