package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/variants"
	"github.com/timewait/timewait/verify"
)

// sweepDefaultProps are the properties a sweep checks unless --property is
// given: the two reasons TIME-WAIT exists.
var sweepDefaultProps = []string{"no-rst-on-retransmitted-fin", "no-stale-segment-accepted"}

// runSweep is "timewait sweep".
func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("sweep")
	mf := addModelFlags(fs, false)
	mslFlag := fs.String("msl", "1..4", "MSL values, N or N..M")
	twFlag := fs.String("tw", "", "TIME-WAIT values, N or N..M (default 0..4·MSL+1 for each MSL)")
	varyFlag := fs.String("vary", "", "more parameters to vary, e.g. rto=1..4,loss=0..2 (names: "+strings.Join(verify.VaryableParams(), ", ")+")")
	brief := fs.Bool("brief", false, "text output: omit the counterexample timelines")
	variant := addVariantFlag(fs)
	allTW := fs.Bool("all-tw", false, "check every TW in range (default: from the largest down, stopping once every property is violated)")
	shardFlag := fs.String("shard", "", "run only shard i of n (i/n, 1 ≤ i ≤ n) and write its results as a JSON shard document for --merge")
	outFlag := fs.String("out", "", "with --shard: write the shard document to this file instead of stdout")
	noShare := fs.Bool("no-share", false, "search every TW alone (default: one shared search per configuration decides the TWs where every property holds)")
	merge := fs.Bool("merge", false, "combine shard documents (the arguments: timewait sweep --merge FILE...) into the sweep's output")
	set, files, help, err := parseSweepArgs(fs, args, stdout)
	if help || err != nil {
		return exitHolds, err
	}
	if *merge {
		return runMerge(files, set, *mf.jsonOut, *brief, stdout)
	}
	if len(files) > 0 {
		return exitBadInput, badInput("%s: unexpected argument %q", fs.Name(), files[0])
	}
	var shard shardID
	if set["shard"] {
		if shard, err = parseShard(*shardFlag); err != nil {
			return exitBadInput, err
		}
	} else if set["out"] {
		return exitBadInput, badInput("--out writes a shard document: it needs --shard i/n")
	}
	base, err := mf.configFrom(set)
	if err != nil {
		return exitBadInput, err
	}
	_, v, err := applyVariant(*variant, set, base)
	if err != nil {
		return exitBadInput, err
	}
	if len(*mf.props) == 0 {
		*mf.props = sweepDefaultProps
	}
	props, err := mf.properties()
	if err != nil {
		return exitBadInput, err
	}
	for _, p := range props {
		if p.Kind != properties.Always {
			return exitBadInput, badInput("--property %s: a sweep takes safety properties, not witnesses", p.ID)
		}
	}
	eo, err := mf.explorer()
	if err != nil {
		return exitBadInput, badInput("%v", err)
	}
	spec := verify.SweepSpec{Base: base, Props: props, AllTW: *allTW, NoShare: *noShare,
		Opts: eo.apply(verify.Options{MaxStates: *mf.maxStates, AllowDeadlock: *mf.allowDeadlock})}
	if spec.MSL, err = verify.ParseRange(*mslFlag); err != nil {
		return exitBadInput, badInput("--msl: %v", err)
	}
	if *twFlag != "" {
		if spec.TW, err = verify.ParseRange(*twFlag); err != nil {
			return exitBadInput, badInput("--tw: %v", err)
		}
	}
	if *varyFlag != "" {
		if spec.Vary, err = verify.ParseVary(*varyFlag); err != nil {
			return exitBadInput, badInput("%v", err)
		}
	}
	if v != nil {
		spec.Base, spec.Apply = v.Apply(spec.Base), v.Apply
		if v.FixedTW {
			if set["tw"] {
				return exitBadInput, badInput("--tw conflicts with --variant %s, which fixes TIME-WAIT or never enters it (the sweep varies MSL)", v.Name)
			}
			spec.TW = []int{v.Apply(base).TW}
		}
		for _, r := range spec.Vary {
			if slices.Contains(v.Sets, r.Name) {
				return exitBadInput, badInput("--vary %s conflicts with --variant %s, which sets it", r.Name, v.Name)
			}
		}
	}
	spec.Base.Grid = verify.ExactGrid(base, props)
	if err := validateSweep(spec); err != nil {
		return exitBadInput, err
	}
	prog := newProgress(stderr, *mf.jsonOut)
	spec.Opts.Progress = prog.update
	spec.Starting = func(cfg model.Config, params []verify.Param) {
		prog.done()
		prog.label = fmt.Sprintf("msl=%d tw=%d%s", cfg.MSL, cfg.TW, paramText(params))
	}
	spec.StartingShared = func(cfg model.Config, tws []int, params []verify.Param) {
		prog.done()
		prog.label = fmt.Sprintf("msl=%d tw=%d..%d shared%s", cfg.MSL, slices.Min(tws), slices.Max(tws), paramText(params))
	}
	if set["shard"] {
		return runShard(ctx, shardRun{spec: spec, variant: v, maxStates: *mf.maxStates, id: shard, out: *outFlag}, prog, stdout, stderr)
	}
	rep, err := verify.Sweep(ctx, spec, nil)
	prog.done()
	if code, err := sweepError(err); err != nil {
		return code, err
	}
	return writeSweep(stdout, spec, v, rep, *mf.jsonOut, *brief)
}

// sweepError maps an error from a sweep to the exit status: 2 for a model
// error, 3 for a search cut short (an interruption).
func sweepError(err error) (int, error) {
	var me *verify.ModelError
	if errors.As(err, &me) {
		return exitBadInput, err
	}
	if err != nil {
		return exitIncomplete, err
	}
	return exitHolds, nil
}

// writeSweep prints a sweep's result, text or JSON, and returns the exit
// status: 3 when a threshold is unknown because a search was incomplete, 0
// otherwise. An unsharded sweep and --merge both print through it.
func writeSweep(stdout io.Writer, spec verify.SweepSpec, v *variants.Variant, rep verify.SweepReport, jsonOut, brief bool) (int, error) {
	props := spec.Props
	out, err := buildSweepOutput(spec, rep)
	if err != nil {
		return exitBadInput, err
	}
	if v != nil {
		out.Variant = v.Name
		if v.FixedTW {
			out.FixedTW = &spec.TW[0]
			out.MSLLimits = mslLimitsOut(verify.MSLLimits(rep.Rows, props))
		}
		for _, th := range out.Thresholds {
			if tr, ok := th["counterexample"].(traces.Trace); ok {
				tr.Variant = v.Name
				th["counterexample"] = tr
			}
		}
	}
	if err := writeResult(stdout, jsonOut, out, func() { writeSweepText(stdout, spec, rep, out, brief) }); err != nil {
		return exitBadInput, err
	}
	if sweepIncomplete(rep.Thresholds) {
		return exitIncomplete, nil
	}
	return exitHolds, nil
}

// sweepIncomplete says whether a threshold is unknown because a search was
// cut short by a bound.
func sweepIncomplete(ths []verify.Threshold) bool {
	for _, t := range ths {
		if t.MinTW == nil && strings.HasPrefix(t.Reason, "incomplete") {
			return true
		}
	}
	return false
}

// validateSweep checks every configuration of the sweep before any search
// starts, so that a bad value fails at once with one line.
func validateSweep(spec verify.SweepSpec) error {
	for _, msl := range spec.MSL {
		cfg := spec.Base
		cfg.MSL = msl
		tws := spec.TW
		if tws == nil {
			tws = []int{0, 4*msl + 1}
		}
		for _, tw := range []int{tws[0], tws[len(tws)-1]} {
			cfg.TW = tw
			for _, r := range spec.Vary {
				for _, v := range []int{r.Values[0], r.Values[len(r.Values)-1]} {
					c := verify.WithParam(cfg, verify.Param{Name: r.Name, Value: v})
					if err := c.Validate(); err != nil {
						return badInput("msl=%d tw=%d %s=%d: %v", msl, tw, r.Name, v, err)
					}
				}
			}
			if err := cfg.Validate(); err != nil {
				return badInput("msl=%d tw=%d: %v", msl, tw, err)
			}
		}
	}
	return nil
}

func paramText(ps []verify.Param) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, " %s=%d", p.Name, p.Value)
	}
	return b.String()
}

type sweepOutput struct {
	Tool    string           `json:"tool"`
	Version string           `json:"version"`
	Config  model.Config     `json:"config"`
	MSL     []int            `json:"msl"`
	TW      []int            `json:"tw,omitempty"`
	Vary    map[string][]int `json:"vary,omitempty"`
	Variant string           `json:"variant,omitempty"`
	// FixedTW and MSLLimits are set for a variant that fixes TIME-WAIT's
	// length: thresholds over TW are then meaningless, and MSLLimits gives
	// the largest MSL for which each property holds.
	FixedTW    *int             `json:"fixed_tw,omitempty"`
	MSLLimits  []map[string]any `json:"msl_limits,omitempty"`
	Thresholds []map[string]any `json:"thresholds"`
	Rows       []map[string]any `json:"rows"`
	replayed   []*traces.Replayed
}

func withParams(m map[string]any, ps []verify.Param) map[string]any {
	for _, p := range ps {
		m[p.Name] = p.Value
	}
	return m
}

func buildSweepOutput(spec verify.SweepSpec, rep verify.SweepReport) (sweepOutput, error) {
	out := sweepOutput{Tool: "timewait", Version: Version, Config: spec.Base, MSL: spec.MSL, TW: spec.TW,
		Thresholds: []map[string]any{}, Rows: []map[string]any{}}
	if len(spec.Vary) > 0 {
		out.Vary = map[string][]int{}
		for _, r := range spec.Vary {
			out.Vary[r.Name] = r.Values
		}
	}
	for _, t := range rep.Thresholds {
		m := withParams(map[string]any{"msl": t.MSL, "property": t.Property, "min_tw": t.MinTW, "set_by": t.Sets}, t.Params)
		if t.Reason != "" {
			m["reason"] = t.Reason
		}
		var rp *traces.Replayed
		if t.Counterexample != nil {
			p, _ := properties.ByID(t.Property)
			tr, r, err := traces.FromPath(t.Config, p, traces.SearchShortest, t.Counterexample)
			if err != nil {
				return out, fmt.Errorf("msl=%d %s: %w", t.MSL, t.Property, err)
			}
			m["counterexample_tw"] = *t.MinTW - 1
			m["counterexample_steps"] = len(tr.Actions)
			m["counterexample"] = tr
			rp = &r
		}
		out.replayed = append(out.replayed, rp)
		out.Thresholds = append(out.Thresholds, m)
	}
	for _, r := range rep.Rows {
		row := map[string]any{
			"msl": r.MSL, "tw": r.TW, "property": r.Property, "verdict": r.Verdict.String(), "complete": r.Complete,
			"states": r.States, "transitions": r.Transitions, "seconds": r.Seconds, "shared": r.Shared,
		}
		if r.Symmetry {
			row["symmetry"] = true
		}
		out.Rows = append(out.Rows, withParams(row, r.Params))
	}
	return out, nil
}

// mslLimitsOut is the JSON form of MSL limits.
func mslLimitsOut(ls []verify.MSLLimit) []map[string]any {
	out := []map[string]any{}
	for _, l := range ls {
		m := withParams(map[string]any{"property": l.Property, "max_msl": l.MaxMSL, "holds_below": l.Below}, l.Params)
		if len(l.Incomplete) > 0 {
			m["incomplete_msl"] = l.Incomplete
		}
		out = append(out, m)
	}
	return out
}

func writeSweepText(w io.Writer, spec verify.SweepSpec, rep verify.SweepReport, out sweepOutput, brief bool) {
	if out.FixedTW != nil {
		writeMSLLimitsText(w, spec, rep, out)
		return
	}
	tws := "0..4·msl+1"
	if spec.TW != nil {
		tws = fmt.Sprintf("%d..%d", spec.TW[0], spec.TW[len(spec.TW)-1])
	}
	rest := configLine(spec.Base)
	rest = rest[strings.Index(rest, " rto="):]
	if out.Variant != "" {
		rest = " variant=" + out.Variant + rest
	}
	fmt.Fprintf(w, "timewait sweep  msl=%d..%d tw=%s%s\n", spec.MSL[0], spec.MSL[len(spec.MSL)-1], tws, rest)
	fmt.Fprintf(w, "min_tw = the smallest TIME-WAIT (ticks) from which the property holds for every larger TW in range\n\n")
	fmt.Fprintf(w, "  %-4s %-28s %-30s %7s %6s %9s  %s\n", "msl", "params", "property", "min_tw", "2·msl", "states*", "set by")
	for _, t := range rep.Thresholds {
		min, states := "null", 0
		if t.MinTW != nil {
			min = fmt.Sprint(*t.MinTW)
		}
		for _, r := range rep.Rows {
			if r.MSL == t.MSL && r.Property == t.Property && paramText(r.Params) == paramText(t.Params) &&
				r.Verdict == checker.Holds && t.MinTW != nil && r.TW == *t.MinTW {
				states = r.States
			}
		}
		why := t.Sets
		switch {
		case t.Reason != "":
			why = t.Reason
		case t.MinTW != nil && *t.MinTW == 0:
			why = "holds at every TW in range, TW = 0 included: TIME-WAIT is not needed for it here"
		}
		fmt.Fprintf(w, "  %-4d %-28s %-30s %7s %6d %9d  %s\n", t.MSL, strings.TrimSpace(paramText(t.Params)), t.Property, min, 2*t.MSL, states, why)
	}
	fmt.Fprintf(w, "  (* states explored at min_tw)\n")
	if slices.ContainsFunc(rep.Rows, func(r verify.Row) bool { return r.Symmetry }) {
		fmt.Fprintf(w, "  searched up to the A↔B symmetry: a state and its mirror are counted once (--no-symmetry counts the whole space)\n")
	}
	if !spec.AllTW {
		fmt.Fprintf(w, "  TWs were checked from the largest down until every property was violated; --all-tw checks the rest\n")
	}
	if brief {
		return
	}
	for i, t := range rep.Thresholds {
		if out.replayed[i] == nil {
			continue
		}
		fmt.Fprintf(w, "\nmsl=%d%s %s: counterexample at tw=%d (%d steps; time in ticks):\n", t.MSL, paramText(t.Params), t.Property, *t.MinTW-1, len(out.replayed[i].Steps))
		_ = traces.WriteTimeline(w, *out.replayed[i])
	}
}

// writeMSLLimitsText prints a sweep over MSL for a variant that fixes TW.
func writeMSLLimitsText(w io.Writer, spec verify.SweepSpec, rep verify.SweepReport, out sweepOutput) {
	rest := configLine(spec.Base)
	rest = rest[strings.Index(rest, " rto="):]
	twText := fmt.Sprintf("tw fixed at %d by the variant", *out.FixedTW)
	if v, ok := variants.ByName(out.Variant); ok && !slices.Contains(v.Sets, "tw") {
		twText = "tw not used (no endpoint enters TIME-WAIT)"
	}
	fmt.Fprintf(w, "timewait sweep --variant %s  msl=%d..%d, %s%s\n", out.Variant, spec.MSL[0], spec.MSL[len(spec.MSL)-1], twText, rest)
	fmt.Fprintf(w, "the variant fixes TIME-WAIT's length, so the sweep varies MSL: max_msl = the largest MSL in range at which the property holds\n\n")
	fmt.Fprintf(w, "  %-4s %-30s %-10s %9s\n", "msl", "property", "verdict", "states")
	for _, r := range rep.Rows {
		fmt.Fprintf(w, "  %-4d %-30s %-10s %9d%s\n", r.MSL, r.Property, r.Verdict, r.States, paramText(r.Params))
	}
	fmt.Fprintln(w)
	for _, l := range out.MSLLimits {
		val := "none in range"
		if m, ok := l["max_msl"].(*int); ok && m != nil {
			val = fmt.Sprint(*m)
			if l["holds_below"] != true {
				val += " (but not at every smaller MSL)"
			}
		}
		fmt.Fprintf(w, "  %-30s max_msl = %s\n", l["property"], val)
	}
}
