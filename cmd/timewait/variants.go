package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
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
}

// runVariants is "timewait variants".
func runVariants(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newFlagSet("variants")
	jsonOut := fs.Bool("json", false, "print JSON")
	results := fs.Bool("results", false, "check every variant at MSL 1 and print the Markdown results table of docs/variants.md")
	if _, help, err := parseFlags(fs, args, stdout); help || err != nil {
		return exitHolds, err
	}
	if *results {
		md, err := variantResultsMarkdown(ctx)
		if err != nil {
			return exitBadInput, err
		}
		_, err = io.WriteString(stdout, md)
		return exitHolds, err
	}
	var out []variantJSON
	for _, v := range variants.All() {
		out = append(out, variantJSON{v.Name, v.Title, v.Source, v.Doc, v.Sets, v.FixedTW})
	}
	return exitHolds, writeResult(stdout, *jsonOut, out, func() {
		for _, v := range out {
			fixed := ""
			if v.FixedTW {
				fixed = " [fixes TIME-WAIT's length: sweeps vary MSL]"
			}
			fmt.Fprintf(stdout, "%s%s\n  %s\n  sets: --%s\n  source: %s\n\n", v.Name, fixed, v.Title, strings.Join(v.Sets, ", --"), v.Source)
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
	for _, f := range v.Sets {
		if set[f] {
			return cfg, nil, badInput("--%s conflicts with --variant %s, which sets it", f, v.Name)
		}
	}
	return v.Apply(cfg), &v, nil
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
			out[r.Property] = fmt.Sprintf("tw fixed at %d: %s", cfg.TW, r.Verdict)
			if !slices.Contains(v.Sets, "tw") {
				out[r.Property] = fmt.Sprintf("no TIME-WAIT, any TW: %s", r.Verdict)
			}
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

// variantResultsMarkdown checks every variant at MSL 1 on the default
// configuration otherwise (TW = 2·MSL where the variant does not fix it) and
// returns the Markdown table docs/variants.md embeds: each safety property's
// verdict, whether its witness is reachable, and its threshold.
func variantResultsMarkdown(ctx context.Context) (string, error) {
	var b strings.Builder
	b.WriteString("| variant | property | verdict at MSL 1, TW 2 | witness | threshold at MSL 1 |\n|---|---|---|---|---|\n")
	for _, v := range variants.All() {
		cfg := model.DefaultConfig()
		cfg.MSL, cfg.TW = 1, 2
		cfg = v.Apply(cfg)
		props := properties.Safety()
		rep, err := verify.Check(ctx, cfg, props, verify.Options{StopEarly: true})
		if err != nil {
			return "", fmt.Errorf("%s: %w", v.Name, err)
		}
		ths, err := thresholdTexts(ctx, cfg, &v, props, 0)
		if err != nil {
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
