package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// Path is a run of the model as the explorer returns it.
type Path = checker.Path[model.State, model.Label]

// Options bound and observe a check.
type Options struct {
	MaxStates     int       // 0 = unbounded
	AllowDeadlock bool      // do not treat a state with no successor as an error
	StopEarly     bool      // stop once every property is decided (violated or found)
	Coverage      *Coverage // if set, filled with the handlers every explored transition ran
	NoWitnesses   bool      // do not add the witnesses of the requested safety properties
	// NoSymmetry turns off the A↔B symmetry reduction, which is otherwise
	// used whenever it is sound (see Report.Symmetry).
	NoSymmetry bool
	Progress   func(checker.Progress) // called about once a second
	// Workers, Store, MaxMemory and PackLevel are passed to the explorer
	// (see checker.Options); the zero values mean every core, the automatic
	// store, no memory bound and levels packed from a million states.
	Workers   int
	Store     checker.StoreMode
	MaxMemory int64
	PackLevel int
	_         struct{}
}

// Outcome is the result of one property.
type Outcome struct {
	Property    properties.Property
	Verdict     checker.Verdict
	Holds       bool // Always only: no violation and the search was complete
	Complete    bool
	States      int
	Transitions int
	Depth       int
	Seconds     float64
	Path        *Path // counterexample (violated) or witness (found)
}

// Report is the result of checking one configuration.
type Report struct {
	Config      model.Config // resolved
	States      int
	Transitions int
	Depth       int
	Complete    bool
	StopReason  string
	Seconds     float64
	Outcomes    []Outcome // one per requested property, in order
	// Store, Collision, VisitedBytes, PeakBytes and Workers are the
	// explorer's figures (see checker.Result).
	Store        checker.StoreMode
	Collision    float64
	VisitedBytes int64
	PeakBytes    int64
	Workers      int
	// Symmetry reports that the search was reduced by the A↔B symmetry:
	// the configuration is symmetric (model.Config.Symmetric), every
	// property checked is (properties.Property.Symmetric), and neither
	// Options.NoSymmetry nor Options.Coverage was set. States, Transitions
	// and Depth then count a state and its mirror (model.Mirror) as one,
	// so they are those of the quotient, not of the whole space; the
	// verdicts are the unreduced search's, and every path is a shortest
	// run of the model itself (checker.Reduce).
	Symmetry bool
}

// ModelError is returned when the model itself misbehaves for a
// configuration: the network overflowed its capacity, or some state has no
// successor (a deadlock or time-lock, which would make every property hold
// vacuously from there). Path leads to the first such state.
type ModelError struct {
	What string
	Path *Path
}

func (e *ModelError) Error() string {
	return fmt.Sprintf("model error: %s after %d steps (state: %s)", e.What, e.Path.Len(), e.Path.Last())
}

// sound extends a state predicate to fail on model-error states.
func sound(f func(model.State) bool) func(model.State) bool {
	return func(s model.State) bool { return s.Err == model.NoErr && (f == nil || f(s)) }
}

// Check explores cfg once and evaluates every property in props. A zero
// Grid is resolved with [ExactGrid]. Unless opts.NoWitnesses, the witness of
// every requested safety property is checked too when it is not already
// requested; its outcome is appended after the requested ones.
func Check(ctx context.Context, cfg model.Config, props []properties.Property, opts Options) (Report, error) {
	cfg.Grid = ExactGrid(cfg, props)
	m, err := model.New(cfg)
	if err != nil {
		return Report{}, err
	}
	if !opts.NoWitnesses {
		props = withWitnesses(props)
	}
	// Every safety property also fails on a state the model could not
	// represent (network overflow); such a violation is reported as a
	// ModelError, not as the property's. Folding the check in keeps
	// StopEarly effective.
	var cprops []checker.Property[model.State, model.Label]
	for _, p := range props {
		cp := checker.Property[model.State, model.Label]{Name: p.ID, Kind: checker.Always, State: p.State, Step: p.Step}
		if p.Kind == properties.Sometimes {
			cp.Kind = checker.Sometimes
		} else {
			cp.State = sound(p.State)
		}
		cprops = append(cprops, cp)
	}
	if cov := opts.Coverage; cov != nil {
		cprops = append(cprops, checker.Property[model.State, model.Label]{
			Name: "coverage", Kind: checker.Always,
			Step: func(_ model.State, l model.Label, _ model.State) bool { cov.record(l); return true },
		})
	}
	sym := useSymmetry(m.Config(), props, opts)
	var cm checker.Model[model.State, model.Label] = m
	if sym {
		cm = checker.Reduce(cm, model.Canonical)
	}
	start := time.Now()
	res, err := checker.Check[model.State, model.Label](ctx, cm, cprops, checker.Options{
		MaxStates: opts.MaxStates, Progress: opts.Progress, StopWhenDecided: opts.StopEarly,
		Workers: opts.Workers, Store: opts.Store, MaxMemory: opts.MaxMemory, PackLevel: opts.PackLevel,
	})
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return Report{}, err
	}
	rep := Report{
		Config: m.Config(), States: res.States, Transitions: res.Transitions, Depth: res.Depth,
		Complete: res.Complete, StopReason: res.StopReason, Seconds: time.Since(start).Seconds(),
		Store: res.Store, Collision: res.Collision, VisitedBytes: res.VisitedBytes, PeakBytes: res.PeakBytes,
		Workers: res.Workers, Symmetry: sym,
	}
	for _, r := range res.Properties {
		if r.Verdict == checker.Violated && r.Path.Last().Err != model.NoErr {
			return rep, &ModelError{What: r.Path.Last().Err.Describe(), Path: r.Path}
		}
	}
	if res.Deadlock != nil && !opts.AllowDeadlock {
		return rep, &ModelError{What: "deadlock (no action enabled, time cannot pass)", Path: res.Deadlock}
	}
	for i, p := range props {
		r := res.Properties[i]
		rep.Outcomes = append(rep.Outcomes, Outcome{
			Property: p, Verdict: r.Verdict, Holds: r.Verdict == checker.Holds, Complete: res.Complete,
			States: r.States, Transitions: r.Transitions, Depth: r.Depth, Seconds: rep.Seconds, Path: r.Path,
		})
	}
	return rep, err
}

// useSymmetry says whether a search of cfg for props may be reduced by the
// A↔B symmetry (Report.Symmetry).
func useSymmetry(cfg model.Config, props []properties.Property, opts Options) bool {
	if opts.NoSymmetry || opts.Coverage != nil || !cfg.Symmetric() {
		return false
	}
	for _, p := range props {
		if !p.Symmetric {
			return false
		}
	}
	return true
}

// withWitnesses appends the witness of every safety property that is not
// already in props.
func withWitnesses(props []properties.Property) []properties.Property {
	out := append([]properties.Property(nil), props...)
	have := map[string]bool{}
	for _, p := range props {
		have[p.ID] = true
	}
	for _, p := range props {
		if p.Witness == "" || have[p.Witness] {
			continue
		}
		if w, ok := properties.ByID(p.Witness); ok {
			have[w.ID] = true
			out = append(out, w)
		}
	}
	return out
}

// Outcome returns the outcome of the property with that ID.
func (r Report) Outcome(id string) (Outcome, bool) {
	for _, o := range r.Outcomes {
		if o.Property.ID == id {
			return o, true
		}
	}
	return Outcome{}, false
}
