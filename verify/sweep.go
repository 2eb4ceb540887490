package verify

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// Param is one varied configuration parameter and its value.
type Param struct {
	Name  string
	Value int
}

// Range is a parameter and the values a sweep gives it.
type Range struct {
	Name   string
	Values []int
}

// Varyable lists the parameters a sweep may vary, in the order they are
// applied and printed.
var varyable = []string{"rto", "loss", "dup", "backoff", "retries", "incarnations", "grid"}

// VaryableParams returns the names accepted by [ParseVary].
func VaryableParams() []string { return append([]string(nil), varyable...) }

// WithParam returns cfg with one varyable parameter set.
func WithParam(cfg model.Config, p Param) model.Config {
	switch p.Name {
	case "rto":
		cfg.RTO = p.Value
	case "loss":
		cfg.Loss = p.Value
	case "dup":
		cfg.Dup = p.Value
	case "backoff":
		cfg.Backoff = p.Value
	case "retries":
		cfg.Retries = p.Value
	case "incarnations":
		cfg.Incarnations = p.Value
	case "grid":
		cfg.Grid = p.Value
	}
	return cfg
}

// ParseRange parses "N" or "N..M" (inclusive, N ≤ M) into a list of values.
func ParseRange(s string) ([]int, error) {
	lo, hi, isRange := strings.Cut(strings.TrimSpace(s), "..")
	a, err := strconv.Atoi(lo)
	if err != nil {
		return nil, fmt.Errorf("range %q: %q is not a whole number", s, lo)
	}
	b := a
	if isRange {
		if b, err = strconv.Atoi(hi); err != nil {
			return nil, fmt.Errorf("range %q: %q is not a whole number", s, hi)
		}
	}
	if a < 0 || b < a {
		return nil, fmt.Errorf("range %q: want N or N..M with 0 ≤ N ≤ M", s)
	}
	if b-a > 1000 {
		return nil, fmt.Errorf("range %q: more than 1000 values", s)
	}
	out := make([]int, 0, b-a+1)
	for v := a; v <= b; v++ {
		out = append(out, v)
	}
	return out, nil
}

// ParseVary parses "rto=1..4,loss=0..2" into ranges, in the order given.
func ParseVary(s string) ([]Range, error) {
	var out []Range
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("--vary %q: want NAME=N..M", part)
		}
		known := false
		for _, v := range varyable {
			known = known || v == name
		}
		if !known {
			return nil, fmt.Errorf("--vary: unknown parameter %q (want one of: %s)", name, strings.Join(varyable, ", "))
		}
		if seen[name] {
			return nil, fmt.Errorf("--vary: %s given twice", name)
		}
		seen[name] = true
		vals, err := ParseRange(val)
		if err != nil {
			return nil, fmt.Errorf("--vary %s: %v", name, err)
		}
		out = append(out, Range{Name: name, Values: vals})
	}
	return out, nil
}

// SweepSpec says what a sweep explores.
type SweepSpec struct {
	Base  model.Config
	MSL   []int
	TW    []int // nil: 0..4·MSL+1 for each MSL
	Vary  []Range
	Props []properties.Property // safety properties; witnesses are not swept
	Opts  Options
	// AllTW checks every TW in range. Otherwise TWs are checked from the
	// largest down and the scan stops once every property has been violated:
	// smaller TWs cannot change any threshold (min_tw depends only on the
	// rows from min_tw−1 up), and they are the costliest to explore.
	AllTW bool
	// Apply, if set, is applied to each configuration after its MSL and
	// varied parameters are set (a variant's rules: variants.Variant.Apply).
	Apply func(model.Config) model.Config
	// Starting, if set, is called before each configuration is checked.
	Starting func(cfg model.Config, params []Param)
	// NoShare checks every TW with a search of its own. By default the TWs
	// of one configuration are first explored together, in one search that
	// shares the states they have in common (model.TWFamily); only the TWs
	// at which a property fails (or a bound or deadlock intervenes) are then
	// searched alone, for their counterexample. The rows are the same
	// either way, but for their Seconds and Shared — and near the memory
	// bound, where the shared search may complete and a TW's own search
	// would have stopped (docs/performance.md).
	NoShare bool
	// StartingShared, if set, is called before the shared search of the
	// TWs tws of one configuration.
	StartingShared func(cfg model.Config, tws []int, params []Param)
}

// Row is one checked (configuration, property) pair of a sweep.
type Row struct {
	MSL         int
	TW          int
	Params      []Param
	Property    string
	Verdict     checker.Verdict
	Complete    bool
	States      int
	Transitions int
	Seconds     float64
	Path        *Path
	Config      model.Config
	// Shared says the row was decided by the search shared by the
	// configuration's TWs (SweepSpec.NoShare); Seconds is then that
	// search's time, the same on each row it decided.
	Shared bool
	// Symmetry says the row's search was reduced by the A↔B symmetry
	// (Report.Symmetry): its counts are those of the quotient. The shared
	// search and the plain ones reduce under the same rule, so the rows of
	// one configuration agree.
	Symmetry bool
}

// Threshold is the smallest TIME-WAIT from which a property holds for every
// larger TW in range, for one MSL and one setting of the varied parameters.
type Threshold struct {
	MSL      int
	Params   []Param
	Property string
	MinTW    *int   // nil when no TW in range qualifies or a run was incomplete
	Reason   string // why MinTW is nil
	Sets     string // what sets the threshold, in words: the counterexample's chain (Explain), or the property's general description
	// Counterexample is the violation at MinTW−1 (nil when MinTW is 0 or nil).
	Counterexample *Path
	Config         model.Config // the configuration at MinTW−1, for the counterexample
}

// SweepReport is the result of a sweep.
type SweepReport struct {
	Rows       []Row
	Thresholds []Threshold
}

// combos expands the varied ranges into every combination, first range
// slowest.
func combos(vary []Range) [][]Param {
	out := [][]Param{nil}
	for _, r := range vary {
		var next [][]Param
		for _, c := range out {
			for _, v := range r.Values {
				next = append(next, append(append([]Param(nil), c...), Param{r.Name, v}))
			}
		}
		out = next
	}
	return out
}

// Sweep checks every property for every MSL, every setting of the varied
// parameters and every TW, and derives the thresholds. onRow, if not nil, is
// called as each row is finished.
func Sweep(ctx context.Context, spec SweepSpec, onRow func(Row)) (SweepReport, error) {
	var rep SweepReport
	for _, msl := range spec.MSL {
		tws := spec.TW
		if tws == nil {
			for tw := 0; tw <= 4*msl+1; tw++ {
				tws = append(tws, tw)
			}
		}
		for _, params := range combos(spec.Vary) {
			cfg := spec.Base
			cfg.MSL = msl
			for _, p := range params {
				cfg = WithParam(cfg, p)
			}
			if spec.Apply != nil {
				cfg = spec.Apply(cfg)
			}
			rows, err := sweepTW(ctx, cfg, tws, params, spec, onRow)
			rep.Rows = append(rep.Rows, rows...)
			if err != nil {
				return rep, err
			}
			for _, p := range spec.Props {
				rep.Thresholds = append(rep.Thresholds, threshold(msl, params, p, rows))
			}
		}
	}
	return rep, nil
}

func sweepTW(ctx context.Context, cfg model.Config, tws []int, params []Param, spec SweepSpec, onRow func(Row)) ([]Row, error) {
	var rows []Row
	order := append([]int(nil), tws...)
	if !spec.AllTW {
		sort.Sort(sort.Reverse(sort.IntSlice(order)))
	}
	shared, err := shareTW(ctx, cfg, order, params, spec)
	if err != nil {
		return rows, fmt.Errorf("msl=%d tw=%d..%d (shared search): %w", cfg.MSL, slices.Min(order), slices.Max(order), err)
	}
	violated := map[string]bool{}
	for _, tw := range order {
		if !spec.AllTW && len(violated) == len(spec.Props) {
			break
		}
		cfg.TW = tw
		if a, ok := shared[tw]; ok {
			for _, p := range spec.Props {
				r := Row{
					MSL: cfg.MSL, TW: tw, Params: params, Property: p.ID, Verdict: checker.Holds, Complete: true,
					States: a.states, Transitions: a.transitions, Seconds: a.seconds, Config: a.config, Shared: true,
					Symmetry: a.symmetry,
				}
				rows = append(rows, r)
				if onRow != nil {
					onRow(r)
				}
			}
			continue
		}
		if spec.Starting != nil {
			spec.Starting(cfg, params)
		}
		opts := spec.Opts
		opts.StopEarly, opts.NoWitnesses = true, true
		rep, err := Check(ctx, cfg, spec.Props, opts)
		if err != nil {
			return rows, fmt.Errorf("msl=%d tw=%d: %w", cfg.MSL, tw, err)
		}
		for _, p := range spec.Props {
			o, _ := rep.Outcome(p.ID)
			r := Row{
				MSL: cfg.MSL, TW: tw, Params: params, Property: p.ID, Verdict: o.Verdict, Complete: rep.Complete,
				States: o.States, Transitions: o.Transitions, Seconds: rep.Seconds, Path: o.Path, Config: rep.Config,
				Symmetry: rep.Symmetry,
			}
			if r.Verdict == checker.Violated {
				r.Complete = true // a violation is final whatever else was cut short
				violated[p.ID] = true
			}
			rows = append(rows, r)
			if onRow != nil {
				onRow(r)
			}
		}
	}
	return rows, nil
}

// threshold applies the sweep rule to one property's rows.
func threshold(msl int, params []Param, p properties.Property, rows []Row) Threshold {
	t := Threshold{MSL: msl, Params: params, Property: p.ID, Sets: p.Threshold}
	var mine []Row
	for _, r := range rows {
		if r.Property == p.ID {
			mine = append(mine, r)
		}
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].TW < mine[j].TW })
	min := -1
	for i := len(mine) - 1; i >= 0; i-- {
		r := mine[i]
		if r.Verdict == checker.Incomplete {
			t.Reason = fmt.Sprintf("incomplete at tw=%d (search stopped by a bound)", r.TW)
			return t
		}
		if r.Verdict != checker.Holds {
			break
		}
		min = r.TW
	}
	switch {
	case len(mine) == 0:
		t.Reason = "no rows"
	case min < 0:
		t.Reason = fmt.Sprintf("violated at the largest tw in range (%d)", mine[len(mine)-1].TW)
	default:
		t.MinTW = &min
		for _, r := range mine {
			if r.TW == min-1 {
				t.Counterexample, t.Config = r.Path, r.Config
				t.Sets = Explain(r.Path)
			}
		}
		if min > mine[0].TW && t.Counterexample == nil {
			t.Reason = fmt.Sprintf("tw=%d is not in range, so no counterexample below the threshold", min-1)
		}
	}
	return t
}

// MSLLimit is, for a variant that fixes TIME-WAIT's length, the largest MSL
// in a sweep's range for which a property holds.
type MSLLimit struct {
	Property string
	Params   []Param
	// MaxMSL is the largest MSL in range at which the property holds; nil
	// when it holds at none (or a run there was incomplete).
	MaxMSL *int
	// Below says the property holds at every MSL in range up to MaxMSL, so
	// MaxMSL is a limit, not an isolated value.
	Below bool
	// Incomplete lists the MSLs whose search was cut short.
	Incomplete []int
}

// MSLLimits derives, from the rows of a sweep over MSL at one fixed TW, the
// largest MSL for which each property holds.
func MSLLimits(rows []Row, props []properties.Property) []MSLLimit {
	var out []MSLLimit
	for _, p := range props {
		groups := map[string][]Row{}
		var keys []string
		for _, r := range rows {
			if r.Property != p.ID {
				continue
			}
			k := fmt.Sprint(r.Params)
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], r)
		}
		for _, k := range keys {
			l := MSLLimit{Property: p.ID, Params: groups[k][0].Params}
			for _, r := range groups[k] {
				if !r.Complete && r.Verdict != checker.Violated {
					l.Incomplete = append(l.Incomplete, r.MSL)
				}
				if r.Verdict == checker.Holds && (l.MaxMSL == nil || r.MSL > *l.MaxMSL) {
					m := r.MSL
					l.MaxMSL = &m
				}
			}
			if l.MaxMSL != nil {
				l.Below = true
				for _, r := range groups[k] {
					if r.MSL <= *l.MaxMSL && r.Verdict != checker.Holds {
						l.Below = false
					}
				}
			}
			out = append(out, l)
		}
	}
	return out
}
