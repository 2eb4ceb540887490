package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/verify"
)

// runCheck is "timewait check".
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("check")
	mf := addModelFlags(fs, true)
	coverage := fs.Bool("coverage", false, "report which state × event handlers fired and which never did")
	set, help, err := parseFlags(fs, args, stdout)
	if help || err != nil {
		return exitHolds, err
	}
	cfg, err := mf.configFrom(set)
	if err != nil {
		return exitBadInput, err
	}
	props, err := mf.properties()
	if err != nil {
		return exitBadInput, err
	}
	cfg.Grid = verify.ExactGrid(cfg, props)
	if err := cfg.Validate(); err != nil {
		return exitBadInput, badInput("%v", err)
	}
	var cov *verify.Coverage
	if *coverage {
		cov = verify.NewCoverage()
	}
	prog := newProgress(stderr, *mf.jsonOut)
	rep, err := verify.Check(ctx, cfg, props, verify.Options{
		MaxStates: mf.stateBound(), AllowDeadlock: *mf.allowDeadlock, Progress: prog.update, Coverage: cov,
	})
	prog.done()
	var me *verify.ModelError
	if errors.As(err, &me) {
		return exitBadInput, me
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return exitBadInput, err
	}
	out, err := buildCheckOutput(rep, cov)
	if err != nil {
		return exitBadInput, err
	}
	if err := writeResult(stdout, *mf.jsonOut, out, func() { writeCheckText(stdout, rep, out, cov) }); err != nil {
		return exitBadInput, err
	}
	return out.exitCode(), nil
}

// checkOutput is the --json document of "timewait check".
type checkOutput struct {
	Tool       string        `json:"tool"`
	Version    string        `json:"version"`
	Config     model.Config  `json:"config"`
	Complete   bool          `json:"complete"`
	StopReason string        `json:"stop_reason,omitempty"`
	States     int           `json:"states"`
	Depth      int           `json:"depth"`
	Seconds    float64       `json:"seconds"`
	Results    []resultJSON  `json:"results"`
	Witnesses  []witnessJSON `json:"witnesses"`
	Coverage   *coverageJSON `json:"coverage,omitempty"`
	replayed   map[string]traces.Replayed
}

// resultJSON is one safety property's result.
type resultJSON struct {
	Property    string        `json:"property"`
	Verdict     string        `json:"verdict"`
	Holds       bool          `json:"holds"`
	Complete    bool          `json:"complete"`
	States      int           `json:"states"`
	Transitions int           `json:"transitions"`
	Depth       int           `json:"depth"`
	Seconds     float64       `json:"seconds"`
	Witness     string        `json:"witness,omitempty"`
	Trace       *traces.Trace `json:"trace"`
}

// witnessJSON is one reachability witness's result.
type witnessJSON struct {
	Property string        `json:"property"`
	Verdict  string        `json:"verdict"`
	Steps    int           `json:"steps"`
	Trace    *traces.Trace `json:"trace"`
}

func (o checkOutput) exitCode() int {
	code := exitHolds
	for _, r := range o.Results {
		switch r.Verdict {
		case "violated":
			return exitViolated
		case "incomplete":
			code = exitIncomplete
		}
	}
	return code
}

func buildCheckOutput(rep verify.Report, cov *verify.Coverage) (checkOutput, error) {
	out := checkOutput{
		Tool: "timewait", Version: Version, Config: rep.Config, Complete: rep.Complete, StopReason: rep.StopReason,
		States: rep.States, Depth: rep.Depth, Seconds: rep.Seconds, Results: []resultJSON{}, Witnesses: []witnessJSON{},
		replayed: map[string]traces.Replayed{},
	}
	for _, o := range rep.Outcomes {
		var tr *traces.Trace
		if o.Path != nil {
			t, r, err := traces.FromPath(rep.Config, o.Property, traces.SearchShortest, o.Path)
			if err != nil {
				return out, fmt.Errorf("%s: %w", o.Property.ID, err)
			}
			tr = &t
			out.replayed[o.Property.ID] = r
		}
		if o.Property.Kind == properties.Sometimes {
			w := witnessJSON{Property: o.Property.ID, Verdict: o.Verdict.String(), Trace: tr}
			if o.Path != nil {
				w.Steps = o.Path.Len()
			}
			out.Witnesses = append(out.Witnesses, w)
			continue
		}
		out.Results = append(out.Results, resultJSON{
			Property: o.Property.ID, Verdict: o.Verdict.String(), Holds: o.Holds, Complete: o.Complete,
			States: o.States, Transitions: o.Transitions, Depth: o.Depth, Seconds: o.Seconds,
			Witness: o.Property.Witness, Trace: tr,
		})
	}
	if cov != nil {
		out.Coverage = coverageOut(cov)
	}
	return out, nil
}

func writeCheckText(w io.Writer, rep verify.Report, out checkOutput, cov *verify.Coverage) {
	fmt.Fprintf(w, "timewait check  %s\n", configLine(rep.Config))
	status := "complete"
	if !rep.Complete {
		status = "INCOMPLETE: stopped by " + rep.StopReason
	}
	fmt.Fprintf(w, "explored %d states, %d transitions, depth %d, in %.2fs (%s)\n\n", rep.States, rep.Transitions, rep.Depth, rep.Seconds, status)
	witness := map[string]witnessJSON{}
	for _, wj := range out.Witnesses {
		witness[wj.Property] = wj
	}
	for _, r := range out.Results {
		word := r.Verdict
		if r.Verdict == "incomplete" {
			word = "no violation within bounds (incomplete)"
		}
		cex := ""
		if r.Trace != nil {
			cex = fmt.Sprintf("shortest counterexample: %d steps", len(r.Trace.Actions))
		}
		fmt.Fprintf(w, "  %-30s %-10s %-34s", r.Property, word, cex)
		if wj, ok := witness[r.Witness]; ok {
			fmt.Fprintf(w, " witness %s: %s", wj.Property, wj.Verdict)
			if wj.Verdict == "not-found" {
				fmt.Fprint(w, " (WARNING: the property holds vacuously here)")
			}
		}
		fmt.Fprintln(w)
	}
	for _, r := range out.Results {
		if r.Trace == nil {
			continue
		}
		p, _ := properties.ByID(r.Property)
		fmt.Fprintf(w, "\ncounterexample to %s (%d steps; time in ticks):\n  %s\n", r.Property, len(r.Trace.Actions), p.Title)
		_ = traces.WriteTimeline(w, out.replayed[r.Property])
	}
	if cov != nil {
		writeCoverageText(w, out.Coverage)
	}
}

// configLine prints a resolved configuration on one line.
func configLine(c model.Config) string {
	parts := []string{
		fmt.Sprintf("msl=%d tw=%d rto=%d backoff=%d retries=%d loss=%d dup=%d incarnations=%d grid=%d",
			c.MSL, c.TW, c.RTO, c.Backoff, c.Retries, c.Loss, c.Dup, c.Incarnations, c.Grid),
		"lifetime=" + c.Lifetime.String(), "same-instant=" + c.SameInstant.String(), "close-order=" + c.CloseOrder.String(),
		"tw-restart=" + c.TWRestart.String(), "tw-rst=" + c.TWRst.String(), "rtx=" + c.Rtx.String(),
	}
	if c.DataUnacked {
		parts = append(parts, "data-unacked")
	}
	if c.Mutant != model.NoMutant {
		parts = append(parts, "MUTANT="+c.Mutant.String())
	}
	return strings.Join(parts, " ")
}
