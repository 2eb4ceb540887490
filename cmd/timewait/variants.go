package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/timewait/timewait/checker"
	"io"
	"slices"
	"strings"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/variants"
	"github.com/timewait/timewait/verify"
)

// variantJSON is one catalogue entry of "timewait variants --json".
type variantJSON struct {
	Name    string   `json:"name"`
	Title   string   `json:"title"`
	Source  string   `json:"source"`
	Doc     string   `json:"doc"`
	Sets    []string `json:"sets"`
	FixedTW bool     `json:"fixed_tw"`
	Tick    string   `json:"tick,omitempty"` // real time of one tick, for variants in real units
}

// runVariants is "timewait variants".
func runVariants(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newFlagSet("variants")
	jsonOut := fs.Bool("json", false, "print JSON")
	results := fs.Bool("results", false, "check every variant at MSL 1 and print the Markdown results table of docs/variants.md")
	mslLimits := fs.Bool("msl-limits", false, "sweep every variant that fixes TIME-WAIT over MSL 1..2 and print the Markdown MSL-limit table of docs/variants.md")
	if _, help, err := parseFlags(fs, args, stdout); help || err != nil {
		return exitHolds, err
	}
	if *results && *mslLimits {
		return exitBadInput, badInput("variants: --results and --msl-limits print different tables; give one")
	}
	if *results || *mslLimits {
		gen := variantResultsMarkdown
		if *mslLimits {
			gen = variantMSLMarkdown
		}
		md, err := gen(ctx)
		if err != nil {
			return exitBadInput, err
		}
		_, err = io.WriteString(stdout, md)
		return exitHolds, err
	}
	var out []variantJSON
	for _, v := range variants.All() {
		out = append(out, variantJSON{v.Name, v.Title, v.Source, v.Doc, v.Sets, v.FixedTW, v.Tick})
	}
	return exitHolds, writeResult(stdout, *jsonOut, out, func() {
		for _, v := range out {
			fixed := ""
			if v.FixedTW {
				fixed = " [fixes TIME-WAIT's length: sweeps vary MSL]"
			}
			tick := ""
			if v.Tick != "" {
				tick = "\n  one tick is " + v.Tick
			}
			fmt.Fprintf(stdout, "%s%s\n  %s\n  sets: --%s%s\n  source: %s\n\n", v.Name, fixed, v.Title, strings.Join(v.Sets, ", --"), tick, v.Source)
		}
	})
}

// addVariantFlag registers --variant.
func addVariantFlag(fs *flag.FlagSet) *string {
	return fs.String("variant", "", "a named spec variant (timewait variants lists them); its rules override the defaults")
}

// applyVariant applies the named variant to cfg, refusing flags that set
// what the variant decides. An empty name is no variant.
func applyVariant(name string, set map[string]bool, cfg model.Config) (model.Config, *variants.Variant, error) {
	if name == "" {
		return cfg, nil, nil
	}
	v, err := variants.Lookup(name)
	if err != nil {
		return cfg, nil, badInput("--variant: %v", err)
	}
	// A flag the variant decides is a conflict unless it says what the
	// variant says (compare passes its flags to both variants, so that
	// "compare rfc1337 rfc6191 --close-order b-then-a" runs both with the
	// server closing first).
	applied := v.Apply(cfg)
	for _, f := range v.Sets {
		if set[f] && !sameField(cfg, applied, f) {
			return cfg, nil, badInput("--%s conflicts with --variant %s, which sets it", f, v.Name)
		}
	}
	if err := v.Check(cfg); err != nil {
		return cfg, nil, badInput("--variant %s: %v", v.Name, err)
	}
	return v.Apply(cfg), &v, nil
}

// sameField reports whether a and b agree on the configuration field the
// flag name sets (compared in their JSON form, whose keys are the flag
// names with underscores; --close is close_mode).
func sameField(a, b model.Config, flag string) bool {
	key := strings.ReplaceAll(flag, "-", "_")
	if flag == "close" {
		key = "close_mode"
	}
	var fields [2]map[string]any
	for i, c := range []model.Config{a, b} {
		data, err := json.Marshal(c)
		if err != nil || json.Unmarshal(data, &fields[i]) != nil {
			return false
		}
	}
	return fmt.Sprint(fields[0][key]) == fmt.Sprint(fields[1][key])
}

// compareOutput is the --json document of "timewait compare".
type compareOutput struct {
	Tool       string             `json:"tool"`
	Version    string             `json:"version"`
	Variants   [2]string          `json:"variants"`
	Configs    [2]model.Config    `json:"configs"`
	Results    []compareRow       `json:"results"`
	Distinct   bool               `json:"distinguishable"`
	Complete   bool               `json:"complete"`
	StopReason string             `json:"stop_reason,omitempty"`
	States     int                `json:"product_states"`
	Run        *distinguishingRun `json:"distinguishing_run"`
	Last       [2]string          `json:"last_step,omitempty"`
	replayed   *traces.Replayed   // the distinguishing run of the variant that can take its last step
}

// distinguishingRun is the shortest run that tells two variants apart, in
// the variant that can take its last step: its configuration, the actions,
// and each step's label and resulting state. It is not a trace file (it
// claims no property); "timewait check --variant" writes those.
type distinguishingRun struct {
	Variant string       `json:"variant"`
	Config  model.Config `json:"config"`
	Init    string       `json:"init"`
	Actions []string     `json:"actions"`
	Labels  []string     `json:"labels"`
	States  []string     `json:"states"`
}

// compareRow is one property's verdicts and thresholds in both variants.
type compareRow struct {
	Property  string    `json:"property"`
	Verdicts  [2]string `json:"verdicts"`
	Witnesses [2]string `json:"witnesses"`
	// Thresholds are each variant's min_tw at this MSL, or for a variant
	// that fixes TW, "holds"/"violated" at its fixed TW.
	Thresholds [2]string `json:"thresholds"`
	Differs    bool      `json:"differs"`
}

// runCompare is "timewait compare VARIANT VARIANT [flags]".
func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	var names []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		names, args = append(names, args[0]), args[1:]
	}
	fs := newFlagSet("compare")
	mf := addModelFlags(fs, true)
	brief := fs.Bool("brief", false, "text output: omit the distinguishing run's timeline")
	set, help, err := parseFlags(fs, args, stdout)
	if help || err != nil {
		return exitHolds, err
	}
	if len(names) != 2 {
		return exitBadInput, badInput("compare: want two variant names before the flags (timewait variants lists them), got %d", len(names))
	}
	base, err := mf.configFrom(set)
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
	var cfgs [2]model.Config
	var vs [2]*variants.Variant
	for i, n := range names {
		if cfgs[i], vs[i], err = applyVariant(n, set, base); err != nil {
			return exitBadInput, err
		}
		cfgs[i].Grid = verify.ExactGrid(cfgs[i], props)
		if err := cfgs[i].Validate(); err != nil {
			return exitBadInput, badInput("%s: %v", n, err)
		}
	}
	g := max(cfgs[0].Grid, cfgs[1].Grid)
	cfgs[0].Grid, cfgs[1].Grid = g, g
	out := compareOutput{Tool: "timewait", Version: Version, Variants: [2]string{names[0], names[1]}, Results: []compareRow{}}
	prog := newProgress(stderr, *mf.jsonOut)
	var reps [2]verify.Report
	for i := range 2 {
		prog.label = names[i]
		reps[i], err = verify.Check(ctx, cfgs[i], props, eo.apply(verify.Options{MaxStates: *mf.maxStates, StopEarly: true, Progress: prog.update}))
		prog.done()
		var me *verify.ModelError
		if errors.As(err, &me) {
			return exitBadInput, fmt.Errorf("%s: %w", names[i], me)
		}
		if err != nil {
			return exitIncomplete, err
		}
		out.Configs[i] = reps[i].Config
	}
	var ths [2]map[string]string
	for i := range 2 {
		prog.label = names[i] + " thresholds"
		if ths[i], err = thresholdTexts(ctx, cfgs[i], vs[i], props, mf.stateBound()); err != nil {
			return exitIncomplete, err
		}
	}
	for _, p := range props {
		if p.Kind != properties.Always {
			continue
		}
		row := compareRow{Property: p.ID}
		for i := range 2 {
			o, _ := reps[i].Outcome(p.ID)
			row.Verdicts[i] = o.Verdict.String()
			if w, ok := reps[i].Outcome(p.Witness); ok {
				row.Witnesses[i] = w.Verdict.String()
			}
			row.Thresholds[i] = ths[i][p.ID]
		}
		row.Differs = row.Verdicts[0] != row.Verdicts[1] || row.Thresholds[0] != row.Thresholds[1]
		out.Results = append(out.Results, row)
	}
	prog.label = "product"
	cmp, err := verify.Distinguish(ctx, cfgs[0], cfgs[1], props, mf.stateBound())
	prog.done()
	if err != nil {
		return exitIncomplete, err
	}
	out.Complete, out.StopReason, out.States = cmp.Complete, cmp.StopReason, cmp.States
	if d := cmp.Divergence; d != nil {
		out.Distinct, out.Last = true, d.Last
		i := 0
		if len(d.Runs[0].Steps) < len(d.Actions) {
			i = 1
		}
		pseudo := properties.Property{ID: "distinguishing-run", Kind: properties.Sometimes}
		tr, r, err := traces.FromPath(cmp.Configs[i], pseudo, traces.SearchShortest, d.Runs[i])
		if err != nil {
			return exitBadInput, err
		}
		tr.Variant, r.Trace.Variant = names[i], names[i]
		out.Run = &distinguishingRun{Variant: names[i], Config: tr.Config, Init: tr.Init, Actions: tr.Actions, Labels: tr.Labels, States: tr.States}
		out.replayed = &r
	}
	err = writeResult(stdout, *mf.jsonOut, out, func() { writeCompareText(stdout, out, *brief) })
	if err != nil {
		return exitBadInput, err
	}
	if !out.Complete && !out.Distinct {
		return exitIncomplete, nil
	}
	return exitHolds, nil
}

// fixedTWText is the threshold cell of a variant that fixes TIME-WAIT (or
// never enters it): the verdict at its own TW.
func fixedTWText(cfg model.Config, v *variants.Variant, verdict string) string {
	if !slices.Contains(v.Sets, "tw") {
		return "no TIME-WAIT, any TW: " + verdict
	}
	return fmt.Sprintf("tw fixed at %d: %s", cfg.TW, verdict)
}

// thresholdTexts gives each safety property's threshold at cfg's MSL under
// variant v (nil: none), from one sweep: min_tw over TW 0..4·MSL+1, or, for a
// variant that fixes TIME-WAIT, its verdict at that TW.
func thresholdTexts(ctx context.Context, cfg model.Config, v *variants.Variant, props []properties.Property, maxStates int) (map[string]string, error) {
	var safety []properties.Property
	for _, p := range props {
		if p.Kind == properties.Always {
			safety = append(safety, p)
		}
	}
	spec := verify.SweepSpec{Base: cfg, MSL: []int{cfg.MSL}, Props: safety, Opts: verify.Options{MaxStates: maxStates}}
	if v != nil {
		spec.Apply = v.Apply
		if v.FixedTW {
			spec.TW = []int{cfg.TW}
		}
	}
	rep, err := verify.Sweep(ctx, spec, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if v != nil && v.FixedTW {
		for _, r := range rep.Rows {
			out[r.Property] = fixedTWText(cfg, v, r.Verdict.String())
		}
		return out, nil
	}
	for _, t := range rep.Thresholds {
		if t.MinTW == nil {
			out[t.Property] = fmt.Sprintf("none in 0..%d (%s)", 4*cfg.MSL+1, t.Reason)
			continue
		}
		out[t.Property] = fmt.Sprintf("min_tw=%d", *t.MinTW)
	}
	return out, nil
}

func writeCompareText(w io.Writer, out compareOutput, brief bool) {
	fmt.Fprintf(w, "timewait compare  %s vs %s  %s\n\n", out.Variants[0], out.Variants[1], configLine(out.Configs[0]))
	fmt.Fprintf(w, "  %-30s %-32s %-32s\n", "property", out.Variants[0], out.Variants[1])
	for _, r := range out.Results {
		mark := ""
		if r.Differs {
			mark = "  ← differs"
		}
		fmt.Fprintf(w, "  %-30s %-32s %-32s%s\n", r.Property, r.Verdicts[0]+", "+r.Thresholds[0], r.Verdicts[1]+", "+r.Thresholds[1], mark)
		for i := range 2 {
			if r.Witnesses[i] == "not-found" {
				fmt.Fprintf(w, "  %-30s WARNING: in %s the witness is not reachable: the property holds vacuously\n", "", out.Variants[i])
			}
		}
	}
	fmt.Fprintln(w)
	switch {
	case out.Run != nil:
		fmt.Fprintf(w, "distinguishing run (%d steps, explored %d product states): the same actions, handlers (state × event) and segments sent until the last step, where\n  %s: %s\n  %s: %s\n",
			len(out.Run.Actions), out.States, out.Variants[0], out.Last[0], out.Variants[1], out.Last[1])
		if !brief {
			fmt.Fprintf(w, "\nthe run in %s:\n", out.Run.Variant)
			_ = traces.WriteTimeline(w, *out.replayed)
		}
	case out.Complete:
		fmt.Fprintf(w, "indistinguishable: every run of one has the same labels in the other (%d product states)\n", out.States)
	default:
		fmt.Fprintf(w, "no distinguishing run within the bound (INCOMPLETE: %s, %d product states)\n", out.StopReason, out.States)
	}
}

// resultsBase is the configuration of docs/variants.md's tables: the
// default with MSL 1, TW 2 and no duplication (the variants with timestamps
// and a reopening TIME-WAIT reach hundreds of millions of states with one
// duplicate; docs/variants.md gives those runs).
func resultsBase() model.Config {
	cfg := model.DefaultConfig()
	cfg.MSL, cfg.TW, cfg.Dup = 1, 2, 0
	return cfg
}

// mslLimitStates bounds each run of the MSL-limit table.
const mslLimitStates = 20_000_000

// variantMSLMarkdown sweeps every variant that fixes TIME-WAIT's length over
// MSL 1..2 (resultsBase otherwise, each run bounded to mslLimitStates
// states) and returns the Markdown table of the largest MSL at which each
// property holds.
func variantMSLMarkdown(ctx context.Context) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "| variant | TW | property | MSL 1 | MSL 2 | largest MSL in 1..2 that holds |\n|---|---|---|---|---|---|\n")
	for _, v := range variants.All() {
		if !v.FixedTW {
			continue
		}
		base := v.Apply(resultsBase())
		props := properties.Safety()
		spec := verify.SweepSpec{Base: base, Apply: v.Apply, MSL: []int{1, 2}, TW: []int{base.TW}, Props: props,
			Opts: verify.Options{MaxStates: mslLimitStates}}
		spec.Base.Grid = verify.ExactGrid(base, props)
		rep, err := verify.Sweep(ctx, spec, nil)
		if err != nil {
			return "", fmt.Errorf("%s: %w", v.Name, err)
		}
		tw := fmt.Sprint(base.TW)
		if !slices.Contains(v.Sets, "tw") {
			tw = "never entered"
		}
		if v.Tick != "" {
			tw += " (" + v.Tick + " ticks)"
		}
		for _, l := range verify.MSLLimits(rep.Rows, props) {
			cells := map[int]string{}
			for _, r := range rep.Rows {
				if r.Property != l.Property {
					continue
				}
				c := r.Verdict.String()
				if !r.Complete && r.Verdict != checker.Violated {
					c = fmt.Sprintf("unknown (stopped at %d states)", r.States)
				}
				cells[r.MSL] = c
			}
			limit := "none"
			if l.MaxMSL == nil && len(l.Incomplete) > 0 {
				limit = "unknown (a run stopped at the bound)"
			}
			if l.MaxMSL != nil {
				limit = fmt.Sprint(*l.MaxMSL)
				if slices.Contains(l.Incomplete, *l.MaxMSL+1) {
					limit += " (or more: MSL " + fmt.Sprint(*l.MaxMSL+1) + " unknown)"
				}
			}
			fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s | %s | %s |\n", v.Name, tw, l.Property, cells[1], cells[2], limit)
		}
	}
	return b.String(), nil
}

// variantResultsMarkdown checks every variant at MSL 1 on the default
// configuration otherwise (TW = 2·MSL where the variant does not fix it) and
// returns the Markdown table docs/variants.md embeds: each safety property's
// verdict, whether its witness is reachable, and its threshold.
func variantResultsMarkdown(ctx context.Context) (string, error) {
	var b strings.Builder
	b.WriteString("| variant | property | verdict at MSL 1, TW 2 | witness | threshold at MSL 1 |\n|---|---|---|---|---|\n")
	for _, v := range variants.All() {
		cfg := resultsBase()
		cfg = v.Apply(cfg)
		props := properties.Safety()
		rep, err := verify.Check(ctx, cfg, props, verify.Options{StopEarly: true})
		if err != nil {
			return "", fmt.Errorf("%s: %w", v.Name, err)
		}
		ths := map[string]string{}
		if v.FixedTW {
			// The check above is the whole sweep: one TW, the variant's.
			for _, p := range props {
				o, _ := rep.Outcome(p.ID)
				ths[p.ID] = fixedTWText(cfg, &v, o.Verdict.String())
			}
		} else if ths, err = thresholdTexts(ctx, cfg, &v, props, 0); err != nil {
			return "", fmt.Errorf("%s: %w", v.Name, err)
		}
		for _, p := range props {
			o, _ := rep.Outcome(p.ID)
			w, _ := rep.Outcome(p.Witness)
			th := ths[p.ID]
			witness := w.Verdict.String()
			if w.Verdict.String() == "not-found" {
				witness = "**not reachable: holds vacuously**"
			}
			verdict := o.Verdict.String()
			if cfg.TW != 2 {
				verdict += fmt.Sprintf(" (TW %d)", cfg.TW)
			}
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", v.Name, p.ID, verdict, witness, th)
		}
	}
	return b.String(), nil
}
