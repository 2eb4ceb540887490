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
	traceOut := fs.String("trace-out", "", "write each counterexample as a trace file here (several: the property ID is added to the name)")
	htmlOut := fs.String("html", "", "write each counterexample as a self-contained HTML report here (several: the property ID is added)")
	search := fs.String("search", "fewest-faults", "counterexample shown: fewest-faults (then fewest steps; the shortest when that search exceeds 2,000,000 states) or shortest")
	variant := addVariantFlag(fs)
	exhaustive := fs.Bool("exhaustive", false, "explore every state even after every property is decided (for state counts)")
	readable := fs.Bool("readable", true, "regroup a counterexample's steps by endpoint where that changes nothing")
	set, help, err := parseFlags(fs, args, stdout)
	if help || err != nil {
		return exitHolds, err
	}
	cfg, err := mf.configFrom(set)
	if err != nil {
		return exitBadInput, err
	}
	cfg, v, err := applyVariant(*variant, set, cfg)
	if err != nil {
		return exitBadInput, err
	}
	props, err := mf.properties()
	if err != nil {
		return exitBadInput, err
	}
	eo, err := mf.explorer()
	if err != nil {
		return exitBadInput, badInput("%v", err)
	}
	switch *search {
	case "shortest", "fewest-faults":
	default:
		return exitBadInput, badInput("--search: unknown value %q (want fewest-faults or shortest)", *search)
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
	rep, err := verify.Check(ctx, cfg, props, eo.apply(verify.Options{
		MaxStates: *mf.maxStates, AllowDeadlock: *mf.allowDeadlock, Progress: prog.update, Coverage: cov,
		StopEarly: !*exhaustive && cov == nil,
	}))
	prog.done()
	var me *verify.ModelError
	if errors.As(err, &me) {
		return exitBadInput, me
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return exitBadInput, err
	}
	out, err := buildCheckOutput(ctx, rep, cov, counterexampleSearch(*search), *readable, *mf.maxStates)
	if err != nil {
		return exitBadInput, err
	}
	out.Explorer = explorerOut(rep, eo)
	if v != nil {
		if err := out.setVariant(v.Name); err != nil {
			return exitBadInput, err
		}
	}
	if err := writeCounterexamples(out, *traceOut, *htmlOut, stderr); err != nil {
		return exitBadInput, err
	}
	if err := writeResult(stdout, *mf.jsonOut, out, func() { writeCheckText(stdout, rep, out, cov) }); err != nil {
		return exitBadInput, err
	}
	return out.exitCode(), nil
}

// checkOutput is the --json document of "timewait check".
type checkOutput struct {
	Tool       string       `json:"tool"`
	Version    string       `json:"version"`
	Variant    string       `json:"variant,omitempty"`
	Config     model.Config `json:"config"`
	Complete   bool         `json:"complete"`
	StopReason string       `json:"stop_reason,omitempty"`
	States     int          `json:"states"`
	Depth      int          `json:"depth"`
	// Symmetry says the search was reduced by the A↔B symmetry
	// (verify.Report.Symmetry): states, transitions and depth count a
	// state and its mirror once. Omitted when false.
	Symmetry  bool          `json:"symmetry,omitempty"`
	Seconds   float64       `json:"seconds"`
	Results   []resultJSON  `json:"results"`
	Witnesses []witnessJSON `json:"witnesses"`
	Coverage  *coverageJSON `json:"coverage,omitempty"`
	Explorer  *explorerJSON `json:"explorer,omitempty"`
	replayed  map[string]traces.Replayed
	notes     map[string]string // property → why the shortest counterexample is shown
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
	// SearchNote says why the shortest counterexample is shown when the
	// fewest-faults one was asked for.
	SearchNote string `json:"search_note,omitempty"`
	// ShortestSteps is the length of the shortest counterexample (BFS); the
	// trace shown may be longer when it was chosen for fewer faults.
	ShortestSteps int    `json:"shortest_steps,omitempty"`
	Faults        string `json:"faults,omitempty"`
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

func buildCheckOutput(ctx context.Context, rep verify.Report, cov *verify.Coverage, search counterexampleSearch, readable bool, maxStates int) (checkOutput, error) {
	out := checkOutput{
		Tool: "timewait", Version: Version, Config: rep.Config, Complete: rep.Complete, StopReason: rep.StopReason,
		States: rep.States, Depth: rep.Depth, Symmetry: rep.Symmetry, Seconds: rep.Seconds, Results: []resultJSON{}, Witnesses: []witnessJSON{},
		replayed: map[string]traces.Replayed{}, notes: map[string]string{},
	}
	for _, o := range rep.Outcomes {
		var tr *traces.Trace
		if o.Path != nil {
			t, r, err := traces.FromPath(rep.Config, o.Property, traces.SearchShortest, o.Path)
			if err != nil {
				return out, fmt.Errorf("%s: %w", o.Property.ID, err)
			}
			if o.Property.Kind == properties.Always && (search != "shortest" || readable) {
				imp, err := improve(ctx, search, rep.Config, o.Property, t, r, readable, maxStates)
				if err != nil {
					return out, fmt.Errorf("%s: %w", o.Property.ID, err)
				}
				t, r = imp.trace, imp.replayed
				out.notes[o.Property.ID] = imp.note
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
		res := resultJSON{
			Property: o.Property.ID, Verdict: o.Verdict.String(), Holds: o.Holds, Complete: o.Complete,
			States: o.States, Transitions: o.Transitions, Depth: o.Depth, Seconds: o.Seconds,
			Witness: o.Property.Witness, Trace: tr,
		}
		if tr != nil {
			res.ShortestSteps = o.Path.Len()
			res.SearchNote = out.notes[o.Property.ID]
			if tr.Faults != nil {
				res.Faults = tr.Faults.Summary
			}
		}
		out.Results = append(out.Results, res)
	}
	if cov != nil {
		out.Coverage = coverageOut(cov)
	}
	return out, nil
}

func writeCheckText(w io.Writer, rep verify.Report, out checkOutput, cov *verify.Coverage) {
	fmt.Fprintf(w, "timewait check  %s\n", configLine(rep.Config))
	status := "complete"
	switch {
	case rep.StopReason == "decided":
		status = "stopped once every property was decided; --exhaustive explores the rest"
	case !rep.Complete:
		status = "INCOMPLETE: stopped by " + rep.StopReason
	}
	fmt.Fprintf(w, "explored %d states, %d transitions, depth %d, in %.2fs (%s)\n", rep.States, rep.Transitions, rep.Depth, rep.Seconds, status)
	if rep.Symmetry {
		fmt.Fprintln(w, "reduced by the A↔B symmetry: a state and its mirror are counted once (--no-symmetry counts the whole space)")
	}
	if x := out.Explorer; x != nil && (x.Store == "fingerprint" || rep.StopReason == "memory") {
		fmt.Fprintf(w, "store %s: %.1f bytes per state", x.Store, x.VisitedBytesPerState)
		if x.Store == "fingerprint" {
			fmt.Fprintf(w, ", probability that a fingerprint collision omitted a state ≤ %.1e", x.CollisionProbability)
		}
		fmt.Fprintf(w, "; peak %s of the %s bound (%s)\n", humanBytes(x.PeakBytes), humanBytes(x.MemoryBound), x.MemoryBoundSetBy)
	}
	fmt.Fprintln(w)
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
			cex = fmt.Sprintf("counterexample: %d steps", len(r.Trace.Actions))
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
		fmt.Fprintf(w, "\ncounterexample to %s (%s; time in ticks):\n  %s\n  %s\n", r.Property, describeTrace(*r.Trace, r.ShortestSteps, r.SearchNote), p.Title, r.Faults)
		_ = traces.WriteTimeline(w, out.replayed[r.Property])
	}
	if cov != nil {
		writeCoverageText(w, out.Coverage)
	}
}

// configLine prints a resolved configuration on one line. Options added
// later (close, fin-timeout) appear only when they are not the default, so
// the line of a default configuration does not change.
func configLine(c model.Config) string {
	parts := []string{
		fmt.Sprintf("msl=%d tw=%d rto=%d backoff=%d retries=%d loss=%d dup=%d incarnations=%d grid=%d",
			c.MSL, c.TW, c.RTO, c.Backoff, c.Retries, c.Loss, c.Dup, c.Incarnations, c.Grid),
		"lifetime=" + c.Lifetime.String(), "same-instant=" + c.SameInstant.String(), "close-order=" + c.CloseOrder.String(),
		"tw-restart=" + c.TWRestart.String(), "tw-rst=" + c.TWRst.String(), "rtx=" + c.Rtx.String(),
	}
	if c.CloseMode != model.CloseFIN {
		parts = append(parts, "close="+c.CloseMode.String())
	}
	if c.FinTimeout != 0 {
		parts = append(parts, fmt.Sprintf("fin-timeout=%d", c.FinTimeout))
	}
	if c.DataUnacked {
		parts = append(parts, "data-unacked")
	}
	if c.NoData {
		parts = append(parts, "no-data")
	}
	if c.LateFaults {
		parts = append(parts, "late-faults")
	}
	if c.Mutant != model.NoMutant {
		parts = append(parts, "MUTANT="+c.Mutant.String())
	}
	return strings.Join(parts, " ")
}

// describeTrace says how long a counterexample is and how it was chosen.
func describeTrace(t traces.Trace, shortest int, note string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d steps", len(t.Actions))
	switch {
	case t.Search == traces.SearchFewestFaults && len(t.Actions) == shortest:
		b.WriteString(", fewest faults and shortest")
	case t.Search == traces.SearchFewestFaults:
		fmt.Fprintf(&b, ", fewest faults; the shortest has %d", shortest)
	default:
		b.WriteString(", shortest")
	}
	if note != "" {
		b.WriteString(" (" + note + ")")
	}
	if t.Readable {
		b.WriteString(", regrouped by endpoint")
	}
	return b.String()
}

// writeCounterexamples writes every counterexample of out as a trace file
// and/or an HTML report. Each is replayed before it is written (they come
// from FromPath or Readable, which replay).
func writeCounterexamples(out checkOutput, traceOut, htmlOut string, stderr io.Writer) error {
	if traceOut == "" && htmlOut == "" {
		return nil
	}
	var cex []resultJSON
	for _, r := range out.Results {
		if r.Trace != nil {
			cex = append(cex, r)
		}
	}
	if len(cex) == 0 {
		fmt.Fprintln(stderr, "timewait: no counterexample, no trace file written")
		return nil
	}
	for _, r := range cex {
		rp := out.replayed[r.Property]
		for _, dst := range []struct{ name, format string }{{traceOut, "json"}, {htmlOut, "html"}} {
			if dst.name == "" {
				continue
			}
			file := perPropertyFile(dst.name, r.Property, len(cex) > 1)
			if err := writeRendered(file, nil, dst.format, rp, renderOptions{}); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "timewait: wrote %s (%s, %s)\n", file, r.Property, dst.format)
		}
	}
	return nil
}

// setVariant records the variant in the output and in every trace, and
// replays each trace again under it.
func (o *checkOutput) setVariant(name string) error {
	o.Variant = name
	for id, r := range o.replayed {
		r.Trace.Variant = name
		again, err := traces.Replay(r.Trace)
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		o.replayed[id] = again
	}
	for _, t := range o.traces() {
		t.Variant = name
	}
	return nil
}

// traces returns every trace of the output.
func (o *checkOutput) traces() []*traces.Trace {
	var out []*traces.Trace
	for i := range o.Results {
		if o.Results[i].Trace != nil {
			out = append(out, o.Results[i].Trace)
		}
	}
	for i := range o.Witnesses {
		if o.Witnesses[i].Trace != nil {
			out = append(out, o.Witnesses[i].Trace)
		}
	}
	return out
}

// explorerJSON describes how the explorer ran: figures that do not change
// the results.
type explorerJSON struct {
	Workers              int     `json:"workers"`
	Store                string  `json:"store"`
	CollisionProbability float64 `json:"collision_probability"`
	VisitedBytesPerState float64 `json:"visited_bytes_per_state"`
	PeakBytes            int64   `json:"peak_bytes"`
	MemoryBound          int64   `json:"memory_bound_bytes"`
	MemoryBoundSetBy     string  `json:"memory_bound_set_by"`
	StatesPerSecond      float64 `json:"states_per_second"`
}

func explorerOut(rep verify.Report, eo explorerOpts) *explorerJSON {
	x := &explorerJSON{
		Workers: rep.Workers, Store: rep.Store.String(), CollisionProbability: rep.Collision,
		PeakBytes: rep.PeakBytes, MemoryBound: eo.maxMemory, MemoryBoundSetBy: eo.memNote,
	}
	if rep.States > 0 {
		x.VisitedBytesPerState = float64(rep.VisitedBytes) / float64(rep.States)
	}
	if rep.Seconds > 0 {
		x.StatesPerSecond = float64(rep.States) / rep.Seconds
	}
	return x
}

// humanBytes prints a byte count in binary units.
func humanBytes(b int64) string {
	switch {
	case b <= 0:
		return "no"
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
}
